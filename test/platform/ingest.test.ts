/**
 * POST /v1/records and POST /v1/evaluate through the real handlers on DynamoDB Local: every
 * status code of CONTRACT §2, and nothing stored on any refusal.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createEvaluateHandler } from "../../functions/handlers/evaluate.ts";
import { createIngestHandler } from "../../functions/handlers/ingest.ts";
import type { Runtime } from "../../functions/runtime/runtime.ts";
import { useTables } from "../support/dynamodb.ts";
import { httpEvent, lambdaContext, signedPost } from "../support/events.ts";
import { expense, overBudget } from "../support/records.ts";
import { TestClock, testRuntime } from "../support/runtime.ts";

const db = useTables();
const clock = new TestClock("2026-03-02T00:00:00Z");
let rt: Runtime;
let ingest: ReturnType<typeof createIngestHandler>;
let evaluate: ReturnType<typeof createEvaluateHandler>;

beforeAll(() => {
  rt = testRuntime(db.endpoint, db.names, clock);
  ingest = createIngestHandler(() => rt);
  evaluate = createEvaluateHandler(() => rt);
});

const post = (body: unknown, opts: { client?: string; secret?: string; skewMs?: number } = {}) =>
  ingest(
    signedPost("/v1/records", typeof body === "string" ? body : JSON.stringify(body), {
      nowMs: clock.now().getTime() + (opts.skewMs ?? 0),
      client: opts.client,
      secret: opts.secret,
    }),
    lambdaContext,
  );

const parse = (r: { body?: string }) => JSON.parse(r.body ?? "null");
const stored = (type: string, id: string) => rt.platform.records.listRevisions(`${type}#${id}`);

describe("POST /v1/records", () => {
  it("202 stores a new revision, 200 duplicate for the same body, 409 for another body", async () => {
    const first = await post(expense("ING-1", 1));
    expect(first.statusCode).toBe(202);
    expect(parse(first)).toEqual({ key: "expense/ING-1", revision: 1, duplicate: false });

    // the same record, formatted differently: still the same body
    const again = await post(JSON.stringify(expense("ING-1", 1), null, 4));
    expect(again.statusCode).toBe(200);
    expect(parse(again)).toMatchObject({ duplicate: true });

    const other = await post(expense("ING-1", 1, { amount: 4000 }));
    expect(other.statusCode).toBe(409);
    expect(parse(other).error.code).toBe("revision_conflict");
    expect(await stored("expense", "ING-1")).toEqual([1]);
    expect((await rt.platform.records.getRevision("expense#ING-1", 1))?.record.data).toMatchObject({
      amount: 3000,
    });
  });

  it("200 stale for a revision older than the stored one, which is not stored", async () => {
    expect((await post(expense("ING-2", 3))).statusCode).toBe(202);
    const older = await post(expense("ING-2", 2));
    expect(older.statusCode).toBe(200);
    expect(parse(older)).toMatchObject({ stale: true });
    expect(await stored("expense", "ING-2")).toEqual([3]);
  });

  it("400 validation_failed names every invalid field and stores nothing", async () => {
    const bad = expense("ING-3", 1, { amount: -5, ammount: 1 }) as Record<string, unknown>;
    const result = await post({ ...bad, revision: 0 });
    expect(result.statusCode).toBe(400);
    const { error } = parse(result);
    expect(error.code).toBe("validation_failed");
    expect(error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      "data.ammount",
      "data.amount",
      "revision",
    ]);
    expect(await stored("expense", "ING-3")).toEqual([]);
  });

  it("400 invalid_json for a body that is not JSON", async () => {
    const result = await post("{not json");
    expect(result.statusCode).toBe(400);
    expect(parse(result).error.code).toBe("invalid_json");
  });

  it("401 for a missing, wrong, unknown-client or stale signature, storing nothing", async () => {
    const body = JSON.stringify(expense("ING-4", 1));
    const unsigned = await ingest(httpEvent({ method: "POST", route: "/v1/records", body }), lambdaContext);
    expect(unsigned.statusCode).toBe(401);
    expect((await post(body, { secret: "wrong" })).statusCode).toBe(401);
    expect((await post(body, { client: "stranger", secret: "x" })).statusCode).toBe(401);
    expect((await post(body, { skewMs: -301_000 })).statusCode).toBe(401);
    expect((await post(body, { skewMs: 301_000 })).statusCode).toBe(401);
    expect(parse(await post(body, { secret: "wrong" })).error.code).toBe("unauthorized");
    expect(await stored("expense", "ING-4")).toEqual([]);
    // within the tolerance it is accepted
    expect((await post(body, { skewMs: -299_000 })).statusCode).toBe(202);
  });

  it("401 when the body was changed after signing", async () => {
    const event = signedPost("/v1/records", JSON.stringify(expense("ING-5", 1)), {
      nowMs: clock.now().getTime(),
    });
    event.body = JSON.stringify(expense("ING-5", 1, { amount: 1 }));
    expect((await ingest(event, lambdaContext)).statusCode).toBe(401);
    expect(await stored("expense", "ING-5")).toEqual([]);
  });

  it("413 for a body over 256 KiB", async () => {
    const huge = JSON.stringify(expense("ING-6", 1, { category: "x".repeat(256 * 1024) }));
    const result = await post(huge);
    expect(result.statusCode).toBe(413);
    expect(parse(result).error.code).toBe("payload_too_large");
    expect(await stored("expense", "ING-6")).toEqual([]);
  });

  it("stores concurrent deliveries of one revision exactly once", async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => post(expense("ING-7", 1))));
    expect(results.filter((r) => r.statusCode === 202)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 200 && parse(r).duplicate)).toHaveLength(11);
    expect(await stored("expense", "ING-7")).toEqual([1]);
  });
});

describe("POST /v1/evaluate", () => {
  it("200 with the violations, storing nothing", async () => {
    const event = signedPost("/v1/evaluate", JSON.stringify(overBudget("DRY-1", 1)), {
      nowMs: clock.now().getTime(),
      query: { at: "2026-03-05T00:00:00Z" },
    });
    const result = await evaluate(event, lambdaContext);
    expect(result.statusCode).toBe(200);
    const body = parse(result);
    expect(body.evaluatedAt).toBe("2026-03-05T00:00:00.000Z");
    expect(body.policies).toEqual([{ id: "expense-approval", version: 1 }]);
    expect(body.violations.map((v: { ruleId: string }) => v.ruleId)).toEqual(["over-budget"]);
    expect(await stored("expense", "DRY-1")).toEqual([]);
  });

  it("400 for an invalid record or ?at, 401 unsigned", async () => {
    const bad = await evaluate(
      signedPost("/v1/evaluate", JSON.stringify({ type: "expense" }), { nowMs: clock.now().getTime() }),
      lambdaContext,
    );
    expect(bad.statusCode).toBe(400);
    const badAt = await evaluate(
      signedPost("/v1/evaluate", JSON.stringify(expense("DRY-2", 1)), {
        nowMs: clock.now().getTime(),
        query: { at: "soon" },
      }),
      lambdaContext,
    );
    expect(badAt.statusCode).toBe(400);
    expect(parse(badAt).error.issues[0].path).toBe("at");
    const unsigned = await evaluate(
      httpEvent({ method: "POST", route: "/v1/evaluate", body: JSON.stringify(expense("DRY-3", 1)) }),
      lambdaContext,
    );
    expect(unsigned.statusCode).toBe(401);
  });
});
