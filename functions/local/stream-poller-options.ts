/** What the stream poller is given (Lambda's event source mapping settings) and what it gives back. */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { StreamPollerError } from "./stream-poller-error.ts";
import type { StreamTaps } from "./stream-tap.ts";

export interface StreamPollerOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  /** Who consumes the stream (evaluator, events, audit …): named in reports and dead letters. */
  readonly consumer?: string;
  /** The Lambda handler itself: `{ batchItemFailures }` for a partial failure, nothing for success. */
  // biome-ignore lint/suspicious/noConfusingVoidType: an async handler returning nothing (Promise<void>) must fit, as on Lambda
  readonly handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /** Most records per invocation. Default 100, Lambda's default for DynamoDB streams. */
  readonly batchSize?: number;
  /** Failed attempts of one record before it is dead-lettered. Default 3. */
  readonly maxAttempts?: number;
  /** Sleep when there is nothing new (and the base of the retry backoff). Default 250 ms. */
  readonly pollIntervalMs?: number;
  /**
   * Lambda's MaximumBatchingWindowInSeconds, in ms: records are gathered until the batch is full
   * or the oldest has waited this long, then delivered. Default 0: deliver what a read returns.
   */
  readonly batchWindowMs?: number;
  /**
   * The clock the batching window is measured with (epoch ms). Default `Date.now`; a test holds it
   * still or moves it by hand, so what is gathered never depends on how fast the machine is.
   */
  readonly windowClock?: () => number;
  /** JSON Lines file receiving records that failed `maxAttempts` times; without it they are only reported. */
  readonly deadLetterFile?: string;
  /** JSON file keeping the last handled sequence number per shard, to resume after a restart. */
  readonly checkpointFile?: string;
  /** Everything that goes wrong while running; default: one line on stderr. */
  readonly onError?: (error: StreamPollerError) => void;
  /** The stream can be read again after failures (once per recovery); default: nothing. */
  readonly onRecovered?: (message: string) => void;
  /**
   * Pollers given the same StreamTaps share their reads of a stream (stream-tap.ts): each still
   * sees every record in order at its own pace. Default: this poller reads on its own.
   */
  readonly taps?: StreamTaps;
  /** Awaited before each batch is delivered (the local runtime gives way there: give-way.ts). */
  readonly beforeDelivery?: () => Promise<void>;
}

export interface StreamPoller {
  /** Finishes the batch in flight, saves the checkpoint and stops. Idempotent. */
  stop(): Promise<void>;
  /**
   * Resolves once every record in the stream at the time of the call has been handled or
   * dead-lettered: a full pass over all shards, begun after the call, found nothing left to do.
   * A batch being gathered in its batching window is delivered at once while someone waits here.
   * Rejects with a `stream_poller_stopped` error if the poller stops first.
   */
  drained(): Promise<void>;
  /**
   * Lambda's `Enabled` flag of an event source mapping: disabled, the poller reads and delivers
   * nothing (a batch in flight finishes) and records wait in the stream; enabled again, it goes
   * on from where it stopped. drained() waits for it to be enabled.
   */
  setEnabled(enabled: boolean): void;
  /** Records read from the stream and not handled yet (the batch in flight included). */
  backlog(): number;
}

/** The options, checked, with their defaults. */
export interface Settings {
  readonly tableName: string;
  readonly batchSize: number;
  readonly maxAttempts: number;
  readonly pollIntervalMs: number;
  readonly batchWindowMs: number;
  readonly windowClock: () => number;
}

export function settingsOf(opts: StreamPollerOptions): Settings {
  const tableName = opts.tableName;
  const batchWindowMs = opts.batchWindowMs ?? 0;
  const settings = {
    tableName,
    batchSize: positiveInteger(opts.batchSize ?? 100, "batchSize", tableName),
    maxAttempts: positiveInteger(opts.maxAttempts ?? 3, "maxAttempts", tableName),
    pollIntervalMs: positiveInteger(opts.pollIntervalMs ?? 250, "pollIntervalMs", tableName),
    batchWindowMs,
    windowClock: opts.windowClock ?? Date.now,
  };
  if (!Number.isInteger(batchWindowMs) || batchWindowMs < 0)
    throw new StreamPollerError(
      "invalid_options",
      `batchWindowMs must be a whole number ≥ 0, got ${batchWindowMs}`,
      { tableName },
    );
  return settings;
}

function positiveInteger(value: number, name: string, tableName: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new StreamPollerError("invalid_options", `${name} must be a positive integer, got ${value}`, {
      tableName,
    });
  }
  return value;
}
