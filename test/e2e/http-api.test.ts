/**
 * The HTTP API of CONTRACT §2 end to end: one platform started as `npm start` starts it (on the
 * run's DynamoDB Local), spoken to only with fetch. Every route and every status code the contract
 * lists for it, each answer checked against the published OpenAPI document, errors always JSON.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { complaint, discountedQuote, expense, overBudget } from "../support/records.ts";
import {
  type Answer,
  AUDITOR_TOKEN,
  Clock,
  type E2ePlatform,
  type ErrorJson,
  type EvaluationJson,
  expectDocumented,
  expectJsonError,
  type IngestJson,
  OLD_CASE_HANDLER_TOKEN,
  type PolicyListJson,
  parseCsv,
  SECRETS,
  signature,
  startE2ePlatform,
  type ViolationJson,
  type ViolationListJson,
} from "./helpers.ts";

const POLICIES_DIR = fileURLToPath(new URL("../../policies/", import.meta.url));
const OPENAPI_FILE = new URL("../../schemas/openapi.json", import.meta.url);
const KIB = 1024;
const MINUTE = 60_000;

const clock = new Clock("2026-03-02T00:00:00Z");
let e2e: E2ePlatform;

beforeAll(async () => {
  e2e = await startE2ePlatform({ tag: "http", now: clock.now });
}, 120_000);
afterAll(async () => e2e?.close(), 60_000);

const api = () => e2e.api;

/** POST /v1/records, checked against the OpenAPI document. */
async function ingest(body: unknown, opts: Parameters<E2ePlatform["api"]["post"]>[2] = {}) {
  return expectDocumented(
    await api().post<IngestJson & ErrorJson>("/v1/records", body, opts),
    "POST",
    "/v1/records",
  );
}

async function evaluate(body: unknown, query = "", opts: Parameters<E2ePlatform["api"]["post"]>[2] = {}) {
  return expectDocumented(
    await api().post<EvaluationJson & ErrorJson>(`/v1/evaluate${query}`, body, opts),
    "POST",
    "/v1/evaluate",
  );
}

async function getRecord(type: string, id: string) {
  return expectDocumented(await api().record(type, id), "GET", "/v1/records/{type}/{id}");
}

/** Revisions stored for a record, [] when the platform answers 404. */
async function storedRevisions(type: string, id: string): Promise<number[]> {
  const answer = await getRecord(type, id);
  if (answer.status === 404) return [];
  expect(answer.status).toBe(200);
  return answer.body.revisions;
}

async function listViolations(query: Record<string, string>, headers?: Record<string, string>) {
  const answer = await api().get<ViolationListJson & ErrorJson>("/v1/violations", {
    query,
    ...(headers ? { headers: { authorization: `Bearer ${AUDITOR_TOKEN}`, ...headers } } : {}),
  });
  return expectDocumented(answer, "GET", "/v1/violations");
}

describe("GET /health and GET /openapi.json (anyone)", () => {
  it("GET /health answers 200 {status: ok} without credentials", async () => {
    const answer = expectDocumented(await api().request("GET", "/health"), "GET", "/health");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: "ok" });
  });

  it("GET /openapi.json serves the published document", async () => {
    const answer = expectDocumented(await api().request("GET", "/openapi.json"), "GET", "/openapi.json");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(JSON.parse(readFileSync(OPENAPI_FILE, "utf8")));
  });
});

describe("POST /v1/records", () => {
  it("202 stores a new revision: {key, revision, duplicate: false}", async () => {
    const answer = await ingest(expense("HR-1", 1));
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ key: "expense/HR-1", revision: 1, duplicate: false });
    const stored = await getRecord("expense", "HR-1");
    expect(stored.status).toBe(200);
    expect(stored.body.revisions).toEqual([1]);
    expect(stored.body.record).toMatchObject({ type: "expense", id: "HR-1", revision: 1 });
  });

  it("200 {duplicate: true} for the same type/id/revision and the same body again", async () => {
    expect((await ingest(expense("HR-2", 1))).status).toBe(202);
    const again = await ingest(expense("HR-2", 1));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ key: "expense/HR-2", revision: 1, duplicate: true });
    // the same record with other whitespace and key order is the same body
    const { data, ...envelope } = expense("HR-2", 1);
    const reformatted = JSON.stringify({ data, ...envelope }, null, 3);
    const third = await ingest(reformatted);
    expect(third.status).toBe(200);
    expect(third.body.duplicate).toBe(true);
    expect(await storedRevisions("expense", "HR-2")).toEqual([1]);
  });

  it("409 revision_conflict for the same revision with another body; the stored one is kept", async () => {
    expect((await ingest(expense("HR-3", 1))).status).toBe(202);
    const other = await ingest(expense("HR-3", 1, { amount: 4500 }));
    expect(other.status).toBe(409);
    expectJsonError(other, "revision_conflict");
    const stored = await getRecord("expense", "HR-3");
    expect(stored.body.revisions).toEqual([1]);
    expect(stored.body.record.data).toMatchObject({ amount: 3000 });
  });

  it("200 {stale: true} for an older revision than the stored one, which never overwrites", async () => {
    expect((await ingest(expense("HR-4", 3, { amount: 3300 }))).status).toBe(202);
    const older = await ingest(expense("HR-4", 2, { amount: 2200 }));
    expect(older.status).toBe(200);
    expect(older.body).toMatchObject({ key: "expense/HR-4", revision: 2, stale: true });
    expect(older.body.duplicate).not.toBe(true);
    const stored = await getRecord("expense", "HR-4");
    expect(stored.body.revisions).toEqual([3]);
    expect(stored.body.record).toMatchObject({ revision: 3, data: { amount: 3300 } });
    // a newer revision is stored and becomes the latest
    expect((await ingest(expense("HR-4", 4, { amount: 4400 }))).status).toBe(202);
    const latest = await getRecord("expense", "HR-4");
    expect(latest.body.revisions).toEqual([3, 4]);
    expect(latest.body.record).toMatchObject({ revision: 4, data: { amount: 4400 } });
  });

  it("concurrent deliveries of one revision: exactly one 202, the others 200 duplicate", async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => ingest(expense("HR-11", 1))));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
    for (const a of answers.filter((a) => a.status === 200)) expect(a.body.duplicate).toBe(true);
    expect(await storedRevisions("expense", "HR-11")).toEqual([1]);
  });

  it("stores timestamps given with an offset as UTC, and an optional null as absent", async () => {
    const record = expense("HR-5", 1, { submittedAt: null }, "2026-03-01T16:00:00+08:00");
    expect((await ingest(record)).status).toBe(202);
    const stored = await getRecord("expense", "HR-5");
    expect(stored.body.record.occurredAt).toBe("2026-03-01T08:00:00.000Z");
    expect(stored.body.record.data).not.toHaveProperty("submittedAt");
  });

  it("400 validation_failed with an issue naming every invalid field, storing nothing", async () => {
    const record = expense("HR-6", 1, {
      amount: -5,
      ammount: 12,
      currency: "rmb",
      approvals: [
        {
          step: "finance-review",
          approver: "fin.wang",
          role: "finance",
          decision: "maybe",
          at: "2026-03-01T09:00:00Z",
        },
      ],
    }) as Record<string, unknown>;
    const answer = await ingest({ ...record, revision: 0, occurredAt: "yesterday", extra: true });
    expect(answer.status).toBe(400);
    const error = expectJsonError(answer, "validation_failed");
    const paths = (error.issues ?? []).map((i) => i.path);
    for (const issue of error.issues ?? []) expect(issue.message.length).toBeGreaterThan(0);
    expect(paths).toEqual(
      expect.arrayContaining([
        "revision",
        "occurredAt",
        "extra",
        "data.amount",
        "data.ammount",
        "data.currency",
      ]),
    );
    expect(paths.some((p) => /^data\.approvals(\[0\]|\.0)\.decision$/.test(p))).toBe(true);
    expect(paths).toHaveLength(7);
    expect(await storedRevisions("expense", "HR-6")).toEqual([]);
  });

  it("400 for a missing required field, an unknown type and an id outside the contract's alphabet", async () => {
    const { data, ...noData } = expense("HR-7", 1);
    const missing = await ingest({ ...noData, data: { ...data, department: undefined } });
    expect(missing.status).toBe(400);
    expect(expectJsonError(missing, "validation_failed").issues?.map((i) => i.path)).toEqual([
      "data.department",
    ]);

    const unknownType = await ingest({ ...expense("HR-7", 1), type: "invoice" });
    expect(unknownType.status).toBe(400);
    expect(expectJsonError(unknownType, "validation_failed").issues?.map((i) => i.path)).toContain("type");

    for (const id of ["", "has space", "slash/in/id", "x".repeat(129), "中文"]) {
      const badId = await ingest(expense(id, 1));
      expect(badId.status, id).toBe(400);
      expect(expectJsonError(badId, "validation_failed").issues?.map((i) => i.path)).toEqual(["id"]);
    }
    // 128 characters of the whole alphabet is fine
    const longest = `A-z_0.9:${"x".repeat(120)}`;
    expect((await ingest(expense(longest, 1))).status).toBe(202);
    expect(await storedRevisions("expense", "HR-7")).toEqual([]);
  });

  it("400 for a body that is not JSON, or JSON that is not a record", async () => {
    for (const body of ["{not json", "", "[]", "null", '"expense"', "42"]) {
      const answer = await ingest(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expectJsonError(answer);
    }
  });

  it("401 for a missing, bad, unknown-client or expired (> 300 s) signature, storing nothing", async () => {
    const body = JSON.stringify(expense("HR-8", 1));
    const now = Math.floor(clock.now().getTime() / 1000);
    const refusals: [string, Parameters<E2ePlatform["api"]["post"]>[2]][] = [
      ["no X-Signature", { headers: { "x-signature": undefined } }],
      ["no X-Client-Id", { headers: { "x-client-id": undefined } }],
      ["neither header", { headers: { "x-signature": undefined, "x-client-id": undefined } }],
      ["signed with a wrong secret", { secret: "not-the-secret" }],
      ["signed by another client's secret", { client: "erp", secret: SECRETS.crm }],
      ["an unknown client", { client: "stranger", secret: "stranger-secret" }],
      ["timestamp 301 s in the past", { t: now - 301 }],
      ["timestamp 301 s in the future", { t: now + 301 }],
      ["timestamp a day old", { t: now - 86_400 }],
      ["no t=", { signature: `v1=${signature(SECRETS.erp as string, now, body).split("v1=")[1]}` }],
      ["no v1=", { signature: `t=${now}` }],
      ["v1 is not hex", { signature: `t=${now},v1=${"z".repeat(64)}` }],
      ["a signature over another body", { signedBody: JSON.stringify(expense("HR-8", 1, { amount: 1 })) }],
    ];
    for (const [what, opts] of refusals) {
      const answer = await ingest(body, opts);
      expect(answer.status, what).toBe(401);
      expectJsonError(answer, "unauthorized");
    }
    expect(await storedRevisions("expense", "HR-8")).toEqual([]);
    // within the 300 s tolerance, either side, it is accepted
    expect((await ingest(body, { t: now - 299 })).status).toBe(202);
    expect((await ingest(body, { t: now + 299 })).status).toBe(200);
    expect(await storedRevisions("expense", "HR-8")).toEqual([1]);
  });

  it("413 for a body over 256 KiB, storing nothing; exactly 256 KiB is accepted", async () => {
    /**
     * An expense whose body is at least `minBytes` long, padded with `char` (as few as needed): up
     * to 1,000 of them in a field (CONTRACT 1.1 bounds strings), then JSON whitespace.
     */
    const padded = (id: string, minBytes: number, char = "x") => {
      const base = Buffer.byteLength(JSON.stringify(expense(id, 1, { category: "" })));
      const unit = Buffer.byteLength(char);
      const count = Math.min(1000, Math.ceil((minBytes - base) / unit));
      const body = JSON.stringify(expense(id, 1, { category: char.repeat(count) }));
      return `${body}${" ".repeat(Math.max(0, minBytes - Buffer.byteLength(body)))}`;
    };
    const over = await ingest(padded("HR-9", 256 * KIB + 1));
    expect(over.status).toBe(413);
    expectJsonError(over);
    // the limit is on bytes: 3-byte characters make a body over the limit in fewer characters
    expect(Buffer.byteLength(padded("HR-9", 256 * KIB + 1))).toBe(256 * KIB + 1);
    const cjkBody = padded("HR-9", 256 * KIB + 1, "費");
    expect(cjkBody.length).toBeLessThan(256 * KIB);
    const cjk = await ingest(cjkBody);
    expect(cjk.status).toBe(413);
    expect(await storedRevisions("expense", "HR-9")).toEqual([]);
    expect(Buffer.byteLength(padded("HR-10", 256 * KIB))).toBe(256 * KIB);
    const exact = await ingest(padded("HR-10", 256 * KIB));
    expect(exact.status).toBe(202);
    expect(await storedRevisions("expense", "HR-10")).toEqual([1]);
  });

  it("413 for a body far over the limit (2 MiB), and the server keeps answering the next requests", async () => {
    const huge = "x".repeat(2 * 1024 * KIB);
    const refused = await ingest(huge);
    expect(refused.status).toBe(413);
    expectJsonError(refused);
    // a refusal must not break the client's (kept-alive) connection for the requests that follow
    const after: (number | string)[] = [];
    for (let i = 0; i < 4; i++) {
      after.push(
        await api()
          .request("GET", "/health")
          .then(
            (a) => a.status,
            (error: Error & { cause?: Error }) => `${error.message}: ${error.cause?.message ?? ""}`,
          ),
      );
    }
    expect(after).toEqual([200, 200, 200, 200]);
  });
});

describe("POST /v1/evaluate (dry run)", () => {
  it("200 {evaluatedAt, policies, violations} and stores nothing", async () => {
    const answer = await evaluate(overBudget("HE-1", 1));
    expect(answer.status).toBe(200);
    expect(answer.body.evaluatedAt).toBe(clock.iso());
    expect(answer.body.policies).toEqual([{ id: "expense-approval", version: 1 }]);
    expect(answer.body.violations.map((v) => v.ruleId)).toEqual(["over-budget"]);
    expect(answer.body.violations[0]).toMatchObject({
      policyId: "expense-approval",
      policyVersion: 1,
      area: "approval-limits",
      record: { type: "expense", id: "HE-1", revision: 1 },
      status: "open",
      detectedAt: clock.iso(),
      resolvedAt: null,
      evidence: { amount: 12000, "budget.remaining": 8000 },
      assignees: [
        { role: "finance", people: ["fin.wang", "fin.zhao"] },
        { role: "marketing-director", people: ["md.li"] },
      ],
    });
    expect((await getRecord("expense", "HE-1")).status).toBe(404);
    // and evaluation never leaves a violation behind either
    expect((await listViolations({ recordId: "HE-1" })).body.items).toEqual([]);
  });

  it("?at sets the evaluation time (offsets normalised to UTC); deadlines are judged at it", async () => {
    // received 2026-03-01T08:00Z, no first response: "within 24 h" includes exactly 24 h
    const silent = complaint("HE-2", 1);
    const at = async (iso: string) => {
      const answer = await evaluate(silent, `?at=${encodeURIComponent(iso)}`);
      expect(answer.status).toBe(200);
      return answer.body;
    };
    const onTime = await at("2026-03-02T16:00:00+08:00");
    expect(onTime.evaluatedAt).toBe("2026-03-02T08:00:00.000Z");
    expect(onTime.policies).toEqual([{ id: "complaint-response", version: 1 }]);
    expect(onTime.violations.map((v) => v.ruleId)).toEqual([]);
    const late = await at("2026-03-02T08:00:01Z");
    expect(late.evaluatedAt).toBe("2026-03-02T08:00:01.000Z");
    expect(late.violations.map((v) => v.ruleId)).toEqual(["first-response"]);
    expect(late.violations[0]?.detectedAt).toBe("2026-03-02T08:00:01.000Z");
    expect((await getRecord("complaint", "HE-2")).status).toBe(404);
  });

  it("400 for an invalid record, an invalid ?at or an unknown query parameter", async () => {
    const invalid = await evaluate({ type: "expense", id: "HE-3" });
    expect(invalid.status).toBe(400);
    const issues = expectJsonError(invalid, "validation_failed").issues?.map((i) => i.path) ?? [];
    expect(issues).toEqual(expect.arrayContaining(["revision", "occurredAt", "source", "data"]));

    const badAt = await evaluate(expense("HE-3", 1), "?at=soon");
    expect(badAt.status).toBe(400);
    expect(expectJsonError(badAt, "validation_failed").issues?.map((i) => i.path)).toEqual(["at"]);

    const noOffset = await evaluate(expense("HE-3", 1), "?at=2026-03-02T08:00:00");
    expect(noOffset.status).toBe(400);

    const typo = await evaluate(expense("HE-3", 1), "?att=2026-03-02T08:00:00Z");
    expect(typo.status).toBe(400);
    expect(expectJsonError(typo).issues?.map((i) => i.path)).toEqual(["att"]);

    const notJson = await evaluate("{");
    expect(notJson.status).toBe(400);
    expectJsonError(notJson);
    expect((await getRecord("expense", "HE-3")).status).toBe(404);
  });

  it("401 without a valid signature", async () => {
    const body = JSON.stringify(overBudget("HE-4", 1));
    const now = Math.floor(clock.now().getTime() / 1000);
    for (const opts of [
      { headers: { "x-signature": undefined, "x-client-id": undefined } },
      { secret: "wrong" },
      { client: "stranger" },
      { t: now - 301 },
    ] as Parameters<E2ePlatform["api"]["post"]>[2][]) {
      const answer = await evaluate(body, "", opts);
      expect(answer.status, JSON.stringify(opts)).toBe(401);
      expectJsonError(answer, "unauthorized");
    }
  });

  it("413 for a body over 256 KiB", async () => {
    const answer = await evaluate(expense("HE-5", 1, { category: "x".repeat(256 * KIB) }));
    expect(answer.status).toBe(413);
    expectJsonError(answer);
  });
});

describe("GET /v1/violations, /v1/violations/{id} and /v1/records/{type}/{id} (auditor)", () => {
  /** detectedAt of each fixture record's violations (the platform clock when it was evaluated). */
  const detected = new Map<string, string>();

  async function store(record: { type: string; id: string; revision: number; [field: string]: unknown }) {
    clock.advance(MINUTE);
    const answer = await ingest(record);
    expect(answer.status, answer.text).toBe(202);
    await e2e.platform.drained();
    detected.set(`${record.id}@${record.revision}`, clock.iso());
  }

  beforeAll(async () => {
    for (let i = 1; i <= 6; i++) await store(overBudget(`HV-${i}`, 1, 10000 + i)); // over-budget
    await store(expense("HV-7", 1, { attachments: 0, amount: 100, department: "sales" })); // supporting-documents
    await store(complaint("HV-8", 1, { content: " " })); // record-completeness
    await store(discountedQuote("HV-9", 1, "2026-03-01T08:00:00Z")); // discount-authority (12 % > 10 %)
    // reimbursed without finance review or receipts, over budget: three violations of one record
    await store(
      expense("HV-10", 1, {
        status: "reimbursed",
        attachments: 0,
        amount: 9000,
        approvals: [
          {
            step: "department-review",
            approver: "dh.lin",
            role: "department-head",
            decision: "approved",
            at: "2026-03-01T09:00:00Z",
          },
        ],
      }),
    );
    await store(expense("HV-1", 2)); // within budget now: HV-1's over-budget is resolved
  }, 120_000);

  it("200 lists every violation oldest first with its history; nextCursor null on the last page", async () => {
    const answer = await listViolations({ limit: "500" });
    expect(answer.status).toBe(200);
    const items = answer.body.items;
    expect(answer.body.nextCursor).toBeNull();
    expect(items.map((v) => `${v.record.id}:${v.ruleId}:${v.status}`)).toEqual(
      expect.arrayContaining([
        "HV-1:over-budget:resolved",
        "HV-2:over-budget:open",
        "HV-7:supporting-documents:open",
        "HV-8:record-completeness:open",
        "HV-9:discount-authority:open",
      ]),
    );
    const order = items.map((v) => [v.detectedAt, v.id].join(" "));
    expect(order).toEqual([...order].sort());
    expect(new Set(items.map((v) => v.id)).size).toBe(items.length);
    const resolved = items.find((v) => v.record.id === "HV-1") as ViolationJson;
    expect(resolved).toMatchObject({
      status: "resolved",
      resolvedAt: detected.get("HV-1@2"),
      record: { revision: 2 },
    });
    expect(resolved.history.map((h) => [h.status, h.by])).toEqual([
      ["open", "system"],
      ["resolved", "system"],
    ]);
    expect(items.find((v) => v.record.id === "HV-2")?.detectedAt).toBe(detected.get("HV-2@1"));
  });

  it("filters by status, area, policyId, ruleId, recordType, recordId, assigneeRole, from and to", async () => {
    const all = (await listViolations({ limit: "500" })).body.items;
    const times = [...detected.values()].sort();
    const from = times[2] as string;
    const to = times[5] as string;
    const filters: [Record<string, string>, (v: ViolationJson) => boolean][] = [
      [{ status: "open" }, (v) => v.status === "open"],
      [{ status: "resolved" }, (v) => v.status === "resolved"],
      [{ area: "complaint-response" }, (v) => v.area === "complaint-response"],
      [{ policyId: "quote-approval" }, (v) => v.policyId === "quote-approval"],
      [{ ruleId: "supporting-documents" }, (v) => v.ruleId === "supporting-documents"],
      [{ recordType: "complaint" }, (v) => v.record.type === "complaint"],
      [{ recordId: "HV-3" }, (v) => v.record.id === "HV-3"],
      [{ recordType: "expense", recordId: "HV-7" }, (v) => v.record.id === "HV-7"],
      [{ assigneeRole: "sales-manager" }, (v) => v.assignees.some((a) => a.role === "sales-manager")],
      [{ assigneeRole: "department-head" }, (v) => v.assignees.some((a) => a.role === "department-head")],
      [{ from }, (v) => v.detectedAt >= from],
      [{ to }, (v) => v.detectedAt <= to],
      [{ from, to }, (v) => v.detectedAt >= from && v.detectedAt <= to],
      [
        { status: "open", policyId: "expense-approval", assigneeRole: "marketing-director", from },
        (v) =>
          v.status === "open" &&
          v.policyId === "expense-approval" &&
          v.assignees.some((a) => a.role === "marketing-director") &&
          v.detectedAt >= from,
      ],
    ];
    for (const [query, wanted] of filters) {
      const expected = all.filter(wanted).map((v) => v.id);
      expect(expected.length, JSON.stringify(query)).toBeGreaterThan(0);
      expect(expected.length, JSON.stringify(query)).toBeLessThan(all.length);
      const answer = await listViolations({ ...query, limit: "500" });
      expect(answer.status, JSON.stringify(query)).toBe(200);
      expect(
        answer.body.items.map((v) => v.id),
        JSON.stringify(query),
      ).toEqual(expected);
    }
    // from/to with an offset mean the same instants as in UTC
    const plus8 = (iso: string) =>
      new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, ".000+08:00");
    const utc = await listViolations({ from, to, limit: "500" });
    const offset = await listViolations({ from: plus8(from), to: plus8(to), limit: "500" });
    expect(offset.status).toBe(200);
    expect(offset.body.items.map((v) => v.id)).toEqual(utc.body.items.map((v) => v.id));
    // a filter that matches nothing is an empty page, not an error
    const none = await listViolations({ recordId: "NO-SUCH-RECORD" });
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ items: [], nextCursor: null });
  });

  it("pages with limit and cursor: every violation exactly once, in order", async () => {
    const all = (await listViolations({ limit: "500" })).body.items.map((v) => v.id);
    const hv10 = (await listViolations({ recordId: "HV-10" })).body.items.map((v) => v.ruleId).sort();
    expect(hv10).toEqual(["approval-chain", "over-budget", "supporting-documents"]);
    for (const query of [
      {},
      { status: "open" },
      { recordType: "expense" },
      { recordId: "HV-1" },
      { recordId: "HV-10" },
    ] as Record<string, string>[]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Answer<ViolationListJson & ErrorJson> = await listViolations({
          ...query,
          limit: "2",
          ...(cursor ? { cursor } : {}),
        });
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((v) => v.id));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor && pages < 50);
      const unpaged = (await listViolations({ ...query, limit: "500" })).body.items.map((v) => v.id);
      expect(seen, JSON.stringify(query)).toEqual(unpaged);
      if (Object.keys(query).length === 0) {
        expect(seen).toEqual(all);
        expect(pages).toBeGreaterThanOrEqual(Math.ceil(all.length / 2));
      }
    }
    // default limit is 100: one page holds them all here
    const byDefault = await listViolations({});
    expect(byDefault.body.items.map((v) => v.id)).toEqual(all);
  });

  it("400 for a limit outside 1–500, an unknown filter, an invalid value or a tampered cursor", async () => {
    for (const query of [
      { limit: "0" },
      { limit: "501" },
      { limit: "ten" },
      { status: "closed" },
      { recordType: "invoice" },
      { from: "last week" },
      { stauts: "open" },
      { format: "xml" },
    ] as Record<string, string>[]) {
      const answer = await listViolations(query);
      expect(answer.status, JSON.stringify(query)).toBe(400);
      expect(expectJsonError(answer).issues?.map((i) => i.path)).toEqual(Object.keys(query));
    }
    const first = await listViolations({ limit: "1" });
    const cursor = first.body.nextCursor as string;
    expect(cursor).toBeTypeOf("string");
    for (const bad of [`${cursor}x`, cursor.replace(/^./, (c) => (c === "A" ? "B" : "A")), "garbage"]) {
      const answer = await listViolations({ limit: "1", cursor: bad });
      expect(answer.status).toBe(400);
      expectJsonError(answer);
    }
    // a cursor belongs to its query
    const elsewhere = await listViolations({ limit: "1", status: "resolved", cursor });
    expect(elsewhere.status).toBe(400);
    expectJsonError(elsewhere);
  });

  it("CSV (RFC 4180, header row, one row per violation) by format=csv or Accept: text/csv, for the same query", async () => {
    const query = { status: "open", recordType: "expense" };
    const json = (await listViolations({ ...query, limit: "500" })).body.items;
    expect(json.length).toBeGreaterThan(1);
    const byFormat = await listViolations({ ...query, format: "csv" });
    const byAccept = await listViolations(query, { accept: "text/csv" });
    for (const answer of [byFormat, byAccept]) {
      expect(answer.status).toBe(200);
      expect(answer.contentType).toMatch(/^text\/csv/);
      const rows = parseCsv(answer.text);
      const header = rows[0] as string[];
      expect(header.slice(0, 4)).toEqual(["id", "policyId", "policyVersion", "ruleId"]);
      expect(rows.slice(1)).toHaveLength(json.length);
      for (const row of rows.slice(1)) expect(row).toHaveLength(header.length);
      const column = (name: string) => rows.slice(1).map((r) => r[header.indexOf(name)]);
      expect(column("id")).toEqual(json.map((v) => v.id));
      expect(column("ruleId")).toEqual(json.map((v) => v.ruleId));
      expect(column("status")).toEqual(json.map((v) => v.status));
      expect(column("messageEn")).toEqual(json.map((v) => v.message.en));
      expect(column("messageZh")).toEqual(json.map((v) => v.message.zh));
      expect(column("evidence").map((e) => JSON.parse(e ?? ""))).toEqual(json.map((v) => v.evidence));
    }
    expect(byAccept.text).toBe(byFormat.text);
    // a query nothing matches is the header row alone
    const empty = await listViolations({ recordId: "NO-SUCH-RECORD", format: "csv" });
    expect(empty.status).toBe(200);
    expect(parseCsv(empty.text)).toHaveLength(1);
    // format=json wins over Accept
    const explicit = await listViolations({ ...query, format: "json" }, { accept: "text/csv" });
    expect(explicit.contentType).toMatch(/^application\/json/);
  });

  it("GET /v1/violations/{id}: 200 the violation with its history; 404 for an unknown id", async () => {
    const listed = (await listViolations({ recordId: "HV-1" })).body.items;
    expect(listed).toHaveLength(1);
    const one = listed[0] as ViolationJson;
    const answer = expectDocumented(
      await api().get<ViolationJson & ErrorJson>(`/v1/violations/${one.id}`),
      "GET",
      "/v1/violations/{id}",
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(one);
    expect(answer.body.history).toEqual([
      expect.objectContaining({ status: "open", at: detected.get("HV-1@1"), by: "system" }),
      expect.objectContaining({ status: "resolved", at: detected.get("HV-1@2"), by: "system" }),
    ]);
    for (const id of ["0".repeat(32), "not-a-violation", one.id.toUpperCase(), `${one.id}0`]) {
      const missing = expectDocumented(await api().get(`/v1/violations/${id}`), "GET", "/v1/violations/{id}");
      expect(missing.status, id).toBe(404);
      expectJsonError(missing, "not_found");
    }
  });

  it("GET /v1/records/{type}/{id}: 200 the latest envelope and every revision; 404 otherwise", async () => {
    const answer = await getRecord("expense", "HV-1");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      record: {
        ...expense("HV-1", 2),
        occurredAt: "2026-03-01T08:00:00.000Z",
        data: { ...expense("HV-1", 2).data, submittedAt: "2026-03-01T08:00:00.000Z" },
      },
      revisions: [1, 2],
    });
    for (const [type, id] of [
      ["expense", "NO-SUCH-RECORD"],
      ["quote", "HV-1"],
      ["invoice", "HV-1"],
    ] as const) {
      const missing = await getRecord(type, id);
      expect(missing.status, `${type}/${id}`).toBe(404);
      expectJsonError(missing, "not_found");
    }
  });
});

describe("a deadline that passes with no new record (CATALOGUE complaint-response)", () => {
  it("opens its violation at the next sweep, and not a moment before (within 24 h includes 24 h)", async () => {
    // received 2026-03-01T08:00Z, assigned in time, no first response yet
    clock.set("2026-03-02T01:00:00Z");
    expect((await ingest(complaint("HD-1", 1))).status).toBe(202);
    await e2e.platform.drained();
    expect((await listViolations({ recordId: "HD-1" })).body.items).toEqual([]);

    clock.set("2026-03-02T08:00:00Z"); // exactly 24 h: still in time
    await e2e.platform.sweepNow();
    expect((await listViolations({ recordId: "HD-1" })).body.items).toEqual([]);

    clock.set("2026-03-02T08:00:00.001Z");
    await e2e.platform.sweepNow();
    const opened = (await listViolations({ recordId: "HD-1" })).body.items;
    expect(opened.map((v) => [v.ruleId, v.status, v.detectedAt])).toEqual([
      ["first-response", "open", "2026-03-02T08:00:00.001Z"],
    ]);
    expect(opened[0]?.assignees).toEqual([{ role: "customer-service", people: ["cs.liu", "cs.he"] }]);
  });
});

describe("GET /v1/policies (auditor)", () => {
  it("200 lists every loaded policy version with the sha256 of its file's bytes", async () => {
    const answer = expectDocumented(await api().get<PolicyListJson>("/v1/policies"), "GET", "/v1/policies");
    expect(answer.status).toBe(200);
    const files = readdirSync(POLICIES_DIR, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /^v\d+\.yaml$/.test(e.name))
      .map((e) => relative(POLICIES_DIR, join(e.parentPath, e.name)).split(sep).join("/"));
    expect(files).toHaveLength(10);
    const expected = files.map((path) => {
      const [area, id, file] = path.split("/") as [string, string, string];
      return {
        id,
        area,
        version: Number(file.slice(1, -".yaml".length)),
        sha256: createHash("sha256")
          .update(readFileSync(join(POLICIES_DIR, path)))
          .digest("hex"),
      };
    });
    expect(answer.body.items.map(({ id, area, version, sha256 }) => ({ id, area, version, sha256 }))).toEqual(
      expect.arrayContaining(expected),
    );
    expect(answer.body.items).toHaveLength(10);
    const appliesTo = Object.fromEntries(answer.body.items.map((i) => [i.id, i.appliesTo]));
    expect(appliesTo).toEqual({
      "expense-approval": "expense",
      "quote-approval": "quote",
      "confidential-access": "access",
      "contract-clauses": "contract",
      "complaint-response": "complaint",
    });
    // v1 as first released, v2 (the wording) from 2027
    for (const item of answer.body.items)
      expect(item.effectiveFrom).toMatch(item.version === 1 ? /^2026-01-01/ : /^2027-01-01/);
    expect(answer.body.items.map((i) => i.version).sort()).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
  });
});

describe("who may call what", () => {
  const auditorRoutes = [
    ["/v1/violations", "/v1/violations"],
    [`/v1/violations/${"0".repeat(32)}`, "/v1/violations/{id}"],
    ["/v1/records/expense/HR-1", "/v1/records/{type}/{id}"],
    ["/v1/policies", "/v1/policies"],
  ] as const;

  it("auditor routes: 401 without credentials, with an unknown token or the old case-handler token; 401/403 for an ingest signature", async () => {
    const signedGet = api().signedHeaders("");
    const personas: [string, Record<string, string>, number[]][] = [
      ["no credentials", {}, [401]],
      ["an unknown bearer token", { authorization: "Bearer not-a-token" }, [401]],
      ["a malformed Authorization header", { authorization: AUDITOR_TOKEN }, [401]],
      ["the old case-handler token", { authorization: `Bearer ${OLD_CASE_HANDLER_TOKEN}` }, [401]],
      ["an ingest signature", signedGet, [401, 403]],
      ["an ingest secret as a bearer token", { authorization: `Bearer ${SECRETS.erp}` }, [401, 403]],
    ];
    for (const [path, template] of auditorRoutes) {
      for (const [who, headers, allowed] of personas) {
        const answer = expectDocumented(await api().get(path, { headers }), "GET", template);
        expect(allowed, `${who} on GET ${path}: ${answer.status}`).toContain(answer.status);
        expectJsonError(answer);
      }
      const granted = expectDocumented(await api().get(path), "GET", template);
      expect([200, 404], `auditor on GET ${path}`).toContain(granted.status);
    }
  });

  it("ingest routes: 401/403 for a reader's or the old case-handler token, 401 without credentials; nothing stored", async () => {
    const body = JSON.stringify(overBudget("HA-1", 1));
    const personas: [string, Record<string, string>, number[]][] = [
      ["no credentials", { "content-type": "application/json" }, [401]],
      [
        "the auditor token",
        { "content-type": "application/json", authorization: `Bearer ${AUDITOR_TOKEN}` },
        [401, 403],
      ],
      [
        "the old case-handler token",
        { "content-type": "application/json", authorization: `Bearer ${OLD_CASE_HANDLER_TOKEN}` },
        [401, 403],
      ],
      [
        "the auditor token with a client id",
        {
          "content-type": "application/json",
          authorization: `Bearer ${AUDITOR_TOKEN}`,
          "x-client-id": "erp",
        },
        [401, 403],
      ],
    ];
    for (const path of ["/v1/records", "/v1/evaluate"]) {
      for (const [who, headers, allowed] of personas) {
        // CONTRACT 1.1 §2: a reader may dry-run records (POST /v1/evaluate), never store them
        if (path === "/v1/evaluate" && who === "the auditor token") continue;
        const answer = expectDocumented(await api().request("POST", path, { headers, body }), "POST", path);
        expect(allowed, `${who} on POST ${path}: ${answer.status}`).toContain(answer.status);
        expectJsonError(answer);
      }
    }
    expect(await storedRevisions("expense", "HA-1")).toEqual([]);
  });
});

describe("errors are JSON, never a stack trace", () => {
  it("an unknown route or a wrong method is answered with a JSON error", async () => {
    for (const [method, path] of [
      ["GET", "/v2/violations"],
      ["GET", "/"],
      ["POST", "/health"],
      ["GET", "/v1/records"],
      ["GET", "/v1/evaluate"],
      ["POST", "/v1/violations"],
      ["GET", "/v1/records/expense"],
    ] as const) {
      const answer = await api().request(method, path, {
        headers: { authorization: `Bearer ${AUDITOR_TOKEN}` },
      });
      expect(answer.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${method} ${path}`).toBeLessThan(500);
      expectJsonError(answer);
    }
  });

  it("a percent-encoding that does not decode is a JSON 4xx, not a crash", async () => {
    const answer = await api().get("/v1/records/expense/%E0%A4%A");
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expectJsonError(answer);
  });
});
