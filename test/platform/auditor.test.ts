/**
 * The auditors' API through the real handlers on DynamoDB Local: every filter, complete and
 * tamper-proof pagination, CSV of the same query, records (the auditor function) and policies
 * (the evaluate function, which serves the rule reference), and who may read from each.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../../functions/core/policy/loader.ts";
import { createAuditorHandler } from "../../functions/handlers/auditor.ts";
import { createEvaluateHandler } from "../../functions/handlers/evaluate.ts";
import { createIngestHandler } from "../../functions/handlers/ingest.ts";
import type { Runtime } from "../../functions/runtime/runtime.ts";
import { evaluateStoredRevision } from "../../functions/service/evaluate-revision.ts";
import { useTables } from "../support/dynamodb.ts";
import { auditorGet, lambdaContext, signedPost } from "../support/events.ts";
import { shippedFiles } from "../support/policies.ts";
import { complaint, expense, overBudget } from "../support/records.ts";
import { TestClock, testRuntime } from "../support/runtime.ts";
import { TEST_ISSUER } from "../support/tokens.ts";

const db = useTables();
const clock = new TestClock("2026-03-02T00:00:00Z");
let rt: Runtime;
let auditor: ReturnType<typeof createAuditorHandler>;
/** GET /v1/policies… are served by the evaluate function (it carries the whole policy set). */
let policies: ReturnType<typeof createEvaluateHandler>;

const parse = (r: { body?: string }) => JSON.parse(r.body ?? "null");

/** Ingests and evaluates synchronously (the stream is exercised elsewhere). */
async function store(record: { type: string; id: string; revision: number }) {
  const ingest = createIngestHandler(() => rt);
  const result = await ingest(
    signedPost("/v1/records", JSON.stringify(record), { nowMs: clock.now().getTime() }),
    lambdaContext,
  );
  expect(result.statusCode).toBe(202);
  const stored = await rt.platform.records.getRevision(`${record.type}#${record.id}`, record.revision);
  await evaluateStoredRevision(rt.platform, stored as NonNullable<typeof stored>);
}

async function list(query: Record<string, string> = {}) {
  const result = await auditor(auditorGet("/v1/violations", { query }), lambdaContext);
  return { status: result.statusCode, body: parse(result) };
}

/** Every page of a query, following nextCursor. */
async function all(query: Record<string, string>) {
  const items: { id: string; detectedAt: string }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const { status, body } = await list({ ...query, ...(cursor ? { cursor } : {}) });
    expect(status).toBe(200);
    items.push(...body.items);
    cursor = body.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  return { items, pages };
}

beforeAll(async () => {
  rt = testRuntime(db.endpoint, db.names, clock);
  auditor = createAuditorHandler(() => rt);
  policies = createEvaluateHandler(() => rt);
  for (let i = 1; i <= 7; i++) {
    clock.advance(60_000);
    await store(overBudget(`AU-${i}`, 1, 10000 + i)); // over-budget
  }
  clock.advance(60_000);
  await store(expense("AU-8", 1, { attachments: 0, amount: 100 })); // supporting-documents
  clock.advance(60_000);
  await store(complaint("AU-9", 1, { content: " " })); // record-completeness
  clock.advance(60_000);
  await store(expense("AU-1", 2)); // AU-1 resolved
});

describe("GET /v1/violations", () => {
  it("lists every violation oldest first", async () => {
    const { status, body } = await list();
    expect(status).toBe(200);
    expect(body.items).toHaveLength(9);
    const times = body.items.map((v: { detectedAt: string }) => v.detectedAt);
    expect(times).toEqual([...times].sort());
    expect(body.nextCursor).toBeNull();
    expect(body.items[0]).not.toHaveProperty("ver");
    expect(body.items[0].history.length).toBeGreaterThan(0);
  });

  it.each([
    [{ status: "resolved" }, ["AU-1"]],
    [{ status: "open", policyId: "expense-approval", ruleId: "supporting-documents" }, ["AU-8"]],
    [{ area: "complaint-response" }, ["AU-9"]],
    [{ recordType: "complaint" }, ["AU-9"]],
    [{ recordId: "AU-3" }, ["AU-3"]],
    [{ recordType: "expense", recordId: "AU-8" }, ["AU-8"]],
    [{ assigneeRole: "customer-service" }, ["AU-9"]],
    [
      { assigneeRole: "marketing-director", status: "open" },
      ["AU-2", "AU-3", "AU-4", "AU-5", "AU-6", "AU-7"],
    ],
    [{ from: "2026-03-02T00:02:00Z", to: "2026-03-02T00:03:00Z" }, ["AU-2", "AU-3"]],
  ])("filters %j", async (query, ids) => {
    const { items } = await all(query as Record<string, string>);
    expect(items.map((v) => (v as unknown as { record: { id: string } }).record.id).sort()).toEqual(ids);
  });

  it("pages through everything exactly once with a small limit", async () => {
    const { items, pages } = await all({ limit: "2" });
    expect(pages).toBeGreaterThanOrEqual(5);
    expect(items).toHaveLength(9);
    expect(new Set(items.map((v) => v.id)).size).toBe(9);
    const times = items.map((v) => v.detectedAt);
    expect(times).toEqual([...times].sort());
  });

  it("refuses a cursor that was edited, forged or taken to another query", async () => {
    const { body } = await list({ limit: "2" });
    const cursor: string = body.nextCursor;
    const [payload, mac] = cursor.split(".") as [string, string];
    const edited = `${Buffer.from(Buffer.from(payload, "base64url").toString().replace("open", "resolved")).toString("base64url")}.${mac}`;
    for (const bad of [edited, `${payload}.AAAA`, "garbage"]) {
      const result = await list({ limit: "2", cursor: bad });
      expect(result.status).toBe(400);
      expect(result.body.error.code).toBe("invalid_cursor");
    }
    expect((await list({ limit: "2", cursor, status: "open" })).status).toBe(400);
  });

  it("400 names an unknown or invalid filter", async () => {
    const typo = await list({ stauts: "open" });
    expect(typo.status).toBe(400);
    expect(typo.body.error.issues[0].path).toBe("stauts");
    const bad = await list({ limit: "501", status: "closed" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(["limit", "status"]);
  });

  it("exports the same query as RFC 4180 CSV, by format=csv or Accept: text/csv", async () => {
    const viaFormat = await auditor(
      auditorGet("/v1/violations", { query: { format: "csv", status: "open" } }),
      lambdaContext,
    );
    expect(viaFormat.statusCode).toBe(200);
    expect(viaFormat.headers?.["content-type"]).toMatch(/^text\/csv/);
    const lines = (viaFormat.body ?? "").split("\r\n");
    expect(lines[0]?.startsWith("id,policyId,policyVersion,ruleId")).toBe(true);
    expect(lines.at(-1)).toBe("");
    expect(lines).toHaveLength(1 + 8 + 1);
    const event = auditorGet("/v1/violations", { query: { status: "open" } });
    event.headers.accept = "text/csv";
    const viaAccept = await auditor(event, lambdaContext);
    expect(viaAccept.body).toBe(viaFormat.body);
    // a message with commas is quoted
    expect(viaFormat.body).toMatch(/"[^"]*,[^"]*"/);
  });
});

describe("GET /v1/violations/{id}, /v1/records/{type}/{id}, /v1/policies", () => {
  it("returns a violation with its history, 404 for an unknown id", async () => {
    const { body } = await list({ recordId: "AU-1" });
    const id = body.items[0].id;
    const found = await auditor(auditorGet("/v1/violations/{id}", { params: { id } }), lambdaContext);
    expect(found.statusCode).toBe(200);
    expect(parse(found).history.map((h: { status: string }) => h.status)).toEqual(["open", "resolved"]);
    const missing = await auditor(
      auditorGet("/v1/violations/{id}", { params: { id: "0".repeat(32) } }),
      lambdaContext,
    );
    expect(missing.statusCode).toBe(404);
    expect(parse(missing).error.code).toBe("not_found");
  });

  it("returns the latest revision and every revision number, 404 for unknown records", async () => {
    const found = await auditor(
      auditorGet("/v1/records/{type}/{id}", { params: { type: "expense", id: "AU-1" } }),
      lambdaContext,
    );
    expect(found.statusCode).toBe(200);
    expect(parse(found)).toMatchObject({ record: { id: "AU-1", revision: 2 }, revisions: [1, 2] });
    for (const params of [
      { type: "expense", id: "NOPE" },
      { type: "invoice", id: "AU-1" },
    ]) {
      expect(
        (await auditor(auditorGet("/v1/records/{type}/{id}", { params }), lambdaContext)).statusCode,
      ).toBe(404);
    }
  });

  it("lists every loaded policy version with the sha256 of its file", async () => {
    const result = await policies(auditorGet("/v1/policies"), lambdaContext);
    const items = parse(result).items as { id: string; sha256: string }[];
    expect(items).toHaveLength(10); // v1 and v2 (wording) of the five policies
    const files = shippedFiles();
    for (const item of items) {
      const file = files.find((f) =>
        f.path.endsWith(`/${item.id}/v${(item as { version?: number }).version}.yaml`),
      );
      expect(item.sha256).toBe(sha256(file?.text ?? ""));
    }
  });
});

describe("who may read", () => {
  // the same checks on an auditors' route of each function that serves them
  for (const [fn, route, params] of [
    ["evaluate", "/v1/policies", undefined],
    ["auditor", "/v1/records/{type}/{id}", { type: "expense", id: "AU-1" }],
  ] as const) {
    it(`${fn} (${route}): 401 without credentials or with the old case-handler token, 403 for a person who is not an auditor or an ingest signature`, async () => {
      const handler = fn === "evaluate" ? policies : auditor;
      const get = (token?: string) =>
        auditorGet(route, { ...(params ? { params } : {}), ...(token ? { token } : {}) });
      const none = get();
      none.headers = {};
      expect((await handler(none, lambdaContext)).statusCode).toBe(401);
      expect((await handler(get("nope"), lambdaContext)).statusCode).toBe(401);
      expect((await handler(get("test-case-handler-token"), lambdaContext)).statusCode).toBe(401);
      const finance = await TEST_ISSUER.tokenFor("fin.wang", clock.now());
      const refused = await handler(get(finance), lambdaContext);
      expect(refused.statusCode).toBe(403);
      expect(parse(refused).error.code).toBe("not_auditor");
      const auditorToken = await TEST_ISSUER.tokenFor("au.gao", clock.now());
      expect((await handler(get(auditorToken), lambdaContext)).statusCode).toBe(200);
      const signed = signedPost(route, "", { nowMs: clock.now().getTime() });
      signed.routeKey = `GET ${route}`;
      if (params) signed.pathParameters = { ...params };
      expect([401, 403]).toContain((await handler(signed, lambdaContext)).statusCode);
    });
  }
});
