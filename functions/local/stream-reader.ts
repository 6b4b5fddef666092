/**
 * Reading a table's stream for the stream poller: the shard list (paginated, refreshed as shards
 * close and children appear), shard iterators (renewed when they expire), and each shard's buffer
 * of records read but not yet handled, in stream order.
 */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type Shard,
} from "@aws-sdk/client-dynamodb-streams";
import { iteratorWentStale, positionTrimmed, shardIterator } from "./shard-iterators.ts";
import type { CheckpointFile } from "./stream-checkpoints.ts";
import { type DeliveryState, FRESH, type Pending, readyShards } from "./stream-delivery.ts";
import { StreamPollerError } from "./stream-poller-error.ts";
import { toLambdaRecord } from "./stream-records.ts";
import type { StreamTap } from "./stream-tap.ts";

export interface ShardState {
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
  /** Bisection halves and the last failure (stream-delivery.ts). */
  delivery: DeliveryState;
  /** No retry before this time (epoch ms): a short backoff, like Lambda's, between attempts. */
  retryAt: number;
}

const GET_RECORDS_MAX = 1_000;

export class StreamReader {
  readonly shards = new Map<string, ShardState>();
  lastRefresh = 0;
  /** A shard closed since the last refresh: its children appear in the shard list now. */
  refreshNeeded = true;

  private readonly streams: DynamoDBStreamsClient;
  private readonly streamArn: string;
  private readonly tableName: string;
  private readonly saved: CheckpointFile | undefined;
  private readonly report: (error: StreamPollerError) => void;
  private readonly windowClock: () => number;
  /** The stream's shared read (stream-tap.ts) and this reader's id in it, when it has one. */
  private readonly tap: { readonly tap: StreamTap; readonly reader: number } | undefined;

  constructor(
    streams: DynamoDBStreamsClient,
    streamArn: string,
    tableName: string,
    saved: CheckpointFile | undefined,
    report: (error: StreamPollerError) => void,
    /** When a shard starts gathering a batch (the batching window's clock). */
    windowClock: () => number = Date.now,
    tap?: StreamTap,
  ) {
    this.windowClock = windowClock;
    this.tap = tap ? { tap, reader: tap.join() } : undefined;
    this.streams = streams;
    this.streamArn = streamArn;
    this.tableName = tableName;
    this.saved = saved;
    this.report = report;
  }

  /** Reads the shard list (paginated), adding shards we do not know yet. */
  async refresh(): Promise<void> {
    const found: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription: description } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
      );
      found.push(...(description?.Shards ?? []));
      start = description?.LastEvaluatedShardId;
    } while (start !== undefined);
    for (const shard of found) {
      if (shard.ShardId === undefined || this.shards.has(shard.ShardId)) continue;
      const persisted = this.saved?.shards[shard.ShardId];
      this.shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        parentShardId: shard.ParentShardId,
        checkpoint: persisted?.sequenceNumber,
        done: persisted?.done === true,
        closed: persisted?.done === true,
        iterator: undefined,
        buffer: [],
        gatheringSince: 0,
        delivery: FRESH,
        retryAt: 0,
      });
    }
    this.lastRefresh = Date.now();
    this.refreshNeeded = false;
  }

  /** Shards whose parent is finished (or gone from the stream, i.e. trimmed), in discovery order. */
  ready(): ShardState[] {
    return readyShards(this.shards);
  }

  /** Tops the buffer up to `batchSize`; returns whether any record was read. */
  async fill(shard: ShardState, batchSize: number, stopped: () => boolean): Promise<boolean> {
    let read = false;
    let renewed = false;
    while (shard.buffer.length < batchSize && !shard.closed && !stopped()) {
      const shared = await this.fromTap(shard, batchSize - shard.buffer.length);
      if (shared) {
        if (shared.records.length === 0) break;
        read = true;
        continue;
      }
      shard.iterator ??= await this.acquireIterator(shard);
      if (shard.iterator === undefined) {
        shard.closed = true;
        break;
      }
      let page: Awaited<ReturnType<typeof this.getRecords>>;
      try {
        page = await this.getRecords(
          shard.iterator,
          Math.min(GET_RECORDS_MAX, batchSize - shard.buffer.length),
        );
      } catch (error) {
        // a new one at the same position (after the last record read, else the oldest), once per fill
        shard.iterator = undefined;
        if (!iteratorWentStale(error) || renewed) throw error;
        renewed = true;
        continue;
      }
      shard.iterator = page.NextShardIterator;
      if (shard.iterator === undefined) {
        shard.closed = true;
        this.refreshNeeded = true; // its children appear in the shard list now
      }
      const records = page.Records ?? [];
      if (shard.buffer.length === 0) shard.gatheringSince = this.windowClock();
      for (const record of records) {
        const lambda = toLambdaRecord(record, this.streamArn);
        shard.buffer.push({ seq: BigInt(lambda.dynamodb?.SequenceNumber ?? "0"), record: lambda });
      }
      if (records.length === 0) break; // caught up (an open shard) or at its end (a closed one)
      read = true;
    }
    return read;
  }

  /**
   * Records from the stream's shared read, when the shard's position is in its log; undefined when
   * not (or there is no tap): the reader then reads on its own.
   */
  private async fromTap(
    shard: ShardState,
    limit: number,
  ): Promise<{ records: readonly Pending[] } | undefined> {
    if (!this.tap) return undefined;
    const after = shard.buffer.at(-1)?.record.dynamodb?.SequenceNumber ?? shard.checkpoint;
    const page = await this.tap.tap.read(this.tap.reader, shard.shardId, after, limit);
    if (!page) return undefined;
    // its own iterator, if any, stands where it last read on its own: take a new one when needed
    shard.iterator = undefined;
    if (shard.buffer.length === 0 && page.records.length > 0) shard.gatheringSince = this.windowClock();
    shard.buffer.push(...page.records);
    if (page.closed) {
      shard.closed = true;
      this.refreshNeeded = true; // its children appear in the shard list now
    }
    return page;
  }

  private getRecords(iterator: string, limit: number) {
    return this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
  }

  /** Where reading resumes: after the last record read into memory, else after the checkpoint. */
  private async acquireIterator(shard: ShardState): Promise<string | undefined> {
    const last = shard.buffer.at(-1)?.record.dynamodb?.SequenceNumber ?? shard.checkpoint;
    const from = (position: string | undefined) =>
      shardIterator(this.streams, this.streamArn, shard.shardId, position);
    try {
      return await from(last);
    } catch (error) {
      if (last === undefined || !positionTrimmed(error)) throw error;
      // The position is older than the stream's retention: nothing can be read there any more.
      this.report(
        new StreamPollerError(
          "stream_read_failed",
          `${this.tableName} ${shard.shardId}: records after ${last} were trimmed from the stream; continuing from the oldest one`,
          { tableName: this.tableName, shardId: shard.shardId, sequenceNumber: last, cause: error },
        ),
      );
      return await from(undefined);
    }
  }
}
