/**
 * Issue 11 item 9: when DynamoDB is gone, the API answers 503 `unavailable` with Retry-After (not
 * 500: the alarm counts our bugs), and /health reports the dependency instead of "ok".
 */
import { describe, expect, it } from "vitest";
import { createAuditorHandler } from "../../functions/handlers/auditor.ts";
import { createHealthHandler } from "../../functions/handlers/health.ts";
import { createIngestHandler } from "../../functions/handlers/ingest.ts";
import { isDependencyUnavailable, StoreError } from "../../functions/store/errors.ts";
import { tableNames } from "../../functions/store/tables.ts";
import { auditorGet, httpEvent, lambdaContext, signedPost } from "../support/events.ts";
import { expense as expenseRecord } from "../support/records.ts";
import { TestClock, testRuntime } from "../support/runtime.ts";

// nothing listens on port 1: every DynamoDB call fails to connect
const clock = new TestClock("2026-03-01T08:00:00Z");
const dead = testRuntime("http://127.0.0.1:1", tableNames("gone-"), clock);

const expense = JSON.stringify(
  expenseRecord("EXP-1", 1, { amount: 100, budget: { lineId: "L1", remaining: 1000 }, attachments: 1 }),
);

describe("a dependency that is gone", () => {
  it("classifies network failures and throttling as unavailable, our own errors not", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(isDependencyUnavailable(new StoreError("record_write_failed", "x", { cause: refused }))).toBe(
      true,
    );
    expect(isDependencyUnavailable(Object.assign(new Error("slow"), { name: "ThrottlingException" }))).toBe(
      true,
    );
    expect(
      isDependencyUnavailable(Object.assign(new Error("x"), { $metadata: { httpStatusCode: 503 } })),
    ).toBe(true);
    expect(isDependencyUnavailable(new AggregateError([refused]))).toBe(true);
    expect(isDependencyUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(
      isDependencyUnavailable(
        Object.assign(new Error("bad"), { name: "ValidationException", $metadata: { httpStatusCode: 400 } }),
      ),
    ).toBe(false);
  });

  it("ingest and auditor routes answer 503 unavailable with Retry-After", async () => {
    const ingest = createIngestHandler(() => dead);
    const answer = await ingest(
      signedPost("/v1/records", expense, { nowMs: clock.now().getTime() }),
      lambdaContext,
    );
    expect(answer.statusCode, answer.body).toBe(503);
    expect(answer.headers?.["retry-after"]).toBe("5");
    expect(JSON.parse(answer.body ?? "{}").error.code).toBe("unavailable");

    const auditor = createAuditorHandler(() => dead);
    const read = await auditor(
      auditorGet("/v1/records/{type}/{id}", {
        path: "/v1/records/expense/EXP-1",
        params: { type: "expense", id: "EXP-1" },
      }),
      lambdaContext,
    );
    expect(read.statusCode, read.body).toBe(503);
  }, 30_000);

  it("/health reports the dependency: 503 when the probe fails or hangs, ok otherwise", async () => {
    const event = httpEvent({ method: "GET", route: "/health" });
    type Readiness = NonNullable<typeof dead.readiness>;
    const withProbe = (readiness: Readiness) => createHealthHandler(() => ({ ...dead, readiness }));
    const down = await withProbe(async () => ({ dynamodb: "unavailable" }))(event, lambdaContext);
    expect(down.statusCode).toBe(503);
    expect(JSON.parse(down.body ?? "{}")).toEqual({
      status: "unavailable",
      dependencies: { dynamodb: "unavailable" },
    });
    expect(down.headers?.["retry-after"]).toBe("5");
    const hanging = await withProbe(() => new Promise(() => {}))(event, lambdaContext);
    expect(hanging.statusCode).toBe(503);
    const up = await withProbe(async () => ({ dynamodb: "ok" }))(event, lambdaContext);
    expect(up.statusCode).toBe(200);
    // the health function on AWS has no runtime: liveness only
    const lambda = await createHealthHandler()(event, lambdaContext);
    expect(lambda.statusCode).toBe(200);
    expect(JSON.parse(up.body ?? "{}")).toEqual({ status: "ok" });
  });
});
