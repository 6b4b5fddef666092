/** Lambda's event source mapping delivery rules as pure functions (no DynamoDB). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bisect,
  charge,
  FRESH,
  gathering,
  handledUpTo,
  nextBatch,
  outcomeOf,
  type Pending,
  readyShards,
  retryDelayMs,
} from "../../functions/local/stream-delivery.ts";

const pending = (seq: number): Pending => ({
  seq: BigInt(seq),
  record: { dynamodb: { SequenceNumber: String(seq) } },
});
const buffer = (...seqs: number[]) => seqs.map(pending);
const seqs = (batch: readonly Pending[]) => batch.map((p) => Number(p.seq));

describe("batching", () => {
  it("takes records in stream order, at most batchSize", () => {
    expect(seqs(nextBatch(buffer(1, 2, 3, 4, 5), 3, FRESH))).toEqual([1, 2, 3]);
    expect(seqs(nextBatch(buffer(1, 2), 3, FRESH))).toEqual([1, 2]);
    expect(nextBatch([], 3, FRESH)).toEqual([]);
  });

  it("never goes past the innermost bisection half", () => {
    const state = { segments: [8n, 4n], failure: undefined };
    expect(seqs(nextBatch(buffer(1, 2, 3, 4, 5, 6), 10, state))).toEqual([1, 2, 3, 4]);
  });
});

describe("reading the handler's answer (ReportBatchItemFailures)", () => {
  const batch = buffer(10, 11, 12, 13);
  it("nothing, or no failures, is success", () => {
    expect(outcomeOf(batch, undefined)).toEqual({ kind: "succeeded" });
    expect(outcomeOf(batch, { batchItemFailures: [] })).toEqual({ kind: "succeeded" });
  });
  it("the lowest failed sequence number splits the batch", () => {
    expect(
      outcomeOf(batch, { batchItemFailures: [{ itemIdentifier: "13" }, { itemIdentifier: "11" }] }),
    ).toEqual({ kind: "partial", failedAt: 1 });
  });
  it("an identifier not in the batch fails it all", () => {
    expect(outcomeOf(batch, { batchItemFailures: [{ itemIdentifier: "99" }] })).toEqual({
      kind: "invalid_response",
      identifier: "99",
    });
  });
});

describe("bisection (BisectBatchOnFunctionError)", () => {
  it("splits a failed batch in halves, the first tried first", () => {
    const state = bisect(FRESH, buffer(1, 2, 3, 4, 5));
    expect(state.segments).toEqual([5n, 3n]);
    expect(seqs(nextBatch(buffer(1, 2, 3, 4, 5), 10, state))).toEqual([1, 2, 3]);
  });

  it("does not repeat an end already on the stack, and leaves a single record alone", () => {
    expect(bisect({ segments: [5n], failure: undefined }, buffer(1, 2, 3, 4, 5)).segments).toEqual([5n, 3n]);
    expect(bisect(FRESH, buffer(7))).toBe(FRESH);
  });

  it("finished halves are forgotten as records are handled", () => {
    const state = { segments: [8n, 4n, 2n], failure: { seq: 3n, attempts: 1 } };
    expect(handledUpTo(state, 2n)).toEqual({ segments: [8n, 4n], failure: { seq: 3n, attempts: 1 } });
    expect(handledUpTo(state, 4n)).toEqual({ segments: [8n], failure: undefined });
  });

  it("isolates any one poison record in a bounded number of deliveries, never charging a healthy one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), (size, at) => {
        const poison = Math.min(at, size);
        let todo = buffer(...Array.from({ length: size }, (_, i) => i + 1));
        let state = FRESH;
        for (let deliveries = 0; deliveries < 4 * size + 8; deliveries++) {
          const batch = nextBatch(todo, size, state);
          if (!batch.some((p) => Number(p.seq) === poison)) {
            todo = todo.slice(batch.length);
            state = handledUpTo(state, batch.at(-1)?.seq ?? 0n);
            continue;
          }
          if (batch.length === 1) return Number(batch[0]?.seq) === poison;
          state = bisect(state, batch);
        }
        return false;
      }),
    );
  });
});

describe("retry charging and dead letters (MaximumRetryAttempts)", () => {
  it("counts consecutive failures of the same record, and dead-letters at maxAttempts", () => {
    const first = charge(FRESH, 5n, 3);
    expect([first.attempts, first.deadLetter]).toEqual([1, false]);
    const second = charge(first.state, 5n, 3);
    expect([second.attempts, second.deadLetter]).toEqual([2, false]);
    const third = charge(second.state, 5n, 3);
    expect([third.attempts, third.deadLetter]).toEqual([3, true]);
  });

  it("starts again at 1 for another record", () => {
    expect(charge({ segments: [], failure: { seq: 5n, attempts: 2 } }, 6n, 3).attempts).toBe(1);
  });

  it("backs off doubling from the poll interval, up to 30 s", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 250))).toEqual([250, 500, 1000, 2000]);
    expect(retryDelayMs(20, 250)).toBe(30_000);
  });
});

describe("the batching window (MaximumBatchingWindowInSeconds)", () => {
  const settings = { batchWindowMs: 2000, batchSize: 10 };
  const shard = { buffered: 3, closed: false, gatheringSince: 1000, delivery: FRESH };
  it("waits for more while the oldest record is younger than the window", () => {
    expect(gathering(shard, settings, 2999, false)).toBe(true);
    expect(gathering(shard, settings, 3000, false)).toBe(false);
  });
  it("goes at once: a full batch, a closed shard, a retry, a half, someone waiting, no window", () => {
    expect(gathering({ ...shard, buffered: 10 }, settings, 1500, false)).toBe(false);
    expect(gathering({ ...shard, closed: true }, settings, 1500, false)).toBe(false);
    expect(
      gathering(
        { ...shard, delivery: { segments: [], failure: { seq: 1n, attempts: 1 } } },
        settings,
        1500,
        false,
      ),
    ).toBe(false);
    expect(
      gathering({ ...shard, delivery: { segments: [4n], failure: undefined } }, settings, 1500, false),
    ).toBe(false);
    expect(gathering(shard, settings, 1500, true)).toBe(false);
    expect(gathering(shard, { ...settings, batchWindowMs: 0 }, 1500, false)).toBe(false);
  });
});

describe("shard order", () => {
  it("reads children only after their parent is done, or once the parent is gone", () => {
    const shards = new Map([
      ["a", { shardId: "a", done: false, parentShardId: undefined }],
      ["b", { shardId: "b", done: false, parentShardId: "a" }],
      ["c", { shardId: "c", done: false, parentShardId: "trimmed" }],
      ["d", { shardId: "d", done: true, parentShardId: undefined }],
    ]);
    expect(readyShards(shards).map((s) => s.shardId)).toEqual(["a", "c"]);
    (shards.get("a") as { done: boolean }).done = true;
    expect(readyShards(shards).map((s) => s.shardId)).toEqual(["b", "c"]);
  });
});
