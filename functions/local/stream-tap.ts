/**
 * One read of a stream for every local reader of it. On AWS each event source mapping reads the
 * stream on its own, and those reads are free; locally two consumers read each table's stream
 * (the evaluator and the audit trail, the events publisher and the audit trail), and every
 * GetRecords costs DynamoDB Local's one SQLite thread the deserialising of each record, and Node
 * the parsing of the answer. So the readers of one stream share a tap: what one of them reads from
 * a shard is kept in a log until every reader has taken it, and a reader whose position is in the
 * log is served from it; only a reader at the log's end makes the log read on.
 *
 * Nothing about what a reader sees changes: the same records, in stream order, each reader from its
 * own position, with its own batch size, window, checkpoint, retries and pace. A reader whose
 * position is not in the log (resumed from an older checkpoint, or left behind by more than
 * MAX_LOG records) reads on its own, as without a tap, until its position reaches the log.
 */
import { type DynamoDBStreamsClient, GetRecordsCommand } from "@aws-sdk/client-dynamodb-streams";
import { iteratorWentStale, positionTrimmed, shardIterator } from "./shard-iterators.ts";
import type { Pending } from "./stream-delivery.ts";
import { toLambdaRecord } from "./stream-records.ts";

/** Most records kept for readers that lag behind; past it they read on their own. */
export const MAX_LOG = 20_000;
const GET_RECORDS_MAX = 1_000;

/** A position in a shard: after this sequence number, or `undefined` for its trim horizon. */
type Position = string | undefined;

interface ShardLog {
  /** The log holds the records after this position (null: not started yet). */
  start: Position | null;
  readonly records: Pending[];
  iterator: string | undefined;
  closed: boolean;
  fetching: Promise<void> | undefined;
  /** How far each reader has taken from this shard (sequence number; null: nothing yet). */
  readonly taken: Map<number, bigint | null>;
}

export interface TapPage {
  readonly records: readonly Pending[];
  /** The shard ends here: the reader has everything it will ever hold. */
  readonly closed: boolean;
}

export class StreamTap {
  private readonly shards = new Map<string, ShardLog>();
  private readonly maxLog: number;
  private readonly joined: number[] = [];
  private readonly streams: DynamoDBStreamsClient;
  private readonly streamArn: string;

  constructor(streams: DynamoDBStreamsClient, streamArn: string, maxLog = MAX_LOG) {
    this.streams = streams;
    this.streamArn = streamArn;
    this.maxLog = maxLog;
  }

  /** A reader's id, for the log to know how far it has taken. Until it reads, it holds the whole log. */
  join(): number {
    const reader = this.joined.length + 1;
    for (const log of this.shards.values()) log.taken.set(reader, null);
    this.joined.push(reader);
    return reader;
  }

  /**
   * Up to `limit` records of the shard after `after`, read on when the reader is at the log's end;
   * `undefined` when `after` is not in the log (the reader reads on its own).
   */
  async read(reader: number, shardId: string, after: Position, limit: number): Promise<TapPage | undefined> {
    const log = this.shardLog(shardId);
    if (log.start === null) log.start = after; // the first reader starts the log where it stands
    let at = indexAfter(log, after);
    if (at === undefined) return undefined;
    if (at === log.records.length && !log.closed) {
      await this.readOn(shardId, log);
      at = indexAfter(log, after);
      if (at === undefined) return undefined;
    }
    const records = log.records.slice(at, at + limit);
    const last = records.at(-1);
    if (last) log.taken.set(reader, last.seq);
    else if (after !== undefined) log.taken.set(reader, BigInt(after));
    trim(log, this.maxLog);
    return { records, closed: log.closed && at + records.length === log.records.length };
  }

  private shardLog(shardId: string): ShardLog {
    let log = this.shards.get(shardId);
    if (!log) {
      log = {
        start: null,
        records: [],
        iterator: undefined,
        closed: false,
        fetching: undefined,
        taken: new Map(this.joined.map((reader) => [reader, null])),
      };
      this.shards.set(shardId, log);
    }
    return log;
  }

  /** One GetRecords at the log's end, shared by every reader waiting there. */
  private readOn(shardId: string, log: ShardLog): Promise<void> {
    log.fetching ??= this.fetch(shardId, log).finally(() => {
      log.fetching = undefined;
    });
    return log.fetching;
  }

  private async fetch(shardId: string, log: ShardLog): Promise<void> {
    for (let renewed = false; ; renewed = true) {
      const position = log.records.at(-1)?.record.dynamodb?.SequenceNumber ?? log.start ?? undefined;
      try {
        log.iterator ??= await shardIterator(this.streams, this.streamArn, shardId, position);
      } catch (error) {
        if (position === undefined || !positionTrimmed(error)) throw error;
        // The log's end is older than the stream's retention: nothing can be read there any more.
        // The log is dropped, so each reader finds its position outside it and reads on its own,
        // which says what was lost and goes on from the oldest record (stream-reader.ts); the next
        // reader to read through the tap starts a new log where it stands.
        log.records.length = 0;
        log.start = null;
        return;
      }
      if (log.iterator === undefined) {
        log.closed = true;
        return;
      }
      try {
        const page = await this.streams.send(
          new GetRecordsCommand({ ShardIterator: log.iterator, Limit: GET_RECORDS_MAX }),
        );
        log.iterator = page.NextShardIterator;
        if (log.iterator === undefined) log.closed = true;
        for (const record of page.Records ?? []) {
          const lambda = toLambdaRecord(record, this.streamArn);
          log.records.push({ seq: BigInt(lambda.dynamodb?.SequenceNumber ?? "0"), record: lambda });
        }
        return;
      } catch (error) {
        log.iterator = undefined; // taken again at the same position, once
        if (!iteratorWentStale(error) || renewed) throw error;
      }
    }
  }
}

/** Where in the log the records after `after` begin, or undefined when the log does not hold that place. */
function indexAfter(log: ShardLog, after: Position): number | undefined {
  if (log.start === null) return undefined;
  if (after === log.start) return 0;
  if (after === undefined) return undefined; // the horizon, but the log starts later
  const seq = BigInt(after);
  const first = log.start === undefined ? undefined : BigInt(log.start);
  const last = log.records.at(-1)?.seq ?? first;
  if ((first !== undefined && seq < first) || last === undefined || seq > last) return undefined;
  // the log is one contiguous read from its start: the records after `seq` are all that follow it
  let lo = 0;
  let hi = log.records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((log.records[mid] as Pending).seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Drops what every reader in the log has taken, and whatever is past `maxLog`. */
function trim(log: ShardLog, maxLog: number): void {
  if (log.records.length === 0) return;
  const start = log.start === null || log.start === undefined ? undefined : BigInt(log.start);
  let keepAfter: bigint | undefined;
  let holdAll = false;
  for (const taken of log.taken.values()) {
    if (taken === null)
      holdAll = true; // has not read yet: it may start at the log's beginning
    else if (start !== undefined && taken < start)
      continue; // behind the log: reads on its own
    else if (keepAfter === undefined || taken < keepAfter) keepAfter = taken;
  }
  let drop = 0;
  if (!holdAll && keepAfter !== undefined)
    while (drop < log.records.length && (log.records[drop] as Pending).seq <= keepAfter) drop++;
  drop = Math.max(drop, log.records.length - maxLog);
  if (drop === 0) return;
  log.start = (log.records[drop - 1] as Pending).record.dynamodb?.SequenceNumber ?? log.start;
  log.records.splice(0, drop);
}

/** The taps of one runtime's streams, one per stream: the readers given the same StreamTaps share reads. */
export class StreamTaps {
  private readonly taps = new Map<string, StreamTap>();
  private readonly maxLog: number;

  /** `maxLog`: most records kept for readers that lag behind (default MAX_LOG). */
  constructor(opts: { maxLog?: number } = {}) {
    this.maxLog = opts.maxLog ?? MAX_LOG;
  }

  of(streams: DynamoDBStreamsClient, streamArn: string): StreamTap {
    let tap = this.taps.get(streamArn);
    if (!tap) {
      tap = new StreamTap(streams, streamArn, this.maxLog);
      this.taps.set(streamArn, tap);
    }
    return tap;
  }
}
