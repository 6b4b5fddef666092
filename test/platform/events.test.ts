/**
 * ViolationOpened / ViolationResolved events from the violations table's stream: one per committed
 * status change, none for writes that change no status.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredViolation } from "../../functions/core/lifecycle.ts";
import type { StatsDelta } from "../../functions/core/stats.ts";
import { createEventsHandler } from "../../functions/handlers/events.ts";
import { startStreamPoller } from "../../functions/local/stream-poller.ts";
import type { Runtime } from "../../functions/runtime/runtime.ts";
import { fileSink } from "../../functions/service/event-sinks.ts";
import { StatsStore } from "../../functions/store/stats.ts";
import { useTables } from "../support/dynamodb.ts";
import { expense, overBudget } from "../support/records.ts";
import { storeAndEvaluate, TestClock, testRuntime } from "../support/runtime.ts";
import { storedViolation } from "../support/violations.ts";

const db = useTables();
const clock = new TestClock("2026-03-02T00:00:00Z");
const file = join(mkdtempSync(join(tmpdir(), "events-")), "events.jsonl");
let rt: Runtime;
let poller: Awaited<ReturnType<typeof startStreamPoller>>;

beforeAll(async () => {
  rt = testRuntime(db.endpoint, db.names, clock);
  const sink = fileSink(file);
  poller = await startStreamPoller({
    streams: db.clients.streams,
    dynamodb: db.clients.dynamodb,
    tableName: db.names.violations,
    handler: createEventsHandler(() => sink),
    pollIntervalMs: 50,
  });
});
afterAll(async () => poller?.stop());

async function judge(input: unknown) {
  await storeAndEvaluate(rt.platform, input);
  clock.advance(60_000);
}

describe("violation events", () => {
  it("publishes opened, resolved and reopened, and nothing for an update without a status change", async () => {
    await judge(overBudget("EVT-1", 1, 12000)); // opened
    await judge(overBudget("EVT-1", 2, 13000)); // still open: evidence changes, no event
    await judge(expense("EVT-1", 3)); // resolved
    await judge(overBudget("EVT-1", 4)); // reopened
    await poller.drained();
    expect(existsSync(file)).toBe(true);
    const events = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events.map((e) => [e.detailType, e.detail.record.revision])).toEqual([
      ["ViolationOpened", 1],
      ["ViolationResolved", 3],
      ["ViolationOpened", 4],
    ]);
    expect(events[0].source).toBe("compliance.platform");
    expect(events[0].detail).toMatchObject({ ruleId: "over-budget", status: "open" });
    expect(events[0].detail).not.toHaveProperty("ver");
    expect(new Set(events.map((e) => e.detail.eventKey)).size).toBe(3);
  });
});

describe("the stats counters", () => {
  const violation = (id: string, severity: StoredViolation["severity"]): StoredViolation =>
    storedViolation({ id, severity, record: { type: "expense", id: `R-${id}`, revision: 1 } });
  const item = (v: StoredViolation) =>
    marshall(v, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
  const change = (seq: number, before: StoredViolation | undefined, after: StoredViolation): DynamoDBRecord =>
    ({
      eventName: before ? "MODIFY" : "INSERT",
      dynamodb: {
        Keys: { id: { S: after.id } },
        SequenceNumber: String(seq),
        NewImage: item(after),
        ...(before ? { OldImage: item(before) } : {}),
      },
    }) as DynamoDBRecord;
  const a = violation("STAT-A", "high");
  const b = violation("STAT-B", "medium");
  const c = violation("STAT-C", "high");
  const aResolved: StoredViolation = {
    ...a,
    status: "resolved",
    resolvedAt: "2026-03-02T02:00:00.000Z",
    history: [
      ...a.history,
      { status: "resolved", at: "2026-03-02T02:00:00.000Z", by: "system", reason: null },
    ],
    ver: 2,
  };
  const batch = [
    change(1, undefined, a),
    change(2, undefined, b),
    change(3, undefined, c),
    change(4, a, aResolved),
  ];

  it("a batch writes each counter item it touches once, and they count exactly what its changes do", async () => {
    const writes: StatsDelta[][] = [];
    const store = new (class extends StatsStore {
      override async apply(deltas: readonly StatsDelta[]) {
        writes.push([...deltas]);
        return super.apply(deltas);
      }
    })(db.clients.doc, db.names.stats);
    const handler = createEventsHandler(
      () => ({ publish: async () => {} }),
      () => ({ store, timeZone: "UTC" }),
    );
    expect((await handler({ Records: batch })).batchItemFailures).toEqual([]);
    // one apply, four items: all and person:fin.wang, each `open` and `week#2026-W10` (not 4 changes × 4)
    expect(writes.map((w) => w.map((d) => `${d.scope}/${d.key}`).sort())).toEqual([
      ["all/open", "all/week#2026-W10", "person:fin.wang/open", "person:fin.wang/week#2026-W10"],
    ]);
    for (const scope of ["all", "person:fin.wang"]) {
      const read = await store.read(scope, ["2026-W10"]);
      expect(read.open).toMatchObject({
        "area#approval-limits": 2,
        "severity#high": 1,
        "severity#medium": 1,
        "role#finance": 2,
        "hours#expense-approval": 2,
        "resolved#expense-approval": 1,
      });
      expect(read.weeks.get("2026-W10")).toMatchObject({ opened: 3, resolved: 1 });
    }
  });

  it("a counter write that fails fails the whole batch (it is delivered again), and publishes nothing", async () => {
    const published: unknown[] = [];
    const store = new (class extends StatsStore {
      override async apply(): Promise<void> {
        throw new Error("throttled");
      }
    })(db.clients.doc, db.names.stats);
    const handler = createEventsHandler(
      () => ({ publish: async (events) => void published.push(...events) }),
      () => ({ store, timeZone: "UTC" }),
    );
    const response = await handler({ Records: batch });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["1", "2", "3", "4"]);
    expect(published).toEqual([]);
  });
});
