/**
 * Fuzzing the webhook over HTTP (fast-check, bounded): POST /v1/records and POST /v1/evaluate get
 * random and malformed bodies (random JSON and text, truncated records, unknown fields, wrong
 * types, missing fields, bodies near the 256 KiB limit) and random or malformed signatures
 * (missing parts, wrong hex, unknown clients, another body's signature, timestamps far off).
 * Whatever arrives: never a 5xx, every 4xx is the contract's JSON error, and nothing is stored on
 * any refusal; valid signed records are accepted. At the end the records table holds exactly the
 * accepted records (read directly from the platform's table on the shared DynamoDB Local).
 */

import { readFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { dirname, join } from "node:path";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClients } from "../../functions/local/aws-clients.ts";
import { recordInput } from "../support/arbitraries.ts";
import { quote } from "../support/records.ts";
import {
  type Answer,
  type E2ePlatform,
  type ErrorJson,
  expectDocumented,
  expectJsonError,
  hmac,
  hmacV2,
  parseCsv,
  SECRETS,
  sharedEndpoint,
  startE2ePlatform,
  type ViolationJson,
  waitFor,
} from "./helpers.ts";

const LIMIT = 256 * 1024;
const ROUTES = ["/v1/records", "/v1/evaluate"] as const;
type Route = (typeof ROUTES)[number];
type Json = Record<string, unknown>;

let e2e: E2ePlatform;
/** `${type}#${id}` of every record the platform acknowledged (202). */
const accepted = new Set<string>();
let serial = 0;
const nextId = (tag: string) => `FZ-${tag}-${++serial}`;

beforeAll(async () => {
  e2e = await startE2ePlatform({ tag: "fz" });
}, 120_000);
afterAll(async () => e2e?.close(), 60_000);

/** A schema-valid record (test/support/arbitraries.ts) under a fresh id, as JSON. */
const validRecord = (tag: string) =>
  recordInput.map(
    (r) => ({ ...r, id: nextId(tag) }) as Json & { type: string; id: string; revision: number },
  );

const RUNS = { garbage: 70, mutated: 50, evaluate: 30, signatures: 50, valid: 30, nearLimit: 12, bytes: 20 };

/** Every answer, whatever the input: never 5xx; 4xx are documented JSON errors. */
function expectSafe(answer: Answer<unknown>, route: Route, what: string): void {
  expect(answer.status, `${what}: ${answer.status} ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  expectDocumented(answer, "POST", route);
  if (answer.status >= 400) {
    const error = expectJsonError(answer);
    if (error.code === "validation_failed") {
      expect(error.issues?.length, answer.text).toBeGreaterThan(0);
      for (const issue of error.issues ?? []) {
        expect(issue.path).toBeTypeOf("string");
        expect(issue.message).toBeTypeOf("string");
      }
    }
  }
}

/** Nothing stored under this type/id (GET /v1/records/{type}/{id} is 404). */
async function expectNotStored(type: unknown, id: unknown, what: string): Promise<void> {
  if (typeof type !== "string" || typeof id !== "string" || !/^[A-Za-z0-9._:-]{1,128}$/.test(id)) return;
  const answer = await e2e.api.record(type, id);
  expect(answer.status, `${what}: ${type}/${id} must not be stored`).toBe(404);
}

// ── malformed bodies (correctly signed) ──────────────────────────────────────────────────────────

const REQUIRED_TOP = ["type", "id", "revision", "occurredAt", "source", "data"] as const;

/** A JSON value of another kind than `value`, so a required field gets the wrong type. */
function otherKind(value: unknown): fc.Arbitrary<unknown> {
  const kinds: fc.Arbitrary<unknown>[] = [];
  if (typeof value !== "string") kinds.push(fc.string({ maxLength: 8 }));
  if (typeof value !== "number")
    kinds.push(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })));
  if (typeof value !== "boolean") kinds.push(fc.boolean());
  if (!Array.isArray(value)) kinds.push(fc.array(fc.integer(), { maxLength: 2 }));
  if (typeof value !== "object" || value === null || Array.isArray(value))
    kinds.push(fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }));
  kinds.push(fc.constant(null));
  return fc.oneof(...kinds);
}

/** A valid record made invalid in one way, and the id it carries (to check nothing was stored). */
const mutatedRecord: fc.Arbitrary<{ body: string; type: unknown; id: unknown; how: string }> = validRecord(
  "BAD",
).chain((record) => {
  const data = record.data as Json;
  const withTop = (key: string, value: unknown) => ({ ...record, [key]: value });
  const withData = (key: string, value: unknown) => ({ ...record, data: { ...data, [key]: value } });
  const unknownKey = (taken: Json) =>
    fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in taken) && k !== "__proto__");
  const options: fc.Arbitrary<{ value: Json; how: string }>[] = [
    // an unknown field, at the top or in data
    fc
      .tuple(unknownKey(record), fc.jsonValue({ maxDepth: 2 }))
      .map(([k, v]) => ({ value: withTop(k, v), how: `unknown field ${JSON.stringify(k)}` })),
    fc
      .tuple(unknownKey(data), fc.jsonValue({ maxDepth: 2 }))
      .map(([k, v]) => ({ value: withData(k, v), how: `unknown field data.${JSON.stringify(k)}` })),
    // a required field with a value of the wrong kind
    fc
      .constantFrom(...REQUIRED_TOP)
      .chain((k) =>
        otherKind(record[k]).map((v) => ({ value: withTop(k, v), how: `${k} = ${JSON.stringify(v)}` })),
      ),
    fc
      .constantFrom("department", ...Object.keys(data).filter((k) => data[k] !== null && k !== "department"))
      .filter((k) =>
        [
          "department",
          "status",
          "approvals",
          "items",
          "clauses",
          "escalations",
          "action",
          "actor",
          "customer",
          "amount",
          "encrypted",
          "channel",
          "category",
        ].includes(k),
      )
      .chain((k) =>
        otherKind(data[k]).map((v) => ({ value: withData(k, v), how: `data.${k} = ${JSON.stringify(v)}` })),
      ),
    // a required field missing
    fc.constantFrom(...REQUIRED_TOP).map((k) => {
      const { [k]: _, ...rest } = record;
      return { value: rest as Json, how: `no ${k}` };
    }),
    fc.constant({ value: withData("department", undefined), how: "no data.department" }),
    // out-of-range values
    fc
      .constantFrom(0, -1, 1.5, -0.5)
      .map((revision) => ({ value: withTop("revision", revision), how: `revision ${revision}` })),
    fc
      .constantFrom("", "a b", "a/b", "x".repeat(129), "ümlaut", "2026-03-01")
      .filter((id) => !/^[A-Za-z0-9._:-]{1,128}$/.test(id))
      .map((id) => ({ value: withTop("id", id), how: `id ${JSON.stringify(id)}` })),
    fc
      .constantFrom("2026-03-01", "2026-03-01T08:00:00", "yesterday", "2026-13-01T00:00:00Z", "")
      .map((at) => ({ value: withTop("occurredAt", at), how: `occurredAt ${JSON.stringify(at)}` })),
    fc
      .constantFrom("invoice", "EXPENSE", "")
      .map((type) => ({ value: withTop("type", type), how: `type ${type}` })),
  ];
  return fc.oneof(...options).map(({ value, how }) => ({
    body: JSON.stringify(value),
    type: record.type,
    id: record.id,
    how,
  }));
});

/** Bodies that are not a record at all. */
const garbageBody: fc.Arbitrary<{ body: string; type: unknown; id: unknown; how: string }> = fc
  .oneof(
    fc.json({ maxDepth: 3 }).map((body) => ({ body, how: "random JSON" })),
    fc.string({ maxLength: 200 }).map((body) => ({ body, how: "random text" })),
    fc.string({ unit: "binary", maxLength: 100 }).map((body) => ({ body, how: "random unicode text" })),
    fc
      .constantFrom("", " ", "\n", "{", "}", "[", "null", "true", "0", '""', "{}", "[]", '{"type":"expense"}')
      .map((body) => ({
        body,
        how: "tiny body",
      })),
    validRecord("TRUNC").chain((record) => {
      const text = JSON.stringify(record);
      return fc.integer({ min: 0, max: text.length - 1 }).map((n) => ({
        body: text.slice(0, n),
        type: record.type,
        id: record.id,
        how: `record truncated to ${n} of ${text.length} characters`,
      }));
    }),
    validRecord("ARR").map((record) => ({
      body: JSON.stringify([record]),
      type: record.type,
      id: record.id,
      how: "record in an array",
    })),
    validRecord("DUPKEY").map((record) => ({
      // the same key twice: whichever one a parser keeps, the other makes it not this record
      body: JSON.stringify(record).replace(/}$/, `,"type":"not-a-type"}`),
      type: record.type,
      id: record.id,
      how: "duplicated key",
    })),
  )
  .map((g) => ({ type: undefined, id: undefined, ...g }));

describe("malformed bodies, correctly signed", () => {
  it("POST /v1/records: random bodies are refused 400 with a JSON error, storing nothing", async () => {
    await fc.assert(
      fc.asyncProperty(garbageBody, async ({ body, type, id, how }) => {
        const answer = await e2e.api.post<ErrorJson>("/v1/records", body);
        expectSafe(answer, "/v1/records", how);
        expect(answer.status, `${how}: ${JSON.stringify(body).slice(0, 200)}`).toBe(400);
        await expectNotStored(type, id, how);
      }),
      { numRuns: RUNS.garbage },
    );
  });

  it("POST /v1/records: records with unknown fields, wrong types, missing or out-of-range values are refused 400", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedRecord, async ({ body, type, id, how }) => {
        const answer = await e2e.api.post<ErrorJson>("/v1/records", body);
        expectSafe(answer, "/v1/records", how);
        expect(answer.status, `${how}: ${answer.text.slice(0, 300)}`).toBe(400);
        expect(answer.body.error.code).toBe("validation_failed");
        await expectNotStored(type, id, how);
      }),
      { numRuns: RUNS.mutated },
    );
  });

  it("POST /v1/evaluate: malformed bodies are refused 400, and a dry run never stores", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(garbageBody, mutatedRecord), async ({ body, type, id, how }) => {
        const answer = await e2e.api.post<ErrorJson>("/v1/evaluate", body);
        expectSafe(answer, "/v1/evaluate", how);
        expect(answer.status, how).toBe(400);
        await expectNotStored(type, id, how);
      }),
      { numRuns: RUNS.evaluate },
    );
  });

  it("random bytes signed over exactly those bytes are refused as a bad body (400), not as a bad signature", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.constantFrom(...ROUTES),
        async (bytes, route) => {
          const answer = await e2e.api.post<ErrorJson>(route, bytes);
          expectSafe(answer, route, `bytes ${Buffer.from(bytes).toString("hex")}`);
          // the signature covers the raw body (CONTRACT §2): it is right, the body is not a record
          expect(answer.status, `${route} bytes ${Buffer.from(bytes).toString("hex")}: ${answer.text}`).toBe(
            400,
          );
        },
      ),
      { numRuns: RUNS.bytes },
    );
  });
});

// ── malformed signatures and headers (valid records) ─────────────────────────────────────────────

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x21-\\x7e]{1,${max}}$`));
const hex = (min: number, max: number) =>
  fc.array(fc.constantFrom(..."0123456789abcdef"), { minLength: min, maxLength: max }).map((a) => a.join(""));

interface HeaderCase {
  readonly how: string;
  /** Headers for a body, given the signing time (unix seconds). */
  readonly headers: (body: string, now: number) => Record<string, string>;
}

const base = (client: string, sig: string | undefined): Record<string, string> => ({
  "content-type": "application/json",
  "x-client-id": client,
  ...(sig === undefined ? {} : { "x-signature": sig }),
});

const badHeaders: fc.Arbitrary<HeaderCase> = fc.oneof(
  fc.constant<HeaderCase>({ how: "no X-Signature", headers: () => base("erp", undefined) }),
  fc.constant<HeaderCase>({
    how: "no X-Client-Id",
    headers: (body, now) => ({
      "content-type": "application/json",
      "x-signature": `t=${now},v1=${hmac(SECRETS.erp as string, now, body)}`,
    }),
  }),
  fc.constant<HeaderCase>({
    how: "no headers at all",
    headers: () => ({ "content-type": "application/json" }),
  }),
  fc.constant<HeaderCase>({ how: "empty X-Signature", headers: () => base("erp", "") }),
  printable(24)
    .filter((c) => !(c in SECRETS))
    .chain((client) =>
      printable(24).map<HeaderCase>((secret) => ({
        how: `unknown client ${client}`,
        headers: (body, now) => base(client, `t=${now},v1=${hmac(secret, now, body)}`),
      })),
    ),
  printable(24)
    .filter((s) => !Object.values(SECRETS).includes(s))
    .map<HeaderCase>((secret) => ({
      how: `wrong secret ${secret}`,
      headers: (body, now) => base("erp", `t=${now},v1=${hmac(secret, now, body)}`),
    })),
  fc.constant<HeaderCase>({
    how: "crm's signature presented as erp",
    headers: (body, now) => base("erp", `t=${now},v1=${hmac(SECRETS.crm as string, now, body)}`),
  }),
  fc.constant<HeaderCase>({
    how: "a valid signature over a different body",
    headers: (body, now) => base("erp", `t=${now},v1=${hmac(SECRETS.erp as string, now, `${body} `)}`),
  }),
  fc
    .oneof(fc.integer({ min: 301, max: 10_000_000 }), fc.integer({ min: -10_000_000, max: -301 }))
    .map<HeaderCase>((skew) => ({
      how: `timestamp ${skew} s off`,
      headers: (body, now) =>
        base("erp", `t=${now + skew},v1=${hmac(SECRETS.erp as string, now + skew, body)}`),
    })),
  fc.constant<HeaderCase>({
    how: "timestamp in milliseconds",
    headers: (body, now) =>
      base("erp", `t=${now * 1000},v1=${hmac(SECRETS.erp as string, now * 1000, body)}`),
  }),
  fc.constant<HeaderCase>({
    how: "no t=",
    headers: (body, now) => base("erp", `v1=${hmac(SECRETS.erp as string, now, body)}`),
  }),
  fc.constantFrom("abc", "", "-1", "1e9", " ").map<HeaderCase>((t) => ({
    how: `t=${JSON.stringify(t)}`,
    headers: (body) => base("erp", `t=${t},v1=${hmac(SECRETS.erp as string, t, body)}`),
  })),
  fc.constant<HeaderCase>({ how: "no v1=", headers: (_body, now) => base("erp", `t=${now}`) }),
  fc.oneof(hex(0, 63), hex(65, 80)).map<HeaderCase>((v1) => ({
    how: `v1 of ${v1.length} hex digits`,
    headers: (_b, now) => base("erp", `t=${now},v1=${v1}`),
  })),
  fc.integer({ min: 0, max: 63 }).map<HeaderCase>((i) => ({
    how: `one hex digit of the right v1 changed (at ${i})`,
    headers: (body, now) => {
      const right = hmac(SECRETS.erp as string, now, body);
      const flipped =
        right.slice(0, i) +
        ((Number.parseInt(right[i] as string, 16) + 1) % 16).toString(16) +
        right.slice(i + 1);
      return base("erp", `t=${now},v1=${flipped}`);
    },
  })),
  fc.constant<HeaderCase>({
    how: "v1 not hex",
    headers: (_body, now) => base("erp", `t=${now},v1=${"g".repeat(64)}`),
  }),
  fc.constant<HeaderCase>({
    how: "v0 instead of v1",
    headers: (body, now) => base("erp", `t=${now},v0=${hmac(SECRETS.erp as string, now, body)}`),
  }),
  fc.array(hex(64, 64), { minLength: 2, maxLength: 3 }).map<HeaderCase>((wrong) => ({
    how: "several wrong v1 entries",
    headers: (_body, now) => base("erp", `t=${now},${wrong.map((v) => `v1=${v}`).join(",")}`),
  })),
  printable(120).map<HeaderCase>((garbage) => ({
    how: `X-Signature ${garbage}`,
    headers: () => base("erp", garbage),
  })),
  fc.constant<HeaderCase>({
    how: "the signature in Authorization",
    headers: (body, now) => ({
      "content-type": "application/json",
      "x-client-id": "erp",
      authorization: `t=${now},v1=${hmac(SECRETS.erp as string, now, body)}`,
    }),
  }),
);

describe("malformed or missing signatures on valid records", () => {
  it("are refused 401 with a JSON error on both routes, storing nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        validRecord("SIG"),
        badHeaders,
        fc.constantFrom(...ROUTES),
        async (record, bad, route) => {
          const body = JSON.stringify(record);
          const now = Math.floor(Date.now() / 1000);
          const answer = await e2e.api.request<ErrorJson>("POST", route, {
            headers: bad.headers(body, now),
            body,
          });
          expectSafe(answer, route, bad.how);
          expect(answer.status, `${route} ${bad.how}: ${answer.text}`).toBe(401);
          expect(answer.body.error.code).toBe("unauthorized");
          await expectNotStored(record.type, record.id, bad.how);
        },
      ),
      { numRuns: RUNS.signatures },
    );
  });
});

// ── valid records ─────────────────────────────────────────────────────────────────────────────

describe("valid signed records", () => {
  it("are evaluated by a dry run without being stored, then accepted (202) and stored", async () => {
    await fc.assert(
      fc.asyncProperty(validRecord("OK"), fc.constantFrom("erp", "crm"), async (record, client) => {
        const dry = await e2e.api.post("/v1/evaluate", record, { client });
        expectSafe(dry, "/v1/evaluate", "valid record");
        expect(dry.status, dry.text).toBe(200);
        await expectNotStored(record.type, record.id, "dry run");

        const answer = await e2e.api.post("/v1/records", record, { client });
        expectSafe(answer, "/v1/records", "valid record");
        expect(answer.status, answer.text).toBe(202);
        accepted.add(`${record.type}#${record.id}`);
        const stored = await e2e.api.record(record.type, record.id);
        expect(stored.status).toBe(200);
        expect(stored.body.revisions).toEqual([record.revision]);
      }),
      { numRuns: RUNS.valid },
    );
  });
});

// ── bodies around the 256 KiB limit ────────────────────────────────────────────────────────────

describe("bodies around the 256 KiB limit", () => {
  it("at most 256 KiB is judged on its content; over it is 413, whatever the content, storing nothing", async () => {
    const nearLimit = fc.record({
      record: validRecord("BIG"),
      delta: fc.integer({ min: -40, max: 40 }),
      char: fc.constantFrom("x", "é", "費", "😀"),
      valid: fc.boolean(),
      route: fc.constantFrom(...ROUTES),
    });
    await fc.assert(
      fc.asyncProperty(nearLimit, async ({ record, delta, char, valid, route }) => {
        const target = LIMIT + delta;
        // a valid record padded in source (a free-text field), or the same bytes as garbage
        // (strings hold at most 1,000 characters since CONTRACT 1.1: the rest is JSON whitespace)
        const withPad = (pad: string, spaces = 0) =>
          `${JSON.stringify({ ...record, source: pad })}${" ".repeat(spaces)}`;
        const unit = Buffer.byteLength(char);
        const room = target - Buffer.byteLength(withPad(""));
        const chars = Math.min(1000, Math.floor(room / unit));
        const body = valid
          ? withPad(char.repeat(chars), room - chars * unit)
          : `${char.repeat(Math.floor(target / unit))}${"x".repeat(target % unit)}`;
        const bytes = Buffer.byteLength(body);
        expect(bytes).toBe(target);
        const answer = await e2e.api.post(route, body);
        const what = `${bytes} bytes of ${valid ? "record" : "garbage"} (${char}) to ${route}`;
        expectSafe(answer, route, what);
        if (bytes > LIMIT) expect(answer.status, what).toBe(413);
        else if (!valid) expect(answer.status, what).toBe(400);
        else expect(answer.status, what).toBe(route === "/v1/records" ? 202 : 200);
        if (answer.status === 202) accepted.add(`${record.type}#${record.id}`);
        else await expectNotStored(record.type, record.id, what);
      }),
      { numRuns: RUNS.nearLimit },
    );
  });
});

// ── hardening: what the security review found (issue 11) ──────────────────────────────────────────

const ACCESS = (id: string, actor: string) => ({
  type: "access",
  id,
  revision: 1,
  occurredAt: "2026-03-01T08:00:00Z",
  source: "erp",
  data: {
    department: "sales",
    actor: { id: actor, roles: [] },
    resource: { kind: "customer-info", id: "R1" },
    action: "export",
    at: "2026-03-01T08:00:00Z",
    encrypted: false,
  },
});
const QUOTE = (id: string, item: Record<string, unknown> = {}) => quote(id, 1, item);

/** POST with a v2 signature over `signedPath` (default: the path sent). */
function postV2(
  path: string,
  body: string,
  opts: { client?: string; signedPath?: string; method?: string } = {},
) {
  const client = opts.client ?? "erp";
  const t = Math.floor(Date.now() / 1000);
  const sig = hmacV2(SECRETS[client] as string, t, opts.method ?? "POST", opts.signedPath ?? path, body);
  return e2e.api.request("POST", path, {
    headers: { "content-type": "application/json", "x-client-id": client, "x-signature": `t=${t},v2=${sig}` },
    body,
  });
}

async function violationsOf(recordId: string, count = 1): Promise<ViolationJson[]> {
  return waitFor(`violations of ${recordId}`, async () => {
    const found = await e2e.api.violations({ recordId });
    return found.length >= count ? found : undefined;
  });
}

describe("issue 11: records that answer 202 are storable and evaluated (items 2, 7, 8)", () => {
  it("the review's unstorable quote is a 400 naming each field, storing nothing", async () => {
    const record = QUOTE("HX-Q1", { listPrice: 1e-129, unitPrice: -9e15 });
    for (const route of ROUTES) {
      const answer = await e2e.api.post(route, record);
      expectSafe(answer, route, "1e-129 / -9e15");
      const error = expectJsonError(answer, "validation_failed");
      expect(answer.status).toBe(400);
      const paths = error.issues?.map((i) => i.path);
      expect(paths).toContain("data.items[0].listPrice");
      expect(paths).toContain("data.items[0].unitPrice");
    }
    await expectNotStored("quote", "HX-Q1", "unstorable quote");
  });

  it("1e16, integers above 2^53, 1e126 and 40-digit numbers are 400s naming the field", async () => {
    const raw = JSON.stringify(QUOTE("HX-Q2"));
    for (const literal of ["1e16", "9007199254740993", "1e126", "1234567890123456789012345678901234567890"]) {
      const body = raw.replace('"listPrice":100', `"listPrice":${literal}`);
      const answer = await e2e.api.post("/v1/records", body);
      expectSafe(answer, "/v1/records", literal);
      expect(answer.status, `${literal}: ${answer.text}`).toBe(400);
      expect(expectJsonError(answer).issues?.map((i) => i.path)).toContain("data.items[0].listPrice");
    }
    await expectNotStored("quote", "HX-Q2", "huge numbers");
  });

  it("a 205,000-character actor id is refused; at 1,000 characters a formula is stored, evaluated, clipped and neutralised in CSV", async () => {
    const huge = await e2e.api.post("/v1/records", ACCESS("HX-A1", "x".repeat(205_000)));
    expect(huge.status, huge.text.slice(0, 300)).toBe(400);
    await expectNotStored("access", "HX-A1", "205k actor");

    const formula = `=HYPERLINK("http://evil.example","x")${"y".repeat(1000 - 37)}`;
    const id = "-HX-A2"; // record ids may begin with "-" too
    const answer = await e2e.api.post("/v1/records", ACCESS(id, formula));
    expect(answer.status, answer.text).toBe(202);
    accepted.add(`access#${id}`);
    const violations = await violationsOf(id);
    for (const v of violations) expect(v.message.en.length).toBeLessThan(1000);
    expect(violations.some((v) => v.message.en.includes("…"))).toBe(true);

    const csv = await e2e.api.get("/v1/violations", { query: { recordId: id, format: "csv" } });
    expect(csv.status).toBe(200);
    const rows = parseCsv(csv.text);
    expect(rows.length).toBe(violations.length + 1);
    for (const row of rows.slice(1)) {
      for (const cell of row) expect(cell, `cell ${cell.slice(0, 40)}`).not.toMatch(/^[=+\-@\t\r]/);
      expect(row).toContain(`'${id}`);
    }
    // no valid record reaches the dead letters
    const letters = await readFile(join(dirname(e2e.platform.eventsFile), "dead-letter.jsonl"), "utf8").catch(
      () => "",
    );
    expect(letters).not.toContain("HX-A2");
  });
});

describe("issue 11: bounded error answers (item 5)", () => {
  it("87k empty approvals answer 400 with at most 100 issues, far under 6 MB", async () => {
    const record = {
      type: "expense",
      id: "HX-E1",
      revision: 1,
      occurredAt: "2026-03-01T08:00:00Z",
      source: "erp",
      data: { approvals: [] as unknown[] },
    };
    const body = JSON.stringify(record).replace('"approvals":[]', `"approvals":[${"{},".repeat(87_000)}{}]`);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(LIMIT);
    const answer = await e2e.api.post("/v1/records", body);
    expectSafe(answer, "/v1/records", "87k approvals");
    expect(answer.status).toBe(400);
    expect(answer.text.length).toBeLessThan(64 * 1024);
    expect(expectJsonError(answer).issues?.length).toBeLessThanOrEqual(100);

    const many = JSON.stringify({ ...record, data: { approvals: Array.from({ length: 1000 }, () => ({})) } });
    const capped = await e2e.api.post("/v1/records", many);
    const error = expectJsonError(capped, "validation_failed");
    expect(error.issues?.length).toBe(100);
    expect(error.message).toMatch(/\d{4,} issue\(s\); the first 100 are listed/);
    expect(capped.text.length).toBeLessThan(64 * 1024);
  });
});

describe("issue 11: caller mistakes on reads are 400s (item 8)", () => {
  it("from after to on the violation list", async () => {
    const answer = await e2e.api.get("/v1/violations", {
      query: { from: "2030-01-01T00:00:00Z", to: "2020-01-01T00:00:00Z" },
    });
    expect(answer.status, answer.text).toBe(400);
    expect(expectJsonError(answer).issues?.map((i) => i.path)).toContain("from");
  });

  it("an invalid Host header", async () => {
    const url = new URL(e2e.platform.url);
    const status = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: "/health", headers: { host: "bad host^" } },
        (res) => {
          let text = "";
          res.on("data", (c) => {
            text += c;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status.status, status.text).toBe(400);
    expect(JSON.parse(status.text).error.issues[0].path).toBe("Host");
  });
});

describe("issue 11: record ownership (item 3)", () => {
  it("another client's revision is 403 not_record_owner and stores nothing", async () => {
    const first = await e2e.api.post("/v1/records", ACCESS("HX-O1", "a.wu"), { client: "erp" });
    expect(first.status, first.text).toBe(202);
    accepted.add("access#HX-O1");
    const takeover = {
      ...ACCESS("HX-O1", "a.wu"),
      revision: 2 ** 53 - 1,
      data: { ...ACCESS("x", "a").data, encrypted: true },
    };
    for (const route of ["/v1/records"] as const) {
      const answer = await e2e.api.post(route, takeover, { client: "crm" });
      expectSafe(answer, route, "takeover");
      expect(answer.status, answer.text).toBe(403);
      expectJsonError(answer, "not_record_owner");
    }
    const stored = await e2e.api.record("access", "HX-O1");
    expect(stored.body.revisions).toEqual([1]);
    const next = await e2e.api.post(
      "/v1/records",
      { ...ACCESS("HX-O1", "a.wu"), revision: 2 },
      { client: "erp" },
    );
    expect(next.status, next.text).toBe(202);
  });
});

describe("issue 11: v2 signatures (item 4, issue 13)", () => {
  it("v2 covers method, path and query: a replay elsewhere or with another ?at= is 401; v1 still works", async () => {
    const body = JSON.stringify(QUOTE("HX-S1"));
    const ok = await postV2("/v1/evaluate?at=2026-03-02T00:00:00Z", body);
    expect(ok.status, ok.text).toBe(200);
    expect((ok.body as { evaluatedAt: string }).evaluatedAt).toBe("2026-03-02T00:00:00.000Z");

    const otherQuery = await postV2("/v1/evaluate?at=2027-01-01T00:00:00Z", body, {
      signedPath: "/v1/evaluate?at=2026-03-02T00:00:00Z",
    });
    expect(otherQuery.status).toBe(401);
    const otherRoute = await postV2("/v1/records", body, {
      signedPath: "/v1/evaluate?at=2026-03-02T00:00:00Z",
    });
    expect(otherRoute.status).toBe(401);
    expectJsonError(otherRoute, "unauthorized");
    await expectNotStored("quote", "HX-S1", "replayed v2");

    // a v1 entry beside a bad v2 cannot widen what was signed
    const t = Math.floor(Date.now() / 1000);
    const mixed = await e2e.api.post("/v1/records", body, {
      signature: `t=${t},v1=${hmac(SECRETS.erp as string, t, body)},v2=${"0".repeat(64)}`,
    });
    expect(mixed.status).toBe(401);

    const stored = await postV2("/v1/records", body);
    expect(stored.status, stored.text).toBe(202);
    accepted.add("quote#HX-S1");
    const v1 = await e2e.api.post("/v1/evaluate", body);
    expect(v1.status).toBe(200);
  });

  it("an unknown client id says the client is unknown", async () => {
    const answer = await e2e.api.post("/v1/evaluate", QUOTE("HX-S2"), { client: "nobody", secret: "x" });
    expect(answer.status).toBe(401);
    expect(expectJsonError(answer, "unauthorized").message).toMatch(/unknown client id "nobody"/);
  });
});

describe("issue 11: lenient input refused (item 11)", () => {
  it("duplicate keys are a 400 naming the key, storing nothing", async () => {
    const body = JSON.stringify(QUOTE("HX-D1")).replace('"revision":1', '"revision":1,"revision":2');
    const answer = await e2e.api.post("/v1/records", body);
    expectSafe(answer, "/v1/records", "duplicate key");
    expect(answer.status).toBe(400);
    expect(expectJsonError(answer, "duplicate_key").issues?.[0]?.path).toBe("revision");
    const nested = JSON.stringify(QUOTE("HX-D1")).replace('"sku":"S"', '"sku":"S","sku":"T"');
    const deep = await e2e.api.post("/v1/evaluate", nested);
    expect(expectJsonError(deep, "duplicate_key").issues?.[0]?.path).toBe("data.items[0].sku");
    await expectNotStored("quote", "HX-D1", "duplicate keys");
  });

  it("Content-Type: JSON types or none; anything else is 415", async () => {
    const body = JSON.stringify(QUOTE("HX-C1"));
    for (const type of [
      "text/plain",
      "application/xml",
      "application/x-www-form-urlencoded",
      "application/json; charset=latin1",
    ]) {
      const answer = await e2e.api.post("/v1/records", body, { headers: { "content-type": type } });
      expectSafe(answer, "/v1/records", type);
      expect(answer.status, type).toBe(415);
      expectJsonError(answer, "unsupported_media_type");
    }
    await expectNotStored("quote", "HX-C1", "415");
    for (const type of ["application/json; charset=utf-8", "application/vnd.compliance+json", undefined]) {
      // bytes, not a string: fetch would label a string text/plain by itself
      const answer = await e2e.api.post("/v1/evaluate", Buffer.from(body), {
        headers: { "content-type": type },
      });
      expect(answer.status, `${type}: ${answer.text}`).toBe(200);
    }
  });

  it("unknown query parameters are 400 on every route, __proto__ included", async () => {
    const body = JSON.stringify(QUOTE("HX-Q9"));
    const t = Math.floor(Date.now() / 1000);
    const signed = (path: string) =>
      e2e.api.request("POST", path, {
        headers: {
          "content-type": "application/json",
          "x-client-id": "erp",
          "x-signature": `t=${t},v1=${hmac(SECRETS.erp as string, t, body)}`,
        },
        body,
      });
    for (const path of ["/v1/records?__proto__=1", "/v1/records?dryRun=1", "/v1/evaluate?__proto__=1"]) {
      const answer = await signed(path);
      expect(answer.status, `${path}: ${answer.text}`).toBe(400);
    }
    await expectNotStored("quote", "HX-Q9", "query");
    for (const path of [
      "/health?x=1",
      "/v1/policies?__proto__=1",
      "/v1/violations?__proto__=1",
      "/v1/audit/verify?full=1",
    ]) {
      const answer = await e2e.api.get(path);
      expect(answer.status, `${path}: ${answer.text}`).toBe(400);
      expectJsonError(answer, "validation_failed");
    }
  });

  it("until on acknowledge is refused; a waiver is at most a year", async () => {
    const id = "HX-W1";
    expect((await e2e.api.post("/v1/records", ACCESS(id, "a.wu"))).status).toBe(202);
    accepted.add(`access#${id}`);
    const [violation] = await violationsOf(id);
    // signed in as one of the people it is assigned to (the contract's §6)
    const assignee = violation?.assignees[0]?.people[0] as string;
    const act = (action: string, payload: Record<string, unknown>) =>
      e2e.api.postAs(assignee, `/v1/violations/${violation?.id}/${action}`, {
        by: assignee,
        reason: "checked",
        ...payload,
      });
    const ack = await act("acknowledge", { until: "2099-01-01T00:00:00Z" });
    expect(ack.status, ack.text).toBe(400);
    expect(expectJsonError(ack).issues?.[0]?.path).toBe("until");
    const forever = await act("waive", { until: "9999-12-31T00:00:00Z" });
    expect(forever.status, forever.text).toBe(400);
    expect(expectJsonError(forever).message).toMatch(/at most 365 days/);
    const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const waived = await act("waive", { until: inAMonth });
    expect(waived.status, waived.text).toBe(200);
  });
});

describe("issue 11: settings that tighten ingest (items 3, 4)", () => {
  it("COMPLIANCE_REQUIRE_SIGNATURE_V2 refuses v1; COMPLIANCE_INGEST_RECORD_TYPES limits a client's types", async () => {
    const strict = await startE2ePlatform({
      tag: "fzs",
      env: { COMPLIANCE_REQUIRE_SIGNATURE_V2: "true", COMPLIANCE_INGEST_RECORD_TYPES: "crm=quote|complaint" },
    });
    try {
      const body = JSON.stringify(ACCESS("HX-T1", "a.wu"));
      const v1 = await strict.api.post("/v1/records", body);
      expect(v1.status).toBe(401);
      expect(expectJsonError(v1).message).toMatch(/v1 signatures are refused/);
      const t = Math.floor(Date.now() / 1000);
      const v2 = (client: string, payload: string) =>
        strict.api.request("POST", "/v1/records", {
          headers: {
            "content-type": "application/json",
            "x-client-id": client,
            "x-signature": `t=${t},v2=${hmacV2(SECRETS[client] as string, t, "POST", "/v1/records", payload)}`,
          },
          body: payload,
        });
      const refused = await v2("crm", body);
      expect(refused.status, refused.text).toBe(403);
      expectJsonError(refused, "record_type_not_allowed");
      expect((await strict.api.record("access", "HX-T1")).status).toBe(404);
      expect((await v2("erp", body)).status).toBe(202);
      expect((await v2("crm", JSON.stringify(QUOTE("HX-T2")))).status).toBe(202);
    } finally {
      await strict.close();
    }
  });
});

// ── the table itself ─────────────────────────────────────────────────────────────────────────────

describe("after all the fuzzing", () => {
  it("the records table holds exactly the accepted records, and the platform still answers", async () => {
    const { doc, dynamodb, streams } = createClients(sharedEndpoint());
    const stored = new Set<string>();
    try {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new ScanCommand({
            TableName: `${e2e.prefix}records`,
            ProjectionExpression: "pk, rev",
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) if ((item.rev as number) > 0) stored.add(item.pk as string);
        start = page.LastEvaluatedKey;
      } while (start);
    } finally {
      doc.destroy();
      dynamodb.destroy();
      streams.destroy();
    }
    expect(accepted.size).toBeGreaterThanOrEqual(RUNS.valid);
    expect([...stored].sort()).toEqual([...accepted].sort());
    const health = await e2e.api.request("GET", "/health");
    expect(health.status).toBe(200);
  });
});
