/**
 * The evaluator on the records table's real stream (DynamoDB Local, fed the way Lambda's event
 * source mapping would): violations opened, auto-resolved, reopened with history; one violation
 * per rule under concurrent deliveries; a poison record retried then dead-lettered while the rest
 * of its batch commits; and the sweeper catching a deadline that passes with no new record.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { violationId } from "../../functions/core/engine/violation.ts";
import { createEvaluatorHandler } from "../../functions/handlers/evaluator.ts";
import { createIngestHandler } from "../../functions/handlers/ingest.ts";
import { startStreamPoller } from "../../functions/local/stream-poller.ts";
import type { Runtime } from "../../functions/runtime/runtime.ts";
import { sweep } from "../../functions/service/sweep.ts";
import { useTables } from "../support/dynamodb.ts";
import { lambdaContext, signedPost } from "../support/events.ts";
import { complaint, expense, overBudget } from "../support/records.ts";
import { TestClock, testRuntime } from "../support/runtime.ts";

const db = useTables();
const clock = new TestClock("2026-03-02T00:00:00Z");
const deadLetterFile = join(mkdtempSync(join(tmpdir(), "evaluator-")), "dead-letter.jsonl");
let rt: Runtime;
let ingest: ReturnType<typeof createIngestHandler>;
let poller: Awaited<ReturnType<typeof startStreamPoller>>;

beforeAll(async () => {
  rt = testRuntime(db.endpoint, db.names, clock);
  ingest = createIngestHandler(() => rt);
  poller = await startStreamPoller({
    streams: db.clients.streams,
    dynamodb: db.clients.dynamodb,
    tableName: db.names.records,
    handler: createEvaluatorHandler(() => rt),
    maxAttempts: 3,
    pollIntervalMs: 50,
    deadLetterFile,
  });
});
afterAll(async () => poller?.stop());

async function send(record: unknown) {
  const result = await ingest(
    signedPost("/v1/records", JSON.stringify(record), { nowMs: clock.now().getTime() }),
    lambdaContext,
  );
  expect([200, 202]).toContain(result.statusCode);
  return result;
}

const overBudgetId = (id: string) => violationId("expense", id, "expense-approval", "over-budget");

describe("evaluator", () => {
  it("opens, auto-resolves and reopens a violation, keeping its history", async () => {
    await send(overBudget("EV-1", 1));
    await poller.drained();
    const opened = await rt.platform.violations.get(overBudgetId("EV-1"));
    expect(opened).toMatchObject({ status: "open", ruleId: "over-budget", record: { revision: 1 } });
    expect(opened?.evidence).toEqual({ amount: 12000, "budget.remaining": 8000, approvedSteps: [] });

    clock.advance(3_600_000);
    await send(expense("EV-1", 2)); // within budget now
    await poller.drained();
    const resolved = await rt.platform.violations.get(overBudgetId("EV-1"));
    expect(resolved).toMatchObject({ status: "resolved", resolvedAt: clock.now().toISOString() });

    clock.advance(3_600_000);
    await send(overBudget("EV-1", 3, 9000));
    await poller.drained();
    const reopened = await rt.platform.violations.get(overBudgetId("EV-1"));
    expect(reopened).toMatchObject({ status: "open", resolvedAt: null, record: { revision: 3 } });
    expect(reopened?.history.map((h) => [h.status, h.by])).toEqual([
      ["open", "system"],
      ["resolved", "system"],
      ["open", "system"],
    ]);
    expect(reopened?.message.en).toContain("9,000");
  });

  it("is idempotent: evaluating a revision again changes nothing", async () => {
    await send(overBudget("EV-2", 1));
    await poller.drained();
    const before = await rt.platform.violations.get(overBudgetId("EV-2"));
    const stored = await rt.platform.records.getRevision("expense#EV-2", 1);
    const { evaluateStoredRevision } = await import("../../functions/service/evaluate-revision.ts");
    const outcome = await evaluateStoredRevision(rt.platform, stored as NonNullable<typeof stored>);
    expect(outcome.changes).toMatchObject({ create: 0, update: 0, reopen: 0, resolve: 0 });
    expect(await rt.platform.violations.get(overBudgetId("EV-2"))).toEqual(before);
  });

  it("keeps exactly one violation per rule when successive revisions arrive in parallel, ending at the latest", async () => {
    const revisions = Array.from({ length: 10 }, (_, i) => i + 1);
    await Promise.all(
      revisions.map((rev) =>
        send(rev % 2 === 0 ? overBudget("EV-3", rev, 10000 + rev) : expense("EV-3", rev)),
      ),
    );
    await poller.drained();
    const items = await rt.platform.violations.getMany([overBudgetId("EV-3")]);
    expect(items.size).toBe(1);
    const v = items.get(overBudgetId("EV-3"));
    expect(v?.status).toBe("open"); // revision 10 is over budget
    expect(v?.record.revision).toBe(10);
    expect(v?.evidence.amount).toBe(10010);
    const head = await rt.platform.records.getHead("expense#EV-3");
    expect(head?.latest).toBe(10);
  });

  it("writes nothing for a record's first revision with nothing to remember; the next revisions open and resolve as usual, and the first redelivered changes nothing", async () => {
    await send(expense("EV-5", 1)); // fires nothing, no deadline pending
    await poller.drained();
    expect(await rt.platform.records.getHead("expense#EV-5")).toBeUndefined();
    expect(await rt.platform.violations.get(overBudgetId("EV-5"))).toBeUndefined();
    await send(overBudget("EV-5", 2));
    await poller.drained();
    expect((await rt.platform.violations.get(overBudgetId("EV-5")))?.status).toBe("open");
    expect((await rt.platform.records.getHead("expense#EV-5"))?.latest).toBe(2);
    // revision 1 again, after revision 2 (a late redelivery): the head says it is older
    const first = await rt.platform.records.getRevision("expense#EV-5", 1);
    const { evaluateStoredRevision } = await import("../../functions/service/evaluate-revision.ts");
    expect((await evaluateStoredRevision(rt.platform, first as NonNullable<typeof first>)).applied).toBe(
      false,
    );
    expect((await rt.platform.violations.get(overBudgetId("EV-5")))?.status).toBe("open");
    await send(expense("EV-5", 3));
    await poller.drained();
    expect((await rt.platform.violations.get(overBudgetId("EV-5")))?.status).toBe("resolved");
  });

  it("retries a poison record, then dead-letters it, while the rest of the batch commits", async () => {
    // a revision item no validated record could produce: evaluation throws on it
    await db.clients.doc.send(
      new PutCommand({
        TableName: db.names.records,
        Item: {
          pk: "expense#POISON",
          rev: 1,
          record: { type: "expense", id: "POISON", revision: 1, occurredAt: "2026-03-01T00:00:00.000Z" },
        },
      }),
    );
    await send(overBudget("EV-4", 1));
    await poller.drained();
    expect((await rt.platform.violations.get(overBudgetId("EV-4")))?.status).toBe("open");
    expect(existsSync(deadLetterFile)).toBe(true);
    const letters = readFileSync(deadLetterFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(letters).toHaveLength(1);
    expect(JSON.stringify(letters[0])).toContain("POISON");
  });
});

describe("sweeper", () => {
  it("opens a violation when a deadline passes with no new record, and only re-reads due records", async () => {
    clock.set("2026-03-01T09:00:00Z");
    await send(complaint("SW-1", 1)); // received 08:00, no first response yet
    await send(complaint("SW-2", 1, { firstResponseAt: "2026-03-01T08:30:00Z" }));
    await poller.drained();
    const firstResponse = violationId("complaint", "SW-1", "complaint-response", "first-response");
    expect(await rt.platform.violations.get(firstResponse)).toBeUndefined();
    expect((await rt.platform.records.getHead("complaint#SW-1"))?.nextCheckAt).toBe(
      "2026-03-02T08:00:00.001Z",
    );

    clock.set("2026-03-02T07:00:00Z");
    expect((await sweep(rt.platform)).due).toBe(0);

    clock.set("2026-03-02T08:00:01Z");
    const result = await sweep(rt.platform);
    expect(result.due).toBeGreaterThanOrEqual(1);
    expect(result.failed).toBe(0);
    const v = await rt.platform.violations.get(firstResponse);
    expect(v).toMatchObject({
      status: "open",
      detectedAt: "2026-03-02T08:00:01.000Z",
      dueAt: "2026-03-02T12:00:01.000Z",
    });
    // the next pending deadline (resolution within 7 days) is scheduled
    expect((await rt.platform.records.getHead("complaint#SW-1"))?.nextCheckAt).toBe(
      "2026-03-08T08:00:00.001Z",
    );
  });
});
