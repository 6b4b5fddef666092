import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import {
  type StreamPoller,
  type StreamPollerOptions,
  startStreamPoller,
} from "../../functions/local/stream-poller.ts";
import { StreamTaps } from "../../functions/local/stream-tap.ts";
import { clientConfig } from "../../functions/store/clients.ts";
import { useTables } from "../support/dynamodb.ts";
import { pk, streamTables } from "../support/stream-tables.ts";

const db = useTables();
const pollers: StreamPoller[] = [];
const tables = streamTables(db, "tap");
const streamTable = async () => (await tables.create()).name;
const putItems = tables.put;

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => pk(from + i));

/** A streams client that counts the stream records its GetRecords calls returned. */
function countingStreams() {
  const streams = new DynamoDBStreamsClient(clientConfig(db.endpoint));
  const counted = { records: 0 };
  streams.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === "GetRecordsCommand")
        counted.records += (out.output as { Records?: unknown[] }).Records?.length ?? 0;
      return out;
    },
    { step: "initialize", name: "countRecords" },
  );
  return { streams, counted };
}

async function reader(
  tableName: string,
  seen: string[],
  more: Partial<StreamPollerOptions>,
): Promise<StreamPoller> {
  const poller = await startStreamPoller({
    streams: db.clients.streams,
    dynamodb: db.clients.dynamodb,
    tableName,
    handler: async (e: DynamoDBStreamEvent) => {
      for (const r of e.Records) seen.push(r.dynamodb?.Keys?.pk?.S ?? "?");
    },
    pollIntervalMs: 10,
    onError: (error) => {
      throw error;
    },
    ...more,
  });
  pollers.push(poller);
  return poller;
}

describe("stream tap", () => {
  it("gives two readers every record once, in order, each at its own batch size, reading the stream once", async () => {
    const table = await streamTable();
    const { streams, counted } = countingStreams();
    const taps = new StreamTaps();
    const a: string[] = [];
    const b: string[] = [];
    const readerA = await reader(table, a, { streams, taps, batchSize: 7 });
    const readerB = await reader(table, b, { streams, taps, batchSize: 100, pollIntervalMs: 25 });
    await putItems(table, 1, 30);
    await Promise.all([readerA.drained(), readerB.drained()]);
    await putItems(table, 31, 50);
    await Promise.all([readerA.drained(), readerB.drained()]);
    expect(a).toEqual(range(1, 50));
    expect(b).toEqual(range(1, 50));
    // each record came out of DynamoDB once, for both readers
    expect(counted.records).toBe(50);
  });

  it("without a tap, each reader reads every record itself", async () => {
    const table = await streamTable();
    const { streams, counted } = countingStreams();
    const a: string[] = [];
    const b: string[] = [];
    const readerA = await reader(table, a, { streams });
    const readerB = await reader(table, b, { streams });
    await putItems(table, 1, 20);
    await Promise.all([readerA.drained(), readerB.drained()]);
    expect(a).toEqual(range(1, 20));
    expect(b).toEqual(range(1, 20));
    expect(counted.records).toBe(40);
  });

  it("a reader left behind by more than the log keeps reads on its own and misses nothing", async () => {
    const table = await streamTable();
    const { streams, counted } = countingStreams();
    const taps = new StreamTaps({ maxLog: 5 });
    const fast: string[] = [];
    const slow: string[] = [];
    const readerFast = await reader(table, fast, { streams, taps, batchSize: 3 });
    const readerSlow = await reader(table, slow, { streams, taps, batchSize: 4 });
    readerSlow.setEnabled(false);
    await putItems(table, 1, 25);
    await readerFast.drained();
    // disabled, it finishes at most the batch it had in flight
    expect(slow.length).toBeLessThanOrEqual(4);
    readerSlow.setEnabled(true);
    await putItems(table, 26, 30);
    await Promise.all([readerFast.drained(), readerSlow.drained()]);
    expect(fast).toEqual(range(1, 30));
    expect(slow).toEqual(range(1, 30));
    // what the log no longer held, the slow reader read again on its own
    expect(counted.records).toBeGreaterThan(30);
  });

  it("a reader resumed from an older checkpoint reads on its own until it reaches the shared log", async () => {
    const table = await streamTable();
    const checkpointFile = `${process.env.TMPDIR ?? "/tmp"}/${table}-checkpoint.json`;
    const first: string[] = [];
    const earlier = await reader(table, first, { checkpointFile });
    await putItems(table, 1, 10);
    await earlier.drained();
    await earlier.stop();
    expect(first).toEqual(range(1, 10));
    await putItems(table, 11, 20);
    // one reader from the oldest record, one from the checkpoint after record 10
    const taps = new StreamTaps();
    const fromStart: string[] = [];
    const resumed: string[] = [];
    const a = await reader(table, fromStart, { taps, batchSize: 4 });
    const b = await reader(table, resumed, { taps, checkpointFile, batchSize: 4 });
    await Promise.all([a.drained(), b.drained()]);
    await putItems(table, 21, 25);
    await Promise.all([a.drained(), b.drained()]);
    expect(fromStart).toEqual(range(1, 25));
    expect(resumed).toEqual(range(11, 25));
  });
});

describe("a tap whose position is older than the stream's retention", () => {
  it("hands its readers over to reading on their own: each says records were trimmed and goes on from the oldest, none is stuck", async () => {
    const name = await streamTable();
    // Retention is 24 h; DynamoDB Local trims nothing in a test. So, once `expired` is set, the
    // stream answers as an expired one would: the tap's iterator fails (as an idle one does) and
    // no iterator can be taken after a sequence number any more (TrimmedDataAccessException);
    // the trim horizon still can be read.
    let expired = false;
    let iteratorFailed = false;
    const trimmed = (message: string) =>
      Object.assign(new Error(message), { name: "TrimmedDataAccessException" });
    const streams = Object.create(db.clients.streams) as typeof db.clients.streams;
    streams.send = ((
      command: { constructor: { name: string }; input?: { ShardIteratorType?: string } },
      ...rest: unknown[]
    ) => {
      const kind = command.constructor.name;
      if (expired && kind === "GetRecordsCommand" && !iteratorFailed) {
        iteratorFailed = true;
        return Promise.reject(
          trimmed("The operation attempted to read past the oldest stream record in a shard."),
        );
      }
      if (
        expired &&
        kind === "GetShardIteratorCommand" &&
        command.input?.ShardIteratorType === "AFTER_SEQUENCE_NUMBER"
      )
        return Promise.reject(trimmed("the requested sequence number is beyond the trim horizon"));
      return (db.clients.streams.send as (...a: unknown[]) => unknown).call(
        db.clients.streams,
        command,
        ...rest,
      );
    }) as typeof streams.send;
    const taps = new StreamTaps();
    const seen = { a: [] as string[], b: [] as string[] };
    const errors: string[] = [];
    const onError = (error: Error) => {
      errors.push(error.message);
    };
    const a = await reader(name, seen.a, { streams, taps, onError });
    const b = await reader(name, seen.b, { streams, taps, onError });
    await putItems(name, 1, 3);
    await a.drained();
    await b.drained();
    expect(seen.a).toEqual(range(1, 3));
    expect(seen.b).toEqual(range(1, 3));
    expired = true;
    await putItems(name, 4, 5);
    await a.drained();
    await b.drained();
    // the horizon of this untrimmed stream is record 1: read again from there, records 4 and 5 follow
    for (const got of [seen.a, seen.b]) expect(got.slice(-2)).toEqual(range(4, 5));
    expect(
      errors.filter((m) => /were trimmed from the stream; continuing from the oldest one/.test(m)),
    ).toHaveLength(2);
  });
});
