/**
 * Answers people can use (issue 13), through the real auditor handler on DynamoDB Local: every
 * filter of CONTRACT §2's violation list, refusals that list what is accepted, the CSV's appended
 * columns, the xlsx export, a record's old revision, the audit trail's entries and the complaint
 * report's items and CSV.
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { readSheet } from "read-excel-file/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditTrailConsumer } from "../../functions/handlers/audit-trail-consumer.ts";
import { createAuditorHandler } from "../../functions/handlers/auditor.ts";
import { createEventsHandler } from "../../functions/handlers/events.ts";
import { startStreamPoller } from "../../functions/local/stream-poller.ts";
import { attachAudit, auditTrailOf } from "../../functions/runtime/audit-runtime.ts";
import type { Runtime } from "../../functions/runtime/runtime.ts";
import { CSV_COLUMNS } from "../../functions/service/violations-csv.ts";
import { AuditLogStore } from "../../functions/store/audit-log.ts";
import { auditSources } from "../../functions/store/audit-sources.ts";
import { useTables } from "../support/dynamodb.ts";
import { auditorGet, lambdaContext } from "../support/events.ts";
import { expectMatchesOpenApi } from "../support/openapi.ts";
import { complaint, expense, overBudget } from "../support/records.ts";
import { storeAndEvaluate, TestClock, testRuntime } from "../support/runtime.ts";
import { TEST_ISSUER } from "../support/tokens.ts";

const db = useTables();
const clock = new TestClock("2026-03-02T00:00:00Z");
let rt: Runtime;
let auditor: ReturnType<typeof createAuditorHandler>;
let pollers: Awaited<ReturnType<typeof startStreamPoller>>[] = [];
let resolvedAt = "";

type Item = {
  id: string;
  status: string;
  severity: string;
  record: { type: string; id: string };
  dueAt: string;
  resolvedAt: string | null;
};

async function get(route: string, query: Record<string, string> = {}, params?: Record<string, string>) {
  const path = params ? route.replace(/\{(\w+)\}/g, (_, k: string) => params[k] as string) : route;
  const result = await auditor(
    auditorGet(route, { query, path, ...(params ? { params } : {}) }),
    lambdaContext,
  );
  return result;
}

async function list(query: Record<string, string>) {
  const result = await get("/v1/violations", query);
  return { status: result.statusCode, body: JSON.parse(result.body ?? "null") };
}

/** The record ids a query lists (every page). */
async function ids(query: Record<string, string>): Promise<string[]> {
  const found: string[] = [];
  let cursor: string | null = null;
  do {
    const { status, body } = await list({ ...query, limit: "2", ...(cursor ? { cursor } : {}) });
    expect(status, JSON.stringify(body)).toBe(200);
    found.push(...body.items.map((v: Item) => v.record.id));
    cursor = body.nextCursor;
  } while (cursor);
  return found.sort();
}

async function judge(input: unknown) {
  await storeAndEvaluate(rt.platform, input);
  clock.advance(60_000);
}

beforeAll(async () => {
  rt = testRuntime(db.endpoint, db.names, clock);
  auditor = createAuditorHandler(() => rt);
  attachAudit(rt, {
    store: new AuditLogStore(rt.dynamodb.doc, db.names),
    key: async () => "test-audit-key",
    now: clock.now,
    sources: auditSources(rt.dynamodb.doc, db.names),
    digestEveryMs: 24 * 3600_000,
  });
  const handler = createAuditTrailConsumer(() => auditTrailOf(rt));
  // the events consumer maintains the stats counters (its events go nowhere here)
  const events = createEventsHandler(
    () => ({ publish: async () => {} }),
    () => ({ store: rt.platform.stats, timeZone: "Asia/Shanghai" }),
  );
  const consumers: [string, (event: DynamoDBStreamEvent) => Promise<unknown>][] = [
    [db.names.records, handler],
    [db.names.violations, handler],
    [db.names.violations, events],
  ];
  pollers = await Promise.all(
    consumers.map(([tableName, consume]) =>
      startStreamPoller({
        streams: db.clients.streams,
        dynamodb: db.clients.dynamodb,
        tableName,
        handler: async (event: DynamoDBStreamEvent) => (await consume(event)) as never,
        pollIntervalMs: 50,
      }),
    ),
  );
  // over-budget (high; finance + marketing-director), marketing, occurred in January
  await judge(expense("ANS-1", 1, { amount: 12000 }, "2026-01-15T02:00:00Z"));
  // supporting-documents (medium), sales, occurred in March
  await judge(expense("ANS-2", 1, { attachments: 0, amount: 100, department: "sales" }));
  // record-completeness (complaint-response, due within hours: overdue below)
  await judge(complaint("ANS-3", 1, { content: " " }));
  // over-budget, then resolved by revision 2
  await judge(overBudget("ANS-4", 1));
  resolvedAt = clock.now().toISOString(); // the evaluation time of revision 2
  await judge(expense("ANS-4", 2));
  await judge(complaint("ANS-5", 1, { category: "service", receivedAt: "2026-03-01T09:00:00Z" }));
  // five hours later: the complaint's deadline has passed, the expenses' (days) have not
  clock.advance(5 * 3600_000);
  for (const p of pollers) await p.drained();
}, 120_000);

afterAll(async () => {
  for (const p of pollers) await p.stop();
});

describe("GET /v1/violations: every filter of CONTRACT §2", () => {
  it.each([
    [{ status: "open,resolved" }, ["ANS-1", "ANS-2", "ANS-3", "ANS-4"]],
    [{ status: "resolved" }, ["ANS-4"]],
    [{ severity: "medium" }, ["ANS-2", "ANS-3"]],
    [{ severity: "high,critical" }, ["ANS-1", "ANS-4"]],
    [{ area: "approval-limits,complaint-response" }, ["ANS-1", "ANS-2", "ANS-3", "ANS-4"]],
    [{ recordType: "complaint" }, ["ANS-3"]],
    [{ policyId: "expense-approval", ruleId: "supporting-documents" }, ["ANS-2"]],
    [{ department: "sales" }, ["ANS-2"]],
    [{ department: "marketing,customer-service" }, ["ANS-1", "ANS-3", "ANS-4"]],
    [{ assigneeRole: "finance" }, ["ANS-1", "ANS-4"]],
    [{ assignee: "fin.wang" }, ["ANS-1", "ANS-4"]],
    [{ assignee: "fin.wang", status: "open" }, ["ANS-1"]],
    [{ overdue: "true" }, ["ANS-3"]],
    [{ occurredFrom: "2026-01-01T00:00:00Z", occurredTo: "2026-01-31T23:59:59Z" }, ["ANS-1"]],
    [{ occurredFrom: "2026-02-01T00:00:00+08:00" }, ["ANS-2", "ANS-3", "ANS-4"]],
    // dates (CONTRACT §8): days in org.yaml's time zone, an upper bound including its whole day
    [{ occurredFrom: "2026-01-01", occurredTo: "2026-01-15" }, ["ANS-1"]],
    [{ occurredTo: "2026-01-14" }, []],
    [{ recordId: "ANS-2", department: "sales" }, ["ANS-2"]],
    [{ recordId: "ANS-3", overdue: "true" }, ["ANS-3"]],
  ])("%j", async (query, expected) => {
    expect(await ids(query as Record<string, string>)).toEqual(expected);
  });

  it("resolvedFrom/resolvedTo select by when a violation was resolved", async () => {
    expect(await ids({ resolvedFrom: resolvedAt, resolvedTo: resolvedAt })).toEqual(["ANS-4"]);
    expect(await ids({ resolvedTo: "2026-03-01T00:00:00Z" })).toEqual([]);
  });

  it("an overdue violation is past its dueAt, open or acknowledged", async () => {
    const { body } = await list({ overdue: "true" });
    const now = clock.now().toISOString();
    for (const v of body.items as Item[]) {
      expect(["open", "acknowledged"]).toContain(v.status);
      expect(v.dueAt < now).toBe(true);
    }
  });

  it.each([
    [{ assigneeRole: "Finance" }, "assigneeRole", ["finance", "marketing-director"]],
    [{ area: "approval" }, "area", ["approval-limits", "complaint-response"]],
    [{ status: "open,closed" }, "status", ["open", "acknowledged", "waived", "resolved"]],
    [{ severity: "urgent" }, "severity", ["low", "medium", "high", "critical"]],
    [{ recordType: "invoice" }, "recordType", ["expense", "complaint"]],
    [{ policyId: "expense" }, "policyId", ["expense-approval", "complaint-response"]],
    [{ ruleId: "over-budgett" }, "ruleId", ["over-budget"]],
    [
      { stauts: "open" },
      "stauts",
      ["status", "severity", "department", "assignee", "overdue", "occurredFrom"],
    ],
  ])("%j is a 400 whose message lists what is accepted", async (query, path, accepted) => {
    const { status, body } = await list(query as Record<string, string>);
    expect(status).toBe(400);
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    for (const word of accepted) expect(body.error.message).toContain(word);
    expect(body.error.message).toContain("accepted:");
  });

  it.each([
    ["from", "to"],
    ["occurredFrom", "occurredTo"],
    ["resolvedFrom", "resolvedTo"],
  ])("%s after %s is a 400", async (start, end) => {
    const { status, body } = await list({ [start]: "2026-03-02T00:00:00Z", [end]: "2026-03-01T00:00:00Z" });
    expect(status).toBe(400);
    expect(body.error.issues[0].path).toBe(start);
  });

  it("answers JSON pages the OpenAPI document describes", async () => {
    const result = await get("/v1/violations", { severity: "medium,high", overdue: "false" });
    expect(result.statusCode).toBe(200);
    expectMatchesOpenApi("GET", "/v1/violations", 200, result.body as string);
  });
});

describe("exports", () => {
  it("CSV keeps the 1.1 columns and appends the new ones, without a BOM", async () => {
    const result = await get("/v1/violations", { format: "csv", recordId: "ANS-1" });
    expect(result.statusCode).toBe(200);
    const text = result.body as string;
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const [head, row] = text.split("\r\n");
    expect(head).toBe(
      "id,policyId,policyVersion,ruleId,area,severity,recordType,recordId,recordRevision,status,messageZh,messageEn,assignees,dueAt,detectedAt,resolvedAt,evidence,source,department,occurredAt,statusBy,statusReason,waivedUntil,escalationLevel,evidenceText,assigneesText",
    );
    const cells = Object.fromEntries(
      CSV_COLUMNS.map((c, i) => [c, (row ?? "").match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.[i]?.replace(/,$/, "")]),
    );
    expect(cells.department).toBe("marketing");
    expect(cells.occurredAt).toBe("2026-01-15T02:00:00.000Z");
    expect(cells.statusBy).toBe("system");
    expect(cells.escalationLevel).toBe("0");
    expect(cells.assigneesText).toBe('"finance: fin.wang, fin.zhao; marketing-director: md.li"');
    expect(cells.evidenceText).toMatch(/amount: 12000; budget\.remaining: 8000/);
  });

  it("format=xlsx answers the same rows as a workbook with typed cells", async () => {
    const result = await get("/v1/violations", { format: "xlsx", status: "open" });
    expect(result.statusCode).toBe(200);
    expect(result.headers?.["content-type"]).toBe(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    expect(result.headers?.["content-disposition"]).toBe('attachment; filename="violations.xlsx"');
    expect(result.isBase64Encoded).toBe(true);
    const rows = await readSheet(Buffer.from(result.body as string, "base64"));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(4); // header + ANS-1, ANS-2, ANS-3
    const col = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
    const first = rows[1] as unknown[];
    expect(first[col("detectedAt")]).toBeInstanceOf(Date);
    expect(first[col("policyVersion")]).toBe(1);
    expect(first[col("recordRevision")]).toBe(1);
    expect(rows.slice(1).map((r) => (r as unknown[])[col("recordId")])).toEqual(["ANS-1", "ANS-2", "ANS-3"]);
  });
});

describe("what happened", () => {
  it("GET /v1/records/{type}/{id}/revisions/{n} answers that revision's content", async () => {
    const route = "/v1/records/{type}/{id}/revisions/{n}";
    const first = await get(route, {}, { type: "expense", id: "ANS-4", n: "1" });
    expect(first.statusCode).toBe(200);
    const body = JSON.parse(first.body as string);
    expect(body.record.revision).toBe(1);
    expect(body.record.data.amount).toBe(12000);
    expect(body.clientId).toBe("erp");
    expect(Date.parse(body.receivedAt)).not.toBeNaN();
    expectMatchesOpenApi("GET", route, 200, first.body as string);
    const second = JSON.parse(
      (await get(route, {}, { type: "expense", id: "ANS-4", n: "2" })).body as string,
    );
    expect(second.record.data.amount).toBe(3000);
    expect((await get(route, {}, { type: "expense", id: "ANS-4", n: "3" })).statusCode).toBe(404);
    expect((await get(route, {}, { type: "expense", id: "NOPE", n: "1" })).statusCode).toBe(404);
  });

  it("?revision= on the record route is refused, never silently ignored", async () => {
    const result = await get("/v1/records/{type}/{id}", { revision: "1" }, { type: "expense", id: "ANS-4" });
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body as string).error.message).toContain('unknown parameter "revision"');
  });

  it("GET /v1/audit/entries lists a record's and a violation's entries, oldest first", async () => {
    const record = await get("/v1/audit/entries", { subject: "expense/ANS-4" });
    expect(record.statusCode).toBe(200);
    expectMatchesOpenApi("GET", "/v1/audit/entries", 200, record.body as string);
    const items = JSON.parse(record.body as string).items as { at: string; subject: string; actor: string }[];
    expect(items).toHaveLength(2); // revisions 1 and 2
    expect(items.every((i) => i.subject === "expense/ANS-4" && i.actor === "client:erp")).toBe(true);
    const { body } = await list({ recordId: "ANS-4" });
    const violationId = (body.items as Item[])[0]?.id as string;
    const changes = JSON.parse((await get("/v1/audit/entries", { subject: violationId })).body as string);
    expect(changes.items.map((i: { actor: string }) => i.actor)).toEqual(["system", "system"]);
    const times = changes.items.map((i: { at: string }) => i.at);
    expect(times).toEqual([...times].sort());
    const bad = await get("/v1/audit/entries", { from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00Z" });
    expect(bad.statusCode).toBe(400);
    expect((await get("/v1/audit/entries", { who: "x" })).statusCode).toBe(400);
  });
});

describe("complaint report", () => {
  it("lists the counted complaints, and as CSV", async () => {
    const query = { from: "2026-03-01T00:00:00Z", to: "2026-03-01T23:59:59Z" };
    const result = await get("/v1/reports/complaints", query);
    expect(result.statusCode).toBe(200);
    expectMatchesOpenApi("GET", "/v1/reports/complaints", 200, result.body as string);
    const report = JSON.parse(result.body as string);
    expect(report.total).toBe(2);
    expect(report.items).toEqual([
      { type: "complaint", id: "ANS-3", category: "general", receivedAt: "2026-03-01T08:00:00.000Z" },
      { type: "complaint", id: "ANS-5", category: "service", receivedAt: "2026-03-01T09:00:00.000Z" },
    ]);
    const csv = await get("/v1/reports/complaints", { ...query, format: "csv" });
    expect(csv.headers?.["content-type"]).toMatch(/^text\/csv/);
    expect(csv.body).toBe(
      "type,id,category,receivedAt\r\ncomplaint,ANS-3,general,2026-03-01T08:00:00.000Z\r\ncomplaint,ANS-5,service,2026-03-01T09:00:00.000Z\r\n",
    );
  });
});

describe("GET /v1/stats", () => {
  it("answers from the counters the events consumer maintains", async () => {
    const result = await get("/v1/stats", { from: "2026-03-02", to: "2026-03-08" });
    expect(result.statusCode, result.body).toBe(200);
    expectMatchesOpenApi("GET", "/v1/stats", 200, result.body as string);
    const stats = JSON.parse(result.body as string);
    expect(stats.open.byArea).toEqual({ "approval-limits": 2, "complaint-response": 1 });
    expect(stats.open.bySeverity).toEqual({ high: 1, medium: 2 });
    expect(stats.open.byRole.finance).toBe(1);
    expect(stats.overdue).toBe(1);
    expect(stats.weeks).toEqual([{ week: "2026-W10", opened: 4, resolved: 1 }]);
    expect(stats.meanHoursToResolve["expense-approval"]).toBeCloseTo(1 / 60, 1);
    // every open count is the list's count for the same filter
    expect((await ids({ status: "open", area: "approval-limits" })).length).toBe(2);
  });

  it("a person who is not an auditor reads the counts of their own violations", async () => {
    const token = await TEST_ISSUER.tokenFor("fin.wang", clock.now());
    const result = await auditor(
      auditorGet("/v1/stats", { query: { from: "2026-03-02", to: "2026-03-08" }, token }),
      lambdaContext,
    );
    expect(result.statusCode, result.body).toBe(200);
    const stats = JSON.parse(result.body as string);
    // fin.wang (finance) is assigned the two over-budget violations: ANS-1 open, ANS-4 resolved
    expect(stats.open.byArea).toEqual({ "approval-limits": 1 });
    expect(stats.overdue).toBe(0);
    expect(stats.weeks).toEqual([{ week: "2026-W10", opened: 2, resolved: 1 }]);
  });

  it("refuses from after to and unknown parameters", async () => {
    expect((await get("/v1/stats", { from: "2026-03-09", to: "2026-03-02" })).statusCode).toBe(400);
    expect((await get("/v1/stats", { week: "10" })).statusCode).toBe(400);
  });
});
