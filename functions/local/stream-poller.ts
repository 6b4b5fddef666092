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
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { FAILURE_CAUSES, type FailureCauses } from "../runtime/stream-batch.ts";
import {
  type CheckpointFile,
  checkpointsOf,
  loadCheckpoints,
  writeAtomically,
} from "./stream-checkpoints.ts";
import {
  type BatchOutcome,
  bisect,
  charge,
  gathering,
  handledUpTo,
  nextBatch,
  outcomeOf,
  type Pending,
  readBackoffMs,
  retryDelayMs,
} from "./stream-delivery.ts";
import {
  type DeadLetter,
  defaultOnError,
  describeError,
  errorName,
  StreamPollerError,
} from "./stream-poller-error.ts";
import {
  type Settings,
  type StreamPoller,
  type StreamPollerOptions,
  settingsOf,
} from "./stream-poller-options.ts";
import { type ShardState, StreamReader } from "./stream-reader.ts";

export { readBackoffMs } from "./stream-delivery.ts";
export { type DeadLetter, StreamPollerError, type StreamPollerErrorCode } from "./stream-poller-error.ts";
export type { StreamPoller, StreamPollerOptions } from "./stream-poller-options.ts";
export { toLambdaRecord } from "./stream-records.ts";

const SHARD_REFRESH_MS = 10_000;

export async function startStreamPoller(opts: StreamPollerOptions): Promise<StreamPoller> {
  const settings = settingsOf(opts);
  const { tableName } = settings;
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
  return new Poller(opts, settings, streamArn, saved).start();
}

interface Waiter {
  readonly afterCycle: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** One poller's loop: read, deliver by the rules, checkpoint; with the StreamPoller controls. */
class Poller {
  private readonly reader: StreamReader;
  private readonly abort = new AbortController();
  private stopped = false;
  private enabled = true;
  private cyclesStarted = 0;
  /** Consecutive failed passes: a failure is reported when the stream stops being readable, once. */
  private readFailures = 0;
  private checkpointDirty = false;
  private readonly waiters: Waiter[] = [];

  private readonly opts: StreamPollerOptions;
  private readonly settings: Settings;
  private readonly streamArn: string;

  constructor(
    opts: StreamPollerOptions,
    settings: Settings,
    streamArn: string,
    saved: CheckpointFile | undefined,
  ) {
    this.opts = opts;
    this.settings = settings;
    this.streamArn = streamArn;
    this.reader = new StreamReader(
      opts.streams,
      streamArn,
      settings.tableName,
      saved,
      (e) => this.report(e),
      settings.windowClock,
      opts.taps?.of(opts.streams, streamArn),
    );
  }

  start(): StreamPoller {
    const { tableName } = this.settings;
    const stoppedError = () =>
      new StreamPollerError("stream_poller_stopped", `${tableName}: the stream poller stopped`, {
        tableName,
      });
    const running = this.run().catch((error: unknown) => {
      // a bug in the loop itself: say so, and do not leave drained() callers waiting forever
      this.stopped = true;
      const failure = new StreamPollerError(
        "stream_read_failed",
        `${tableName}: the stream poller crashed: ${describeError(error).message}`,
        { tableName, cause: error },
      );
      this.report(failure);
      for (const waiter of this.waiters.splice(0)) waiter.reject(failure);
    });
    let stopping: Promise<void> | undefined;
    return {
      stop: () => {
        stopping ??= (async () => {
          this.stopped = true;
          this.abort.abort();
          await running;
          await this.saveCheckpoints();
          for (const waiter of this.waiters.splice(0)) waiter.reject(stoppedError());
        })();
        return stopping;
      },
      setEnabled: (value: boolean) => {
        this.enabled = value;
      },
      backlog: () => {
        let records = 0;
        for (const shard of this.reader.shards.values()) records += shard.buffer.length;
        return records;
      },
      drained: () => {
        if (this.stopped) return Promise.reject(stoppedError());
        return new Promise<void>((resolve, reject) => {
          this.waiters.push({ afterCycle: this.cyclesStarted, resolve, reject });
        });
      },
    };
  }

  private report(error: StreamPollerError): void {
    try {
      (this.opts.onError ?? defaultOnError)(error);
    } catch (failure) {
      console.error("stream poller: onError threw", failure);
    }
  }

  private context(
    shard: ShardState,
    extra: { sequenceNumber?: string; attempts?: number; cause?: unknown } = {},
  ) {
    return { tableName: this.settings.tableName, shardId: shard.shardId, ...extra };
  }

  /** Marks the first `count` buffered records as handled and forgets what is behind them. */
  private advance(shard: ShardState, count: number): void {
    const done = shard.buffer.splice(0, count);
    const last = done.at(-1);
    if (last === undefined) return;
    shard.checkpoint = last.record.dynamodb?.SequenceNumber;
    shard.delivery = handledUpTo(shard.delivery, last.seq);
    this.checkpointDirty = true;
  }

  /** One failed attempt charged to the first unhandled record; dead-letters it at `maxAttempts`. */
  private async charge(shard: ShardState, error: StreamPollerError | Error): Promise<void> {
    const head = shard.buffer[0];
    if (head === undefined) return;
    const { tableName, maxAttempts, pollIntervalMs } = this.settings;
    const charged = charge(shard.delivery, head.seq, maxAttempts);
    shard.delivery = charged.state;
    const { attempts } = charged;
    const sequenceNumber = head.record.dynamodb?.SequenceNumber;
    if (!charged.deadLetter) {
      shard.retryAt = Date.now() + retryDelayMs(attempts, pollIntervalMs);
      this.report(
        new StreamPollerError(
          error instanceof StreamPollerError ? error.code : "handler_failed",
          `${tableName}: record ${sequenceNumber} failed (attempt ${attempts} of ${maxAttempts}): ${error.message}`,
          this.context(shard, { sequenceNumber, attempts, cause: error }),
        ),
      );
      return;
    }
    if (!(await this.writeDeadLetter(shard, head, attempts, error))) return;
    const file = this.opts.deadLetterFile;
    this.report(
      new StreamPollerError(
        "record_dead_lettered",
        `${tableName}: record ${sequenceNumber} failed ${attempts} times and was ${
          file === undefined ? "discarded (no dead-letter file)" : `written to ${file}`
        }: ${error.message}`,
        this.context(shard, { sequenceNumber, attempts, cause: error }),
      ),
    );
    this.advance(shard, 1);
  }

  /** Appends the record to the dead-letter file (if any); false when that failed (retried next pass). */
  private async writeDeadLetter(
    shard: ShardState,
    head: Pending,
    attempts: number,
    error: Error,
  ): Promise<boolean> {
    const file = this.opts.deadLetterFile;
    if (file === undefined) return true;
    const { tableName } = this.settings;
    const letter: DeadLetter = {
      time: new Date().toISOString(),
      ...(this.opts.consumer ? { consumer: this.opts.consumer } : {}),
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
    try {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${JSON.stringify(letter)}\n`);
      return true;
    } catch (writeError) {
      // never move past a record that was not written down: retry the write on the next pass
      const sequenceNumber = head.record.dynamodb?.SequenceNumber;
      shard.retryAt = Date.now() + this.settings.pollIntervalMs;
      this.report(
        new StreamPollerError(
          "dead_letter_write_failed",
          `${tableName}: could not write record ${sequenceNumber} to ${file}: ${describeError(writeError).message}`,
          this.context(shard, { sequenceNumber, attempts, cause: writeError }),
        ),
      );
      return false;
    }
  }

  /** Invokes the handler with the next batch and applies Lambda's outcome rules. */
  private async deliver(shard: ShardState): Promise<void> {
    const batch = nextBatch(shard.buffer, this.settings.batchSize, shard.delivery);
    if (batch.length === 0) return;
    let outcome: BatchOutcome;
    let causes: FailureCauses | undefined;
    try {
      // the records are frozen (stream-records.ts): no handler can change the retry or the dead letter
      const response = await this.opts.handler({ Records: batch.map((p) => p.record) });
      causes = response ? (response as { [FAILURE_CAUSES]?: FailureCauses })[FAILURE_CAUSES] : undefined;
      outcome = outcomeOf(batch, response);
    } catch (error) {
      outcome = { kind: "threw", error: error instanceof Error ? error : new Error(String(error)) };
    }
    switch (outcome.kind) {
      case "succeeded":
        this.advance(shard, batch.length);
        return;
      case "partial": {
        this.advance(shard, outcome.failedAt);
        const failed = shard.buffer[0]?.record.dynamodb?.SequenceNumber;
        const cause = failed === undefined ? undefined : causes?.get(failed);
        const consumer = this.opts.consumer ? ` (${this.opts.consumer})` : "";
        await this.charge(
          shard,
          new StreamPollerError(
            "record_failed",
            `${this.settings.tableName}${consumer}: the handler reported record ${failed} in batchItemFailures${
              cause instanceof Error ? `: ${cause.message}` : ""
            }`,
            this.context(shard, { sequenceNumber: failed, ...(cause instanceof Error ? { cause } : {}) }),
          ),
        );
        return;
      }
      case "invalid_response":
      case "threw":
        await this.failed(shard, batch, outcome);
    }
  }

  /** The whole batch failed: several records are bisected, one alone is charged. */
  private async failed(
    shard: ShardState,
    batch: readonly Pending[],
    outcome: Extract<BatchOutcome, { kind: "invalid_response" | "threw" }>,
  ): Promise<void> {
    const { tableName } = this.settings;
    const firstSeq = batch[0]?.record.dynamodb?.SequenceNumber;
    const error =
      outcome.kind === "threw"
        ? outcome.error
        : new StreamPollerError(
            "invalid_batch_response",
            `${tableName}: batchItemFailures names ${JSON.stringify(outcome.identifier)}, which is not a sequence number of the batch: the whole batch counts as failed`,
            this.context(shard, { sequenceNumber: firstSeq }),
          );
    if (batch.length === 1) {
      await this.charge(shard, error);
      return;
    }
    shard.delivery = bisect(shard.delivery, batch);
    this.report(
      error instanceof StreamPollerError
        ? error
        : new StreamPollerError(
            "handler_failed",
            `${tableName}: a batch of ${batch.length} records from ${firstSeq} failed, retrying it in halves: ${error.message}`,
            this.context(shard, { sequenceNumber: firstSeq, cause: error }),
          ),
    );
  }

  private gathering(shard: ShardState): boolean {
    return gathering(
      {
        buffered: shard.buffer.length,
        closed: shard.closed,
        gatheringSince: shard.gatheringSince,
        delivery: shard.delivery,
      },
      this.settings,
      this.settings.windowClock(),
      this.waiters.length > 0,
    );
  }

  /** One step for one shard. `worked`: something happened; `pending`: records are still waiting. */
  private async pump(shard: ShardState): Promise<{ worked: boolean; pending: boolean }> {
    const { batchSize } = this.settings;
    let worked = false;
    if (shard.delivery.segments.length === 0 && shard.buffer.length < batchSize && !shard.closed) {
      worked = await this.reader.fill(shard, batchSize, () => this.stopped);
    }
    if (shard.buffer.length === 0) {
      if (shard.closed) {
        shard.done = true;
        this.checkpointDirty = true;
        return { worked: true, pending: false };
      }
      return { worked, pending: false };
    }
    if (Date.now() < shard.retryAt) return { worked, pending: true };
    if (this.gathering(shard)) return { worked, pending: true };
    await this.opts.beforeDelivery?.();
    await this.deliver(shard);
    return { worked: true, pending: true };
  }

  private async saveCheckpoints(): Promise<void> {
    const path = this.opts.checkpointFile;
    if (path === undefined || !this.checkpointDirty) return;
    const file = checkpointsOf(this.streamArn, this.reader.shards.values());
    try {
      await writeAtomically(path, `${JSON.stringify(file, null, 2)}\n`);
      this.checkpointDirty = false;
    } catch (error) {
      // the positions stay in memory; the next successful save writes them all
      const { tableName } = this.settings;
      this.report(
        new StreamPollerError(
          "checkpoint_write_failed",
          `${tableName}: could not save the checkpoint to ${path}: ${describeError(error).message}`,
          { tableName, cause: error },
        ),
      );
    }
  }

  /** One pass over the ready shards; whether anything happened, is waiting, or failed. */
  private async cycle(): Promise<{ worked: boolean; pending: boolean; failed: boolean }> {
    let worked = false;
    let pending = false;
    try {
      const reader = this.reader;
      if (
        reader.refreshNeeded ||
        this.waiters.length > 0 ||
        Date.now() - reader.lastRefresh > SHARD_REFRESH_MS
      )
        await reader.refresh();
      for (const shard of reader.ready()) {
        if (this.stopped) break;
        const step = await this.pump(shard);
        worked ||= step.worked;
        pending ||= step.pending;
        await this.saveCheckpoints();
      }
      return { worked, pending, failed: false };
    } catch (error) {
      const { tableName } = this.settings;
      this.readFailures++;
      // once per change of state, not once per retry (a dead DynamoDB once logged ~31 KB/s)
      if (this.readFailures === 1)
        this.report(
          new StreamPollerError(
            "stream_read_failed",
            `${tableName}: reading the stream failed: ${describeError(error).message} (retrying with backoff; reported again only after it recovers)`,
            { tableName, cause: error },
          ),
        );
      return { worked, pending, failed: true };
    }
  }

  private async run(): Promise<void> {
    const { pollIntervalMs, batchWindowMs } = this.settings;
    const pause = (ms: number) => sleep(ms, undefined, { signal: this.abort.signal }).catch(() => {});
    while (!this.stopped) {
      if (!this.enabled) {
        await pause(pollIntervalMs);
        continue;
      }
      const cycle = this.cyclesStarted++;
      const { worked, pending, failed } = await this.cycle();
      if (!failed && this.readFailures > 0) {
        this.opts.onRecovered?.(
          `${this.settings.tableName}: the stream is readable again after ${this.readFailures} failed attempt(s)`,
        );
        this.readFailures = 0;
      }
      if (failed && !this.stopped) {
        await pause(readBackoffMs(this.readFailures, pollIntervalMs));
        continue;
      }
      if (!worked && !pending && !failed) {
        for (const waiter of this.waiters.filter((w) => w.afterCycle <= cycle)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      // never spin: wait when this pass found nothing to do, was only waiting out a backoff, or failed
      if (!worked && !this.stopped) {
        // a batch being gathered goes when its window closes, not at the next poll after that
        const windowLeft = Math.min(
          ...[...this.reader.shards.values()]
            .filter((shard) => this.gathering(shard))
            .map((shard) => Math.max(1, shard.gatheringSince + batchWindowMs - this.settings.windowClock())),
        );
        await pause(Math.min(pollIntervalMs, windowLeft));
      }
    }
  }
}
