/**
 * The delivery rules of Lambda's DynamoDB Streams event source mapping (ReportBatchItemFailures,
 * BisectBatchOnFunctionError, MaximumRetryAttempts, an on-failure destination), as pure functions
 * over one shard's delivery state. The stream poller (stream-poller.ts) does the I/O around them;
 * test/local/stream-delivery.test.ts checks them without DynamoDB.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord } from "aws-lambda";
import { exponentialBackoff } from "../core/retry.ts";

/** A record read from the shard and not yet handled. */
export interface Pending {
  readonly seq: bigint;
  readonly record: DynamoDBRecord;
}

/** What a shard's delivery remembers between batches. */
export interface DeliveryState {
  /**
   * Bisection stack: end sequence numbers of batch halves still to try separately (innermost
   * last). A batch never extends past the innermost end; empty = normal batches.
   */
  readonly segments: readonly bigint[];
  /** The record that failed last, and how often in a row. */
  readonly failure: { readonly seq: bigint; readonly attempts: number } | undefined;
}

export const FRESH: DeliveryState = { segments: [], failure: undefined };

/** The next batch: records in stream order, at most `batchSize`, never past the innermost half. */
export function nextBatch(buffer: readonly Pending[], batchSize: number, state: DeliveryState): Pending[] {
  const end = state.segments.at(-1);
  const batch: Pending[] = [];
  for (const pending of buffer) {
    if (batch.length >= batchSize || (end !== undefined && pending.seq > end)) break;
    batch.push(pending);
  }
  return batch;
}

export type BatchOutcome =
  | { readonly kind: "succeeded" }
  /** records before `failedAt` (an index into the batch) are done; it and the rest are retried */
  | { readonly kind: "partial"; readonly failedAt: number }
  /** batchItemFailures named something that is not in the batch: the whole batch failed */
  | { readonly kind: "invalid_response"; readonly identifier: unknown }
  | { readonly kind: "threw"; readonly error: Error };

/**
 * How Lambda reads a handler's answer: nothing or no failures = success; the lowest failed
 * sequence number splits the batch; an identifier not in the batch fails it all.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: an async handler returning nothing (Promise<void>) must fit, as on Lambda
export function outcomeOf(batch: readonly Pending[], response: DynamoDBBatchResponse | void): BatchOutcome {
  let failedAt: number | undefined;
  for (const failure of response?.batchItemFailures ?? []) {
    const index = batch.findIndex((p) => p.record.dynamodb?.SequenceNumber === failure?.itemIdentifier);
    if (index === -1) return { kind: "invalid_response", identifier: failure?.itemIdentifier };
    failedAt = Math.min(failedAt ?? index, index);
  }
  return failedAt === undefined ? { kind: "succeeded" } : { kind: "partial", failedAt };
}

/**
 * A batch of several records failed as a whole: nobody is charged (the culprit is unknown); its
 * two halves are tried separately, the first one first. A single record is charged instead.
 */
export function bisect(state: DeliveryState, batch: readonly Pending[]): DeliveryState {
  const first = batch[0];
  const last = batch.at(-1);
  if (first === undefined || last === undefined || batch.length < 2) return state;
  const segments = [...state.segments];
  if (segments.at(-1) !== last.seq) segments.push(last.seq);
  segments.push(batch[Math.ceil(batch.length / 2) - 1]?.seq ?? first.seq);
  return { ...state, segments };
}

/** Records up to `lastSeq` are handled: finished halves are forgotten, and a failure behind us. */
export function handledUpTo(state: DeliveryState, lastSeq: bigint): DeliveryState {
  const segments = [...state.segments];
  while (segments.length > 0 && (segments.at(-1) ?? 0n) <= lastSeq) segments.pop();
  const failure = state.failure !== undefined && state.failure.seq <= lastSeq ? undefined : state.failure;
  return { segments, failure };
}

/**
 * One failed attempt charged to the first unhandled record (`headSeq`): its count goes up if it
 * failed last time too, else starts at 1; at `maxAttempts` it is to be dead-lettered.
 */
export function charge(
  state: DeliveryState,
  headSeq: bigint,
  maxAttempts: number,
): { state: DeliveryState; attempts: number; deadLetter: boolean } {
  const attempts = state.failure?.seq === headSeq ? state.failure.attempts + 1 : 1;
  return {
    state: { ...state, failure: { seq: headSeq, attempts } },
    attempts,
    deadLetter: attempts >= maxAttempts,
  };
}

/**
 * Wait before the next read after `failures` consecutive failed reads: exponential from `baseMs`,
 * capped at 30 s, with "equal jitter" (between half and all of it) so that readers that failed
 * together (four consumers when DynamoDB goes away) do not retry together.
 */
export function readBackoffMs(failures: number, baseMs: number, random: () => number = Math.random): number {
  const full = exponentialBackoff(baseMs, 30_000)(failures + 1);
  return Math.round(full / 2 + (full / 2) * random());
}

/** The pause before retrying a record after its `attempts`-th failure: doubling from the poll interval. */
export function retryDelayMs(attempts: number, pollIntervalMs: number, maxMs = 30_000): number {
  return exponentialBackoff(pollIntervalMs, maxMs)(attempts + 1);
}

/**
 * Still within the batching window (MaximumBatchingWindowInSeconds): a partial batch of new
 * records waits for more. Retries and bisection halves go at once, a closed shard has nothing
 * more to gather, and someone waiting in drained() wants what is there now.
 */
export function gathering(
  shard: {
    readonly buffered: number;
    readonly closed: boolean;
    readonly gatheringSince: number;
    readonly delivery: DeliveryState;
  },
  settings: { readonly batchWindowMs: number; readonly batchSize: number },
  now: number,
  someoneWaiting: boolean,
): boolean {
  return (
    settings.batchWindowMs > 0 &&
    !someoneWaiting &&
    shard.buffered < settings.batchSize &&
    !shard.closed &&
    shard.delivery.segments.length === 0 &&
    shard.delivery.failure === undefined &&
    now - shard.gatheringSince < settings.batchWindowMs
  );
}

/** Shards that may be read: not done, and whose parent is done (or gone from the stream: trimmed). */
export function readyShards<S extends { readonly done: boolean; readonly parentShardId: string | undefined }>(
  shards: ReadonlyMap<string, S>,
): S[] {
  return [...shards.values()].filter((s) => {
    if (s.done) return false;
    const parent = s.parentShardId === undefined ? undefined : shards.get(s.parentShardId);
    return parent === undefined || parent.done;
  });
}
