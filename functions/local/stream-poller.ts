/**
 * Emulates AWS Lambda's DynamoDB Streams event source mapping on DynamoDB Local, so `npm start`
 * and the tests run the evaluator's stream handler exactly as Lambda would call it.
 *
 * What is copied from Lambda (settings: ReportBatchItemFailures, BisectBatchOnFunctionError,
 * MaximumRetryAttempts, an on-failure destination):
 * - events shaped like Lambda's `DynamoDBStreamEvent`, batches of up to `batchSize` records in
 *   stream order, one shard at a time, parents before children;
 * - `{ batchItemFailures }`: records before the lowest failed sequence number are done, the failed
 *   record and everything after it are retried; an identifier that is not in the batch fails the
 *   whole batch, as on Lambda;
 * - a thrown error fails the whole batch, which is split in two halves tried separately, recursively,
 *   until a poison record is alone;
 * - after `maxAttempts` failed attempts of the same record it goes to the dead-letter file (one JSON
 *   line) and the shard moves past it.
 * What differs, on purpose: checkpoints can be kept in a file, so a restart resumes where it left
 * off instead of re-reading the stream; re-delivery after a crash is possible (as on Lambda) and the
 * handler must be idempotent. Made for DynamoDB Local (one shard per table); it works against AWS
 * but is no replacement for the real event source mapping there.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  type _Record,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type AttributeValue as SdkAttributeValue,
  type Shard,
} from "@aws-sdk/client-dynamodb-streams";
import type {
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  AttributeValue as LambdaAttributeValue,
  StreamRecord,
} from "aws-lambda";
import { DomainError } from "../core/errors.ts";
import { FAILURE_CAUSES, type FailureCauses } from "../handlers/stream-batch.ts";

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
  /** JSON Lines file receiving records that failed `maxAttempts` times; without it they are only reported. */
  readonly deadLetterFile?: string;
  /** JSON file keeping the last handled sequence number per shard, to resume after a restart. */
  readonly checkpointFile?: string;
  /** Everything that goes wrong while running; default: one line on stderr. */
  readonly onError?: (error: StreamPollerError) => void;
  /** The stream can be read again after failures (once per recovery); default: nothing. */
  readonly onRecovered?: (message: string) => void;
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
}

export type StreamPollerErrorCode =
  | "invalid_options"
  | "table_not_found"
  | "stream_not_enabled"
  | "checkpoint_unreadable"
  | "checkpoint_write_failed"
  | "stream_read_failed"
  | "handler_failed"
  | "record_failed"
  | "invalid_batch_response"
  | "record_dead_lettered"
  | "dead_letter_write_failed"
  | "stream_poller_stopped";

export class StreamPollerError extends DomainError<StreamPollerErrorCode> {
  override readonly name: string = "StreamPollerError";
  readonly tableName: string;
  readonly shardId: string | undefined;
  /** The record concerned (for handler failures: the first record of the failed batch or the failed one). */
  readonly sequenceNumber: string | undefined;
  readonly attempts: number | undefined;
  constructor(
    code: StreamPollerErrorCode,
    message: string,
    context: {
      tableName: string;
      shardId?: string;
      sequenceNumber?: string;
      attempts?: number;
      cause?: unknown;
    },
  ) {
    super(code, message, { cause: context.cause });
    this.tableName = context.tableName;
    this.shardId = context.shardId;
    this.sequenceNumber = context.sequenceNumber;
    this.attempts = context.attempts;
  }
}

/** One line of the dead-letter file. */
export interface DeadLetter {
  readonly time: string;
  /** The consumer whose handler failed (several read the same table's stream). */
  readonly consumer?: string;
  readonly tableName: string;
  readonly shardId: string;
  readonly attempts: number;
  readonly error: { readonly name: string; readonly message: string; readonly code?: string };
  readonly record: DynamoDBRecord;
}

/** The checkpoint file: positions are only valid for the stream they were read from. */
interface CheckpointFile {
  readonly version: 1;
  readonly streamArn: string;
  readonly shards: Record<string, { readonly sequenceNumber?: string; readonly done?: true }>;
}

interface Pending {
  readonly seq: bigint;
  readonly record: DynamoDBRecord;
}

interface ShardState {
  readonly shardId: string;
  readonly parentShardId: string | undefined;
  /** Last record handled or dead-lettered: the stream is consumed up to and including it. */
  checkpoint: string | undefined;
  /** Closed and every record handled: its children may start. */
  done: boolean;
  /** GetRecords said the shard ends (no next iterator); `buffer` holds what is left of it. */
  closed: boolean;
  iterator: string | undefined;
  /** Read but not yet handled, in stream order. */
  buffer: Pending[];
  /** When the oldest record in `buffer` was read (epoch ms): the batching window runs from it. */
  gatheringSince: number;
  /**
   * Bisection stack: end sequence numbers of batch halves still to try separately (innermost
   * last). A batch never extends past the innermost end; empty = normal batches.
   */
  segments: bigint[];
  /** The record that failed last, and how often in a row. */
  failure: { seq: bigint; attempts: number } | undefined;
  /** No retry before this time (epoch ms): a short backoff, like Lambda's, between attempts. */
  retryAt: number;
}

const GET_RECORDS_MAX = 1_000;
const SHARD_REFRESH_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * Wait before the next read after `failures` consecutive failed reads: exponential from `baseMs`,
 * capped at 30 s, with "equal jitter" (between half and all of it) so that readers that failed
 * together (four consumers when DynamoDB goes away) do not retry together.
 */
export function readBackoffMs(failures: number, baseMs: number, random: () => number = Math.random): number {
  const full = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(full / 2 + (full / 2) * random());
}

export async function startStreamPoller(opts: StreamPollerOptions): Promise<StreamPoller> {
  const tableName = opts.tableName;
  const batchSize = positiveInteger(opts.batchSize ?? 100, "batchSize", tableName);
  const maxAttempts = positiveInteger(opts.maxAttempts ?? 3, "maxAttempts", tableName);
  const pollIntervalMs = positiveInteger(opts.pollIntervalMs ?? 250, "pollIntervalMs", tableName);
  const batchWindowMs = opts.batchWindowMs ?? 0;
  if (!Number.isInteger(batchWindowMs) || batchWindowMs < 0)
    throw new StreamPollerError(
      "invalid_options",
      `batchWindowMs must be a whole number ≥ 0, got ${batchWindowMs}`,
      { tableName },
    );
  const report = (error: StreamPollerError) => {
    try {
      (opts.onError ?? defaultOnError)(error);
    } catch (failure) {
      console.error("stream poller: onError threw", failure);
    }
  };

  const table = await opts.dynamodb.send(new DescribeTableCommand({ TableName: tableName })).then(
    (out) => out.Table,
    (error: unknown) => {
      throw new StreamPollerError(
        errorName(error) === "ResourceNotFoundException" ? "table_not_found" : "stream_read_failed",
        `cannot describe table ${tableName}: ${describeError(error).message}`,
        { tableName, cause: error },
      );
    },
  );
  const streamArn = table?.LatestStreamArn;
  if (streamArn === undefined || table?.StreamSpecification?.StreamEnabled !== true) {
    throw new StreamPollerError("stream_not_enabled", `table ${tableName} has no stream enabled`, {
      tableName,
    });
  }
  const saved =
    opts.checkpointFile === undefined
      ? undefined
      : await loadCheckpoints(opts.checkpointFile, streamArn, tableName);

  const shards = new Map<string, ShardState>();
  const abort = new AbortController();
  let stopped = false;
  let enabled = true;
  let lastRefresh = 0;
  let refreshNeeded = true;
  let cyclesStarted = 0;
  /** Consecutive failed passes: a failure is reported when the stream stops being readable, once. */
  let readFailures = 0;
  let checkpointDirty = false;
  const waiters: { afterCycle: number; resolve: () => void; reject: (error: unknown) => void }[] = [];

  /** Reads the shard list (paginated), adding shards we do not know yet. */
  const refreshShards = async () => {
    const found: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription: description } = await opts.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      found.push(...(description?.Shards ?? []));
      start = description?.LastEvaluatedShardId;
    } while (start !== undefined);
    for (const shard of found) {
      if (shard.ShardId === undefined || shards.has(shard.ShardId)) continue;
      const persisted = saved?.shards[shard.ShardId];
      shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        parentShardId: shard.ParentShardId,
        checkpoint: persisted?.sequenceNumber,
        done: persisted?.done === true,
        closed: persisted?.done === true,
        iterator: undefined,
        buffer: [],
        gatheringSince: 0,
        segments: [],
        failure: undefined,
        retryAt: 0,
      });
    }
    lastRefresh = Date.now();
    refreshNeeded = false;
  };

  /** Shards whose parent is finished (or gone from the stream, i.e. trimmed), in discovery order. */
  const readyShards = () =>
    [...shards.values()].filter((s) => {
      if (s.done) return false;
      const parent = s.parentShardId === undefined ? undefined : shards.get(s.parentShardId);
      return parent === undefined || parent.done;
    });

  const context = (
    shard: ShardState,
    extra: { sequenceNumber?: string; attempts?: number; cause?: unknown } = {},
  ) => ({
    tableName,
    shardId: shard.shardId,
    ...extra,
  });

  /** Where reading resumes: after the last record read into memory, else after the checkpoint. */
  const acquireIterator = async (shard: ShardState): Promise<string | undefined> => {
    const last = shard.buffer.at(-1)?.record.dynamodb?.SequenceNumber ?? shard.checkpoint;
    try {
      const { ShardIterator: iterator } = await opts.streams.send(
        new GetShardIteratorCommand(
          last === undefined
            ? { StreamArn: streamArn, ShardId: shard.shardId, ShardIteratorType: "TRIM_HORIZON" }
            : {
                StreamArn: streamArn,
                ShardId: shard.shardId,
                ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
                SequenceNumber: last,
              },
        ),
      );
      return iterator;
    } catch (error) {
      if (last === undefined || errorName(error) !== "TrimmedDataAccessException") throw error;
      // The position is older than the stream's retention: nothing can be read there any more.
      report(
        new StreamPollerError(
          "stream_read_failed",
          `${tableName} ${shard.shardId}: records after ${last} were trimmed from the stream; continuing from the oldest one`,
          context(shard, { sequenceNumber: last, cause: error }),
        ),
      );
      const { ShardIterator: iterator } = await opts.streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.shardId,
          ShardIteratorType: "TRIM_HORIZON",
        }),
      );
      return iterator;
    }
  };

  /** Tops the buffer up to a batch; returns whether any record was read. */
  const fill = async (shard: ShardState): Promise<boolean> => {
    let read = false;
    let renewed = false;
    while (shard.buffer.length < batchSize && !shard.closed && !stopped) {
      shard.iterator ??= await acquireIterator(shard);
      if (shard.iterator === undefined) {
        shard.closed = true;
        break;
      }
      let page: Awaited<ReturnType<typeof getRecords>>;
      try {
        page = await getRecords(shard.iterator, Math.min(GET_RECORDS_MAX, batchSize - shard.buffer.length));
      } catch (error) {
        // An iterator is only good for a while: AWS expires it after 15 min, and DynamoDB Local
        // answers TrimmedDataAccessException for an iterator that idled on an empty stream. Take
        // a new one at the same position (after the last record read, else the oldest), once per
        // fill; a failing iterator is never reused.
        shard.iterator = undefined;
        const name = errorName(error);
        if ((name !== "ExpiredIteratorException" && name !== "TrimmedDataAccessException") || renewed)
          throw error;
        renewed = true;
        continue;
      }
      shard.iterator = page.NextShardIterator;
      if (shard.iterator === undefined) {
        shard.closed = true;
        refreshNeeded = true; // its children appear in the shard list now
      }
      const records = page.Records ?? [];
      if (shard.buffer.length === 0) shard.gatheringSince = Date.now();
      for (const record of records) {
        const lambda = toLambdaRecord(record, streamArn);
        shard.buffer.push({ seq: BigInt(lambda.dynamodb?.SequenceNumber ?? "0"), record: lambda });
      }
      if (records.length === 0) break; // caught up (an open shard) or at its end (a closed one)
      read = true;
    }
    return read;
  };

  const getRecords = (iterator: string, limit: number) =>
    opts.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));

  /** Marks everything up to `seq` as handled and forgets bisection halves that are finished. */
  const advance = (shard: ShardState, count: number) => {
    const done = shard.buffer.splice(0, count);
    const last = done.at(-1);
    if (last === undefined) return;
    shard.checkpoint = last.record.dynamodb?.SequenceNumber;
    while (shard.segments.length > 0 && (shard.segments.at(-1) ?? 0n) <= last.seq) shard.segments.pop();
    if (shard.failure !== undefined && shard.failure.seq <= last.seq) shard.failure = undefined;
    checkpointDirty = true;
  };

  /** One failed attempt charged to the first unhandled record; dead-letters it at `maxAttempts`. */
  const charge = async (shard: ShardState, error: StreamPollerError | Error) => {
    const head = shard.buffer[0];
    if (head === undefined) return;
    const attempts = shard.failure?.seq === head.seq ? shard.failure.attempts + 1 : 1;
    shard.failure = { seq: head.seq, attempts };
    const sequenceNumber = head.record.dynamodb?.SequenceNumber;
    if (attempts < maxAttempts) {
      shard.retryAt = Date.now() + Math.min(pollIntervalMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
      report(
        new StreamPollerError(
          error instanceof StreamPollerError ? error.code : "handler_failed",
          `${tableName}: record ${sequenceNumber} failed (attempt ${attempts} of ${maxAttempts}): ${error.message}`,
          context(shard, { sequenceNumber, attempts, cause: error }),
        ),
      );
      return;
    }
    const letter: DeadLetter = {
      time: new Date().toISOString(),
      ...(opts.consumer ? { consumer: opts.consumer } : {}),
      tableName,
      shardId: shard.shardId,
      attempts,
      // the handler's own error when it reported one, not our "the handler reported a failure"
      error: describeError(
        error instanceof StreamPollerError && error.code === "record_failed" && error.cause instanceof Error
          ? error.cause
          : error,
      ),
      record: head.record,
    };
    if (opts.deadLetterFile !== undefined) {
      try {
        await mkdir(dirname(opts.deadLetterFile), { recursive: true });
        await appendFile(opts.deadLetterFile, `${JSON.stringify(letter)}\n`);
      } catch (writeError) {
        // never move past a record that was not written down: retry the write on the next pass
        shard.retryAt = Date.now() + pollIntervalMs;
        report(
          new StreamPollerError(
            "dead_letter_write_failed",
            `${tableName}: could not write record ${sequenceNumber} to ${opts.deadLetterFile}: ${describeError(writeError).message}`,
            context(shard, { sequenceNumber, attempts, cause: writeError }),
          ),
        );
        return;
      }
    }
    report(
      new StreamPollerError(
        "record_dead_lettered",
        `${tableName}: record ${sequenceNumber} failed ${attempts} times and was ${
          opts.deadLetterFile === undefined
            ? "discarded (no dead-letter file)"
            : `written to ${opts.deadLetterFile}`
        }: ${error.message}`,
        context(shard, { sequenceNumber, attempts, cause: error }),
      ),
    );
    advance(shard, 1);
  };

  /** Invokes the handler with the next batch and applies Lambda's outcome rules. */
  const deliver = async (shard: ShardState) => {
    const end = shard.segments.at(-1);
    const batch: Pending[] = [];
    for (const pending of shard.buffer) {
      if (batch.length >= batchSize || (end !== undefined && pending.seq > end)) break;
      batch.push(pending);
    }
    const first = batch[0];
    const last = batch.at(-1);
    if (first === undefined || last === undefined) return;
    const firstSeq = first.record.dynamodb?.SequenceNumber;

    let failedAt: number | undefined; // index of the lowest reported failure
    let thrown: Error | undefined;
    let causes: FailureCauses | undefined;
    try {
      // a fresh copy per attempt: a handler that edits its event must not change the retry or the dead letter
      const response = await opts.handler({ Records: batch.map((p) => structuredClone(p.record)) });
      const failures = response?.batchItemFailures ?? [];
      causes = response ? (response as { [FAILURE_CAUSES]?: FailureCauses })[FAILURE_CAUSES] : undefined;
      for (const failure of failures) {
        const index = batch.findIndex((p) => p.record.dynamodb?.SequenceNumber === failure?.itemIdentifier);
        if (index === -1) {
          thrown = new StreamPollerError(
            "invalid_batch_response",
            `${tableName}: batchItemFailures names ${JSON.stringify(failure?.itemIdentifier)}, which is not a sequence number of the batch: the whole batch counts as failed`,
            context(shard, { sequenceNumber: firstSeq }),
          );
          break;
        }
        failedAt = Math.min(failedAt ?? index, index);
      }
    } catch (error) {
      thrown = error instanceof Error ? error : new Error(String(error));
    }

    if (thrown !== undefined) {
      if (batch.length > 1) {
        // Nobody is charged: the culprit is unknown. Try the halves separately, innermost first.
        if (end !== last.seq) shard.segments.push(last.seq);
        shard.segments.push(batch[Math.ceil(batch.length / 2) - 1]?.seq ?? first.seq);
        report(
          thrown instanceof StreamPollerError
            ? thrown
            : new StreamPollerError(
                "handler_failed",
                `${tableName}: a batch of ${batch.length} records from ${firstSeq} failed, retrying it in halves: ${thrown.message}`,
                context(shard, { sequenceNumber: firstSeq, cause: thrown }),
              ),
        );
        return;
      }
      await charge(shard, thrown);
      return;
    }
    if (failedAt === undefined) {
      advance(shard, batch.length);
      return;
    }
    advance(shard, failedAt);
    const failed = shard.buffer[0]?.record.dynamodb?.SequenceNumber;
    const cause = failed === undefined ? undefined : causes?.get(failed);
    await charge(
      shard,
      new StreamPollerError(
        "record_failed",
        `${tableName}${opts.consumer ? ` (${opts.consumer})` : ""}: the handler reported record ${failed} in batchItemFailures${
          cause instanceof Error ? `: ${cause.message}` : ""
        }`,
        context(shard, { sequenceNumber: failed, ...(cause instanceof Error ? { cause } : {}) }),
      ),
    );
  };

  /**
   * Still within the batching window: a partial batch of new records waits for more. Retries and
   * bisection halves go at once, a closed shard has nothing more to gather, and someone waiting in
   * drained() wants what is there now (tests and `npm start`'s shutdown should not wait out windows).
   */
  const gathering = (shard: ShardState) =>
    batchWindowMs > 0 &&
    waiters.length === 0 &&
    shard.buffer.length < batchSize &&
    !shard.closed &&
    shard.segments.length === 0 &&
    shard.failure === undefined &&
    Date.now() - shard.gatheringSince < batchWindowMs;

  /** One step for one shard. `worked`: something happened; `pending`: records are still waiting. */
  const pump = async (shard: ShardState): Promise<{ worked: boolean; pending: boolean }> => {
    let worked = false;
    if (shard.segments.length === 0 && shard.buffer.length < batchSize && !shard.closed) {
      worked = await fill(shard);
    }
    if (shard.buffer.length === 0) {
      if (shard.closed) {
        shard.done = true;
        checkpointDirty = true;
        return { worked: true, pending: false };
      }
      return { worked, pending: false };
    }
    if (Date.now() < shard.retryAt) return { worked, pending: true };
    if (gathering(shard)) return { worked, pending: true };
    await deliver(shard);
    return { worked: true, pending: true };
  };

  const saveCheckpoints = async () => {
    if (opts.checkpointFile === undefined || !checkpointDirty) return;
    const file: CheckpointFile = {
      version: 1,
      streamArn,
      shards: Object.fromEntries(
        [...shards.values()]
          .filter((s) => s.checkpoint !== undefined || s.done)
          .map((s) => [
            s.shardId,
            {
              ...(s.checkpoint === undefined ? {} : { sequenceNumber: s.checkpoint }),
              ...(s.done ? { done: true } : {}),
            },
          ]),
      ),
    };
    try {
      await writeAtomically(opts.checkpointFile, `${JSON.stringify(file, null, 2)}\n`);
      checkpointDirty = false;
    } catch (error) {
      // the positions stay in memory; the next successful save writes them all
      report(
        new StreamPollerError(
          "checkpoint_write_failed",
          `${tableName}: could not save the checkpoint to ${opts.checkpointFile}: ${describeError(error).message}`,
          { tableName, cause: error },
        ),
      );
    }
  };

  const run = async () => {
    while (!stopped) {
      if (!enabled) {
        await sleep(pollIntervalMs, undefined, { signal: abort.signal }).catch(() => {});
        continue;
      }
      const cycle = cyclesStarted++;
      let worked = false;
      let pending = false;
      let failed = false;
      try {
        if (refreshNeeded || waiters.length > 0 || Date.now() - lastRefresh > SHARD_REFRESH_MS)
          await refreshShards();
        for (const shard of readyShards()) {
          if (stopped) break;
          const step = await pump(shard);
          worked ||= step.worked;
          pending ||= step.pending;
          await saveCheckpoints();
        }
      } catch (error) {
        failed = true;
        readFailures++;
        // once per change of state, not once per retry (a dead DynamoDB once logged ~31 KB/s)
        if (readFailures === 1)
          report(
            new StreamPollerError(
              "stream_read_failed",
              `${tableName}: reading the stream failed: ${describeError(error).message} (retrying with backoff; reported again only after it recovers)`,
              {
                tableName,
                cause: error,
              },
            ),
          );
      }
      if (!failed && readFailures > 0) {
        opts.onRecovered?.(
          `${tableName}: the stream is readable again after ${readFailures} failed attempt(s)`,
        );
        readFailures = 0;
      }
      if (failed && !stopped) {
        await sleep(readBackoffMs(readFailures, pollIntervalMs), undefined, { signal: abort.signal }).catch(
          () => {},
        );
        continue;
      }
      if (!worked && !pending && !failed) {
        for (const waiter of waiters.filter((w) => w.afterCycle <= cycle)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      // never spin: wait when this pass found nothing to do, was only waiting out a backoff, or failed
      if (!worked && !stopped) {
        // a batch being gathered goes when its window closes, not at the next poll after that
        const windowLeft = Math.min(
          ...[...shards.values()]
            .filter(gathering)
            .map((shard) => Math.max(1, shard.gatheringSince + batchWindowMs - Date.now())),
        );
        await sleep(Math.min(pollIntervalMs, windowLeft), undefined, { signal: abort.signal }).catch(
          () => {},
        );
      }
    }
  };

  const running = run().catch((error: unknown) => {
    // a bug in the loop itself: say so, and do not leave drained() callers waiting forever
    stopped = true;
    const failure = new StreamPollerError(
      "stream_read_failed",
      `${tableName}: the stream poller crashed: ${describeError(error).message}`,
      {
        tableName,
        cause: error,
      },
    );
    report(failure);
    for (const waiter of waiters.splice(0)) waiter.reject(failure);
  });

  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        abort.abort();
        await running;
        await saveCheckpoints();
        for (const waiter of waiters.splice(0)) {
          waiter.reject(
            new StreamPollerError("stream_poller_stopped", `${tableName}: the stream poller stopped`, {
              tableName,
            }),
          );
        }
      })();
      return stopping;
    },
    setEnabled: (value: boolean) => {
      enabled = value;
    },
    drained: () => {
      if (stopped) {
        return Promise.reject(
          new StreamPollerError("stream_poller_stopped", `${tableName}: the stream poller stopped`, {
            tableName,
          }),
        );
      }
      return new Promise<void>((resolve, reject) => {
        waiters.push({ afterCycle: cyclesStarted, resolve, reject });
      });
    },
  };
}

/** The record as Lambda delivers it: same fields, same order, binary values in base64, time in epoch seconds. */
export function toLambdaRecord(record: _Record, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const dynamodb: StreamRecord = {};
  if (stream.ApproximateCreationDateTime !== undefined)
    dynamodb.ApproximateCreationDateTime = stream.ApproximateCreationDateTime.getTime() / 1000;
  if (stream.Keys !== undefined) dynamodb.Keys = toLambdaMap(stream.Keys);
  if (stream.NewImage !== undefined) dynamodb.NewImage = toLambdaMap(stream.NewImage);
  if (stream.OldImage !== undefined) dynamodb.OldImage = toLambdaMap(stream.OldImage);
  if (stream.SequenceNumber !== undefined) dynamodb.SequenceNumber = stream.SequenceNumber;
  if (stream.SizeBytes !== undefined) dynamodb.SizeBytes = stream.SizeBytes;
  if (stream.StreamViewType !== undefined) dynamodb.StreamViewType = stream.StreamViewType;

  const lambda: DynamoDBRecord = {};
  if (record.eventID !== undefined) lambda.eventID = record.eventID;
  if (record.eventName !== undefined) lambda.eventName = record.eventName;
  if (record.eventVersion !== undefined) lambda.eventVersion = record.eventVersion;
  lambda.eventSource = record.eventSource ?? "aws:dynamodb";
  if (record.awsRegion !== undefined) lambda.awsRegion = record.awsRegion;
  lambda.dynamodb = dynamodb;
  lambda.eventSourceARN = streamArn;
  // only TTL deletions carry an identity; Lambda spells its fields in camel case
  if (record.userIdentity !== undefined) {
    lambda.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  }
  return lambda;
}

function toLambdaMap(map: Record<string, SdkAttributeValue>): Record<string, LambdaAttributeValue> {
  const out: Record<string, LambdaAttributeValue> = {};
  for (const [name, value] of Object.entries(map)) out[name] = toLambdaValue(value);
  return out;
}

function toLambdaValue(value: SdkAttributeValue): LambdaAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString("base64") };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString("base64")) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaMap(value.M) };
  throw new Error(`unknown DynamoDB attribute value type: ${Object.keys(value).join(",")}`);
}

async function loadCheckpoints(
  path: string,
  streamArn: string,
  tableName: string,
): Promise<CheckpointFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StreamPollerError(
      "checkpoint_unreadable",
      `cannot read the checkpoint ${path}: ${describeError(error).message}`,
      {
        tableName,
        cause: error,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StreamPollerError(
      "checkpoint_unreadable",
      `the checkpoint ${path} is not JSON: delete it to re-read the stream from its oldest record`,
      { tableName, cause: error },
    );
  }
  const file = parsed as Partial<CheckpointFile> | null;
  if (
    file?.version !== 1 ||
    typeof file.streamArn !== "string" ||
    typeof file.shards !== "object" ||
    file.shards === null
  ) {
    throw new StreamPollerError(
      "checkpoint_unreadable",
      `the checkpoint ${path} is not a version 1 checkpoint: delete it to re-read the stream from its oldest record`,
      { tableName },
    );
  }
  // another stream (the table was recreated): its positions mean nothing here, start from the oldest record
  return file.streamArn === streamArn ? (file as CheckpointFile) : undefined;
}

let temporaries = 0;

/** Write-then-rename: a crash leaves the old checkpoint or the new one, never half of one. */
async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // unique per write: two pollers sharing a file must not rename each other's half-written temporary
  const temporary = `${path}.${process.pid}-${++temporaries}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

function positiveInteger(value: number, name: string, tableName: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new StreamPollerError("invalid_options", `${name} must be a positive integer, got ${value}`, {
      tableName,
    });
  }
  return value;
}

function describeError(error: unknown): { name: string; message: string; code?: string } {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === "string"
    ? { name: error.name, message: error.message, code }
    : { name: error.name, message: error.message };
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | null)?.name;
}

function defaultOnError(error: StreamPollerError): void {
  console.error(`stream poller: ${error.message}`);
}
