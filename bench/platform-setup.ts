/**
 * What the platform bench measures on: its plan (window lengths, sample counts), the records it
 * feeds, and the local platform started with the bench's clock, credentials and table prefix, the
 * capacity meter on its SDK client and the load thread beside it; and how all of it stops.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { canonicalHash } from "../functions/core/canonical.ts";
import { type AwsClients, createClients } from "../functions/local/aws-clients.ts";
import { type LocalPlatform, startPlatform } from "../functions/local/platform-runtime.ts";
import { deleteTables } from "../functions/store/create-tables.ts";
import { recordKey, type StoredRevision } from "../functions/store/repositories.ts";
import type { RecordEnvelope } from "../schemas/record.ts";
import { CapacityMeter, instrument } from "./capacity-meter.ts";
import { Client } from "./http-client.ts";
import { LoadGenerator } from "./load.ts";
import { BENCH_NOW_MS, generateRecords } from "./records.ts";

/** Auditor poll interval while waiting for a violation to become visible. */
export const POLL_MS = 15;
export const VISIBLE_TIMEOUT_MS = 30_000;
export const RAW_CONCURRENCY = 32;
/** More POSTs per second than this machine serves: a window gets this many records per second. */
export const MAX_POSTS_PER_SEC = 2_000;

/** Warm-ups stop at their count or their time cap, whichever comes first (a busy machine is slow). */
export interface Plan {
  readonly rawWarmup: number;
  readonly rawWarmupMaxMs: number;
  readonly rawWindowMs: number;
  readonly rawWindows: number;
  readonly ingestWarmup: number;
  readonly ingestWarmupMaxMs: number;
  readonly ingestWindowMs: { readonly c1: number; readonly c8: number; readonly c32: number };
  readonly latencySamples: number;
  readonly latencyMaxMs: number;
  readonly unitsRecords: number;
  /** Records of the trickle (one at a time, everything drained in between): a quiet stream's units. */
  readonly trickleRecords: number;
  readonly generated: number;
}

export const FULL: Plan = {
  rawWarmup: 8_000,
  rawWarmupMaxMs: 20_000,
  rawWindowMs: 3_000,
  rawWindows: 3,
  ingestWarmup: 1_500,
  ingestWarmupMaxMs: 8_000,
  ingestWindowMs: { c1: 5_000, c8: 8_000, c32: 10_000 },
  latencySamples: 300,
  latencyMaxMs: 25_000,
  unitsRecords: 600,
  trickleRecords: 120,
  generated: 40_000,
};

export const QUICK: Plan = {
  rawWarmup: 3_000,
  rawWarmupMaxMs: 8_000,
  rawWindowMs: 2_000,
  rawWindows: 1,
  ingestWarmup: 1_000,
  ingestWarmupMaxMs: 5_000,
  ingestWindowMs: { c1: 2_000, c8: 3_000, c32: 4_000 },
  latencySamples: 80,
  latencyMaxMs: 12_000,
  unitsRecords: 300,
  trickleRecords: 40,
  generated: 20_000,
};

/** Hands out each generated record once, so every POST stores a new record. */
export class Feed {
  private cursor: number;
  private readonly end: number;
  readonly records: readonly RecordEnvelope[];
  /** The records from `from` (included) to `to` (excluded) of the generated list. */
  constructor(records: readonly RecordEnvelope[], range: { from?: number; to?: number } = {}) {
    this.records = records;
    this.cursor = range.from ?? 0;
    this.end = Math.min(range.to ?? records.length, records.length);
  }
  take(): RecordEnvelope | undefined {
    return this.cursor < this.end ? this.records[this.cursor++] : undefined;
  }
  /** Where the next record is in the generated list (load jobs name records by position). */
  get position(): number {
    return this.cursor;
  }
  /** The next `count` records (or fewer, at the end), without using them up. */
  next(count: number): RecordEnvelope[] {
    return this.records.slice(this.cursor, Math.min(this.cursor + count, this.end));
  }
  /** Uses up `count` records (those a job actually sent). */
  skip(count: number): void {
    this.cursor += count;
  }
  /** How many records are left. */
  get left(): number {
    return Math.max(0, this.end - this.cursor);
  }
}

/** Each handler's calls, wall time and items, counted while `timing` is set. */
export interface Invocations {
  timing: boolean;
  readonly calls: Map<string, { calls: number; ms: number; items: number }>;
}

/** The platform under measurement and what observes and loads it. */
export interface Bench {
  readonly plan: Plan;
  readonly log: (line: string) => void;
  readonly records: readonly RecordEnvelope[];
  /** The platform's clock: BENCH_NOW, running at real speed from `epoch` on. */
  readonly clock: () => Date;
  readonly prefix: string;
  readonly platform: LocalPlatform;
  readonly invocations: Invocations;
  readonly meter: CapacityMeter;
  /** One request at a time (priming); every load comes from the load thread. */
  readonly client: Client;
  /** Stored revisions as ingest writes them: the raw PutItems' payload. */
  readonly items: readonly StoredRevision[];
  readonly revisionItemBytes: number;
  readonly load: LoadGenerator;
  /** The bench's own clients of the platform's DynamoDB (raw tables). */
  readonly raw: AwsClients;
  /** Where the platform keeps dead letters, events and mails without COMPLIANCE_DATA_DIR. */
  readonly stateDir: string;
  eventsPublished(): number;
  emailsSent(): number;
}

export async function startBench(plan: Plan, log: (line: string) => void): Promise<Bench> {
  let t = performance.now();
  const records = generateRecords(plan.generated);
  log(`${records.length.toLocaleString("en")} records generated in ${Math.round(performance.now() - t)} ms`);

  // the platform's clock: BENCH_NOW, running at real speed from now on
  const epoch = Date.now();
  const clock = () => new Date(BENCH_NOW_MS + (Date.now() - epoch));
  const secret = randomBytes(24).toString("hex");
  const auditorToken = randomBytes(24).toString("hex");
  const prefix = `bench-${process.pid}-`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: "0",
    COMPLIANCE_WEBHOOK_SECRETS: `bench=${secret}`,
    COMPLIANCE_AUDITOR_TOKEN: auditorToken,
    COMPLIANCE_TABLE_PREFIX: prefix,
    // no sweeper run during the bench: its reads would be charged to the records
    COMPLIANCE_SWEEP_INTERVAL_S: "86400",
  };
  delete env.COMPLIANCE_DATA_DIR; // in memory: the bench must not touch a developer's data
  t = performance.now();
  // its banner (URLs, credentials) is for people running `npm start`, not for bench output
  const invocations: Invocations = { timing: false, calls: new Map() };
  const { calls } = invocations;
  const platform = await startPlatform({
    env,
    log: () => {},
    now: clock,
    onInvocation: (fn, ms, items) => {
      if (!invocations.timing) return;
      const c = calls.get(fn) ?? { calls: 0, ms: 0, items: 0 };
      c.calls++;
      c.ms += ms;
      c.items += items;
      calls.set(fn, c);
    },
  });
  const stateDir = join(tmpdir(), `compliance-${process.pid}`);
  const eventsPublished = () => lineCount(platform.eventsFile);
  const emailsSent = () => fileCount(join(stateDir, "mail"));
  log(
    `platform up in ${Math.round(performance.now() - t)} ms at ${platform.url}, DynamoDB ${platform.endpoint}`,
  );
  const meter = new CapacityMeter(prefix);
  instrument(platform, meter);
  // one request at a time from here (priming); every load comes from the load thread
  const client = new Client(platform.url, "bench", secret, auditorToken, clock);
  const items = records.slice(0, 5_000).map((record) => ({
    pk: recordKey(record.type, record.id),
    rev: record.revision,
    record,
    bodyHash: canonicalHash(record),
    receivedAt: clock().toISOString(),
    clientId: "bench",
  }));
  const revisionItemBytes = Math.round(
    items.reduce((s, item) => s + JSON.stringify(item).length, 0) / items.length,
  );
  const load = new LoadGenerator({
    url: platform.url,
    endpoint: platform.endpoint,
    clientId: "bench",
    secret,
    auditorToken,
    epoch,
    records,
    items,
  });
  const raw = createClients(platform.endpoint);
  return {
    plan,
    log,
    records,
    clock,
    prefix,
    platform,
    invocations,
    meter,
    client,
    items,
    revisionItemBytes,
    load,
    raw,
    stateDir,
    eventsPublished,
    emailsSent,
  };
}

export async function stopBench(bench: Bench): Promise<void> {
  const { client, load, platform, stateDir, raw, prefix } = bench;
  client.close();
  await load.close();
  await platform.stop();
  // without COMPLIANCE_DATA_DIR the platform keeps its dead letters and events in this folder
  rmSync(stateDir, { recursive: true, force: true });
  // an in-memory DynamoDB Local took every table with it; on a given endpoint, clean up
  if (process.env.COMPLIANCE_DYNAMODB_ENDPOINT) {
    await deleteTables(raw.dynamodb, prefix).catch(() => {});
    for (const name of ["raw-records", "raw-read"])
      await raw.dynamodb.send(new DeleteTableCommand({ TableName: `${prefix}${name}` })).catch(() => {});
  }
  raw.dynamodb.destroy();
}

/** Lines in a file (0 when it does not exist yet). */
function lineCount(path: string): number {
  try {
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "").length;
  } catch {
    return 0;
  }
}

function fileCount(dir: string): number {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
}
