/**
 * ViolationOpened / ViolationResolved events from the violations table's stream: one per committed
 * status change, none for writes that change no status.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEventsHandler } from "../../functions/handlers/events.ts";
import { startStreamPoller } from "../../functions/local/stream-poller.ts";
import type { Runtime } from "../../functions/runtime/runtime.ts";
import { fileSink } from "../../functions/service/event-sinks.ts";
import { useTables } from "../support/dynamodb.ts";
import { expense, overBudget } from "../support/records.ts";
import { storeAndEvaluate, TestClock, testRuntime } from "../support/runtime.ts";

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
