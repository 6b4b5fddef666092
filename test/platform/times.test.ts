/**
 * CONTRACT §8 through the real handlers on DynamoDB Local: records with minutes-only and offset
 * times, dates in queries and case actions read in the company's time zone (Asia/Shanghai by
 * default), and refusals that show the accepted form with an example.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createEvaluator } from "../../functions/core/engine/evaluate.ts";
import { violationId } from "../../functions/core/engine/violation.ts";
import { createAuditorHandler } from "../../functions/handlers/auditor.ts";
import { createCasesHandler } from "../../functions/handlers/cases.ts";
import { createEvaluateHandler } from "../../functions/handlers/evaluate.ts";
import type { Runtime } from "../../functions/runtime/runtime.ts";
import { createPlatform } from "../../functions/service/platform.ts";
import { dynamoDbStorage } from "../../functions/store/dynamodb-storage.ts";
import { useTables } from "../support/dynamodb.ts";
import { auditorGet, httpEvent, lambdaContext, signedPost } from "../support/events.ts";
import { complaint, overBudget } from "../support/records.ts";
import { storeAndEvaluate, TestClock, testRuntime } from "../support/runtime.ts";
import { TEST_ISSUER } from "../support/tokens.ts";

const db = useTables();
// 2026-03-02T00:30Z is 08:30 on 2 March in Shanghai
const clock = new TestClock("2026-03-02T00:30:00Z");
let rt: Runtime;
const parse = (r: { body?: string }) => JSON.parse(r.body ?? "null");

beforeAll(async () => {
  rt = testRuntime(db.endpoint, db.names, clock);
  await storeAndEvaluate(rt.platform, { ...overBudget("TZ-1", 1), occurredAt: "2026-03-01T08:00Z" });
  await storeAndEvaluate(
    rt.platform,
    complaint("TZ-C1", 1, { category: "legal", receivedAt: "2026-03-31T23:30+08:00" }),
  );
  await storeAndEvaluate(
    rt.platform,
    complaint("TZ-C2", 1, { category: "legal", receivedAt: "2026-04-01T00:30+08:00" }),
  );
});

async function get(route: string, query: Record<string, string>) {
  const result = await createAuditorHandler(() => rt)(auditorGet(route, { query }), lambdaContext);
  return { status: result.statusCode, body: parse(result) };
}

describe("times in records", () => {
  it("a record with a minutes-only time is stored, in UTC", async () => {
    const stored = await rt.platform.records.getRevision("expense#TZ-1", 1);
    expect(stored?.record.occurredAt).toBe("2026-03-01T08:00:00.000Z");
  });

  it("a zone-less time is a 400 naming the field, the accepted form and an example", async () => {
    const body = JSON.stringify({ ...overBudget("TZ-2", 1), occurredAt: "2026-03-01T08:00:00" });
    const result = await createEvaluateHandler(() => rt)(
      signedPost("/v1/evaluate", body, { nowMs: clock.now().getTime() }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(400);
    const issue = parse(result).error.issues.find((i: { path: string }) => i.path === "occurredAt");
    expect(issue.message).toContain("no zone");
    expect(issue.message).toContain("e.g. 2026-03-01T08:00:00Z or 2026-03-01T16:00+08:00");
  });

  it("?at= takes a date: 00:00 of that day in the company's time zone", async () => {
    const body = JSON.stringify(overBudget("TZ-3", 1));
    const result = await createEvaluateHandler(() => rt)(
      signedPost("/v1/evaluate", body, { nowMs: clock.now().getTime(), query: { at: "2026-03-05" } }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(200);
    expect(parse(result).evaluatedAt).toBe("2026-03-04T16:00:00.000Z");
  });
});

describe("dates in queries", () => {
  it("violation list: from/to as dates cover whole days in Asia/Shanghai", async () => {
    const sameDay = await get("/v1/violations", { from: "2026-03-02", to: "2026-03-02" });
    expect(sameDay.status).toBe(200);
    expect(sameDay.body.items.map((v: { record: { id: string } }) => v.record.id)).toContain("TZ-1");
    // 2 March in Shanghai starts at 2026-03-01T16:00Z: a day earlier ends before the detection
    const before = await get("/v1/violations", { to: "2026-03-01" });
    expect(before.body.items).toEqual([]);
    const minutes = await get("/v1/violations", { from: "2026-03-02T00:29Z" });
    expect(minutes.body.items.length).toBeGreaterThan(0);
  });

  it("violation list: a zone-less bound is a 400 that shows both accepted forms", async () => {
    const bad = await get("/v1/violations", { from: "2026-03-01T00:00" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe("from");
    expect(bad.body.error.issues[0].message).toContain("e.g. 2026-03-01, 2026-03-01T08:00:00Z");
  });

  it("complaint report: to=2026-03-31 includes 23:30 that evening in Shanghai, not 00:30 the next day", async () => {
    const { status, body } = await get("/v1/reports/complaints", { from: "2026-03-01", to: "2026-03-31" });
    expect(status).toBe(200);
    expect(body.to).toBe("2026-03-31T15:59:59.999Z");
    expect(body.counts.legal).toBe(1);
  });
});

describe("dates in case actions", () => {
  it("a waiver until a date lasts to the end of that day in the company's time zone", async () => {
    const id = violationId("expense", "TZ-1", "expense-approval", "over-budget");
    const result = await createCasesHandler(() => rt)(
      httpEvent({
        method: "POST",
        route: "/v1/violations/{id}/waive",
        params: { id },
        body: JSON.stringify({ by: "md.li", reason: "quarter end", until: "2026-03-31" }),
        headers: { authorization: `Bearer ${await TEST_ISSUER.tokenFor("md.li", clock.now())}` },
      }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(200);
    expect(parse(result).waivedUntil).toBe("2026-03-31T15:59:59.999Z");
  });
});

describe("the company's time zone comes from org.yaml", () => {
  it("with timeZone: UTC, to=2026-03-31 ends at 23:59:59.999Z", async () => {
    const set = rt.platform.set;
    const utc: Runtime = {
      ...rt,
      platform: createPlatform({
        set: { ...set, org: { ...set.org, timeZone: "UTC" } },
        compile: createEvaluator,
        storage: dynamoDbStorage(rt.dynamodb.doc, db.names),
        now: clock.now,
      }),
    };
    const result = await createAuditorHandler(() => utc)(
      auditorGet("/v1/reports/complaints", { query: { from: "2026-03-01", to: "2026-03-31" } }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(200);
    const body = parse(result);
    expect([body.from, body.to]).toEqual(["2026-03-01T00:00:00.000Z", "2026-03-31T23:59:59.999Z"]);
    // 2026-03-31T23:30+08:00 and 2026-04-01T00:30+08:00 are both 31 March in UTC
    expect(body.counts.legal).toBe(2);
  });
});
