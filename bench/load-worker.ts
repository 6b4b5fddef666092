/**
 * The load thread of the platform benchmark (see bench/load.ts for why it is a thread): runs one
 * job at a time — signed POSTs, POST-then-poll latency samples, raw PutItems — and answers with
 * counts and epoch-millisecond times.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { parentPort, workerData } from "node:worker_threads";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { createTableClients } from "../functions/store/clients.ts";
import { recordKey } from "../functions/store/repositories.ts";
import { Client } from "./http-client.ts";
import {
  epochNow,
  type Job,
  type LatencyJob,
  type LatencyResult,
  type LatencySample,
  type LoadSetup,
  type PostsJob,
  type PostsResult,
  type PutsJob,
  type PutsResult,
  type Reply,
  workers,
} from "./load.ts";
import { BENCH_NOW_MS } from "./records.ts";

const setup = workerData as LoadSetup;
// the platform's clock: BENCH_NOW at `epoch`, real speed since
const clock = () => new Date(BENCH_NOW_MS + (Date.now() - setup.epoch));
const client = new Client(setup.url, setup.clientId, setup.secret, setup.auditorToken, clock);
const dynamodb = createTableClients(setup.endpoint);

async function posts(job: PostsJob): Promise<PostsResult> {
  const refused: Record<string, { count: number; body: string }> = {};
  let next = 0;
  let accepted = 0;
  const startedAt = epochNow();
  const end = job.maxMs === undefined ? Number.POSITIVE_INFINITY : startedAt + job.maxMs;
  await workers(
    job.concurrency,
    () => epochNow() >= end,
    async () => {
      if (next >= job.count) return false;
      const record = setup.records[job.from + next++];
      if (!record) return false;
      const reply = await client.post(record);
      if (reply.status === 202) accepted++;
      else {
        const seen = refused[reply.status] ?? { count: 0, body: reply.body.slice(0, 300) };
        seen.count++;
        refused[reply.status] = seen;
      }
      return true;
    },
  );
  const sent = Math.min(next, job.count, setup.records.length - job.from);
  return { sent, accepted, refused, startedAt, endedAt: epochNow() };
}

async function latency(job: LatencyJob): Promise<LatencyResult> {
  const samples: LatencySample[] = [];
  let next = 0;
  let timeouts = 0;
  let refused = 0;
  let polls = 0;
  const startedAt = epochNow();
  const end = startedAt + job.maxMs;
  await workers(
    job.concurrency,
    () => samples.length >= job.samples || epochNow() >= end,
    async () => {
      const i = next++;
      const record = setup.records[job.from + i];
      const expected = job.expected[i];
      if (!record || expected === undefined) return false;
      const sent = epochNow();
      const reply = await client.post(record);
      const answered = epochNow();
      if (reply.status !== 202) {
        refused++;
        return true;
      }
      if (expected === 0) return true; // part of the mix, but nothing for an auditor to see
      for (;;) {
        const shown = await client.violationCount(record.id);
        polls++;
        const now = epochNow();
        if (shown >= expected || now - sent > job.timeoutMs) {
          if (shown < expected) timeouts++;
          const pk = recordKey(record.type, record.id);
          samples.push({ pk, sent, answered, visible: now });
          return true;
        }
        await sleep(job.pollMs);
      }
    },
  );
  return {
    sent: Math.min(next, job.expected.length),
    samples,
    timeouts,
    refused,
    polls,
    startedAt,
    endedAt: epochNow(),
  };
}

let putSeq = 0;
async function puts(job: PutsJob): Promise<PutsResult> {
  const from = putSeq;
  const startedAt = epochNow();
  const end = startedAt + job.maxMs;
  const count = job.count ?? Number.POSITIVE_INFINITY;
  await workers(
    job.concurrency,
    () => putSeq - from >= count || epochNow() >= end,
    async () => {
      const n = putSeq++;
      const item = setup.items[n % setup.items.length] as Record<string, unknown>;
      // a new key every time: every put stores a new item, as ingest does
      await dynamodb.doc.send(
        new PutCommand({ TableName: job.table, Item: { ...item, pk: `${item.pk}#${n}` } }),
      );
      return true;
    },
  );
  return { puts: putSeq - from, startedAt, endedAt: epochNow() };
}

const run = (job: Job): Promise<PostsResult | LatencyResult | PutsResult> =>
  job.kind === "posts" ? posts(job) : job.kind === "latency" ? latency(job) : puts(job);

parentPort?.on("message", ({ id, job }: { id: number; job: Job }) => {
  run(job).then(
    (result) => parentPort?.postMessage({ id, ok: true, result } satisfies Reply),
    (error: unknown) =>
      parentPort?.postMessage({
        id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies Reply),
  );
});
