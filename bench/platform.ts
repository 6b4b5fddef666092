/**
 * Platform benchmark: the whole local platform (`startPlatform`: HTTP server, DynamoDB Local, the
 * records stream feeding the evaluator) measured through its HTTP API, in one run:
 *
 * 1. raw PutItem ceiling: stored-revision items put straight into a table shaped like the records
 *    table (same keys, index and stream) on the same DynamoDB Local, at concurrency 32: the median
 *    of windows right before and right after the c32 ingest (Java keeps warming up for tens of
 *    thousands of requests; early windows are reported apart);
 * 2. ingest: accepted signed POST /v1/records per second at concurrency 1, 8 and 32 (distinct
 *    records of the catalogue mix), twice per level: the webhook alone (stream consumers disabled
 *    for the window, as disabling the event source mappings; the backlog is evaluated right
 *    after) — the bar's figure, since on AWS the consumers do not share the webhook's CPU — and
 *    with the consumers running on the same cores; each window starts with the stream drained;
 * 3. latency at concurrency 8: from sending the POST of a record that fires at least one rule until
 *    GET /v1/violations?recordId= (auditor token), polled every POLL_MS, shows all its violations;
 * 4. DynamoDB units per record: a middleware on the platform's own SDK client asks every data
 *    command for `ReturnConsumedCapacity: INDEXES` (only during this phase) and sums what comes
 *    back, per table, per index and per operation, over ingest + evaluation of the catalogue mix.
 *    DynamoDB Local reports fewer units for TransactWriteItems than AWS bills (2 WCU per item per
 *    KB), so the figure with transactions billed as on AWS is given beside it.
 *
 * Every load comes from one worker thread (bench/load.ts): the platform keeps the main thread.
 * Every streamed table gets its first stream record before any load (see the note in
 * bench/platform-raw.ts).
 *
 * Diagnostics beside the bars, to tell where time goes: RecordsStore.putRevision straight on the
 * raw table (ingest's store calls without HTTP or evaluator); raw PutItem into a records-shaped
 * table whose stream is being consumed by a no-op handler (what the reading costs the machine);
 * CPU of Node and Java and how busy the main event loop was; per-operation round trips; the
 * stages of the visibility latency.
 *
 * The platform's clock starts at BENCH_NOW and runs at real speed, so records are judged as in the
 * engine benchmark (deadlines pending at BENCH_NOW stay pending) whatever day the bench runs.
 * Writes bench/results/platform.json. Product code is not changed, only observed.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { RecordEnvelope } from "../schemas/record.ts";
import { isAudit, sumWhere } from "./capacity-meter.ts";
import { benchCost } from "./cost.ts";
import { coresBusy, cpuTimes } from "./cpu-usage.ts";
import { RESULTS_DIR } from "./engine.ts";
import { deployedFunctions } from "./lambda-config.ts";
import { epochNow, type PostsResult } from "./load.ts";
import { measureRawPuts, type RawPuts } from "./platform-raw.ts";
import { formatPlatformResult, handlerMeasures, type PlatformBenchResult } from "./platform-result.ts";
import {
  type Bench,
  Feed,
  FULL,
  MAX_POSTS_PER_SEC,
  POLL_MS,
  QUICK,
  RAW_CONCURRENCY,
  startBench,
  stopBench,
  VISIBLE_TIMEOUT_MS,
} from "./platform-setup.ts";
import { median, percentile, round, sum } from "./statistics.ts";

export async function benchPlatform(opts: { quick: boolean }): Promise<PlatformBenchResult> {
  const plan = opts.quick ? QUICK : FULL;
  const started = performance.now();
  const log = (line: string) => console.log(`platform: ${line}`);
  const bench = await startBench(plan, log);
  try {
    // The trickle and units phases always take the same records, the last of the generated list:
    // their figures (units, violations and mails per record, the cost) then compare across runs,
    // whatever number of records the throughput windows before them took.
    const reserved = plan.trickleRecords + plan.unitsRecords;
    const feed = new Feed(bench.records, { to: bench.records.length - reserved });
    const tail = new Feed(bench.records, { from: bench.records.length - reserved });
    // 1. raw PutItem ceiling (and every streamed table primed first)
    const rawPuts = await measureRawPuts(bench, feed);
    // 2. ingest throughput
    const posts = poster(bench, feed);
    const ingest = await measureIngest(bench, feed, posts, rawPuts);
    // 3. POST → violation visible to the auditor, concurrency 8
    const latency = await measureLatency(bench, feed);
    // 4. DynamoDB units per record: a trickle (quiet streams), then the catalogue mix at c8
    const tailPosts = poster(bench, tail);
    const trickle = await measureTrickle(bench, tail, tailPosts);
    const units = await measureUnits(bench, tail, tailPosts, trickle);
    const refused = posts.refused.count + tailPosts.refused.count;
    const result = platformResult({ rawPuts, ingest, latency, units, refused }, bench, {
      totalSeconds: round((performance.now() - started) / 1000, 1),
      quick: opts.quick,
    });
    mkdirSync(RESULTS_DIR, { recursive: true });
    // write then rename, so an interrupted run never leaves a half-written results file
    const file = join(RESULTS_DIR, "platform.json");
    writeFileSync(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
    console.log(formatPlatformResult(result));
    return result;
  } finally {
    await stopBench(bench);
  }
}

/** POSTs the next records of the feed from the load thread, counting the answers other than 202. */
interface Poster {
  post(concurrency: number, count: number, maxMs?: number): Promise<PostsResult>;
  /** How many POSTs were refused so far, and the first body of each status. */
  readonly refused: { count: number; readonly samples: Map<string, string> };
}

function poster(bench: Bench, feed: Feed): Poster {
  const refused = { count: 0, samples: new Map<string, string>() };
  /** POSTs the next records of the feed (at most `count`) from the load thread. */
  const post = async (concurrency: number, count: number, maxMs?: number) => {
    const result = await bench.load.run({
      kind: "posts",
      from: feed.position,
      count: Math.min(count, feed.left),
      concurrency,
      maxMs,
    });
    feed.skip(result.sent);
    for (const [status, { count: times, body }] of Object.entries(result.refused)) {
      refused.count += times;
      if (!refused.samples.has(status)) refused.samples.set(status, body);
    }
    return result;
  };
  return { post, refused };
}

type Levels = { c1: number; c8: number; c32: number };
type Cores = ReturnType<typeof coresBusy>;

interface Ingest {
  readonly ingestPerSec: Levels;
  readonly pipelinePerSec: Levels;
  /** Records accepted with the consumers running, over the window plus the evaluator's drain after it. */
  readonly endToEndPerSec: Levels;
  readonly drainAfterMs: Levels;
  /** The raw windows right before and right after the c32 ingest, and their median. */
  readonly rawRates: readonly number[];
  readonly rawPutPerSec: number;
  readonly rawCores: Cores;
  readonly ingestCores: Cores;
  readonly pipelineCores: Cores;
}

/**
 * Accepted POSTs per second at concurrency 1, 8 and 32, each level twice: the webhook alone (the
 * stream consumers disabled), then with them running; raw windows right before and after c32.
 */
async function measureIngest(bench: Bench, feed: Feed, posts: Poster, rawPuts: RawPuts): Promise<Ingest> {
  const { plan, log, platform } = bench;
  const { post } = posts;
  const rawWindow = rawPuts.window;
  const t = performance.now();
  const warm = await post(8, plan.ingestWarmup, plan.ingestWarmupMaxMs);
  await platform.drained();
  log(
    `ingest warm-up: ${warm.accepted} POSTs accepted and evaluated in ${Math.round(performance.now() - t)} ms`,
  );
  const ingestPerSec = { c1: 0, c8: 0, c32: 0 };
  const rawRates: number[] = [];
  let rawCores: ReturnType<typeof coresBusy>;
  const drainAfterMs = { c1: 0, c8: 0, c32: 0 };
  const pipelinePerSec = { c1: 0, c8: 0, c32: 0 };
  const endToEndPerSec = { c1: 0, c8: 0, c32: 0 };
  let ingestCores: ReturnType<typeof coresBusy>;
  let pipelineCores: ReturnType<typeof coresBusy>;
  for (const level of ["c1", "c8", "c32"] as const) {
    const concurrency = Number(level.slice(1));
    const windowMs = plan.ingestWindowMs[level];
    // more records than the window can take at MAX_POSTS_PER_SEC: it ends on time, not on records
    const window = async () => {
      const cpuFrom = cpuTimes();
      const result = await post(concurrency, Math.ceil((windowMs / 1000) * MAX_POSTS_PER_SEC), windowMs);
      const ms = result.endedAt - result.startedAt;
      return { result, ms, rate: result.accepted / (ms / 1000), cores: coresBusy(cpuFrom, cpuTimes(), ms) };
    };
    if (level === "c32") rawCores = await rawWindow(rawRates);
    // the webhook alone: the stream consumers disabled (as disabling the event source mappings),
    // the revisions wait in the stream and are evaluated once they are enabled again
    platform.setStreamConsumersEnabled(false);
    let alone: Awaited<ReturnType<typeof window>>;
    try {
      alone = await window();
    } finally {
      platform.setStreamConsumersEnabled(true);
    }
    await platform.drained();
    ingestPerSec[level] = alone.rate;
    if (level === "c32") ingestCores = alone.cores;
    // the whole pipeline: the consumers evaluate, publish and audit meanwhile, on the same cores
    const piped = await window();
    if (level === "c32") pipelineCores = piped.cores;
    pipelinePerSec[level] = piped.rate;
    // every record of the window judged: from its first POST until the evaluator is done with the
    // last (the events publisher and the audit trail go on after, on the same cores)
    await platform.evaluated();
    drainAfterMs[level] = epochNow() - piped.result.endedAt;
    endToEndPerSec[level] = piped.result.accepted / ((piped.ms + drainAfterMs[level]) / 1000);
    await platform.drained();
    log(
      `ingest ${level}: webhook alone ${alone.result.accepted} accepted in ${Math.round(alone.ms)} ms = ${Math.round(alone.rate)}/s; with the consumers running ${piped.result.accepted} in ${Math.round(piped.ms)} ms = ${Math.round(piped.rate)}/s, evaluator done ${Math.round(drainAfterMs[level])} ms after the last POST: ${Math.round(endToEndPerSec[level])}/s evaluated end to end`,
    );
  }
  await rawWindow(rawRates);
  await rawWindow(rawRates);
  const rawPutPerSec = median(rawRates);
  log(
    `raw PutItem c${RAW_CONCURRENCY}, before and after ingest c32: ${rawRates.map((r) => Math.round(r)).join(", ")} /s, median ${Math.round(rawPutPerSec)}`,
  );
  if (feed.left === 0) log("warning: ran out of generated records; windows ended early");
  for (const [status, body] of posts.refused.samples) log(`ingest answered ${status}: ${body}`);
  return {
    ingestPerSec,
    pipelinePerSec,
    endToEndPerSec,
    drainAfterMs,
    rawRates,
    rawPutPerSec,
    rawCores,
    ingestCores,
    pipelineCores,
  };
}

interface Latency {
  /** POST → visible, ascending. */
  readonly visible: readonly number[];
  readonly visibleBreakdownMs: PlatformBenchResult["visibleBreakdownMs"];
  readonly timeouts: number;
  readonly polls: number;
  readonly latencySeconds: number;
}

/**
 * How many violations each record should show, judged now by the platform's own evaluator (a
 * phase lasts seconds; the mix's deadlines are hours and days away from BENCH_NOW, so none turns
 * during it).
 */
function violationsNow(bench: Bench, records: readonly RecordEnvelope[]): number[] {
  const now = bench.clock().toISOString();
  const evaluator = bench.platform.runtime.platform.evaluator;
  return records.map((record) => evaluator.evaluate(record, { now }).violations.length);
}

/**
 * From sending the POST of a record that fires at least one rule until the auditor's GET shows all
 * its violations, at concurrency 8; where the wait went, from the platform's own DynamoDB calls.
 */
async function measureLatency(bench: Bench, feed: Feed): Promise<Latency> {
  const { plan, log, platform, meter, load } = bench;
  meter.trace = new Map();
  const latency = await load.run({
    kind: "latency",
    from: feed.position,
    expected: violationsNow(bench, feed.next(plan.latencySamples * 4)),
    concurrency: 8,
    samples: plan.latencySamples,
    maxMs: plan.latencyMaxMs,
    pollMs: POLL_MS,
    timeoutMs: VISIBLE_TIMEOUT_MS,
  });
  feed.skip(latency.sent);
  const samples = latency.samples;
  const timeouts = latency.timeouts;
  const latencyErrors = latency.refused;
  const polls = latency.polls;
  const latencySeconds = (latency.endedAt - latency.startedAt) / 1000;
  await platform.drained();
  const trace = meter.trace;
  meter.trace = undefined;
  const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
  const visible = sorted(samples.map((x) => x.visible - x.sent));
  const postMs = sorted(samples.map((x) => x.answered - x.sent));
  // where each sample's wait went, from the platform's own DynamoDB calls
  const stages = { toEvaluator: [] as number[], evaluation: [] as number[], toAuditor: [] as number[] };
  for (const x of samples) {
    const at = trace.get(x.pk);
    if (at?.storedAt === undefined || at.claimAt === undefined || at.writtenAt === undefined) continue;
    stages.toEvaluator.push(at.claimAt - at.storedAt);
    stages.evaluation.push(at.writtenAt - at.claimAt);
    stages.toAuditor.push(x.visible - at.writtenAt);
  }
  const p = (xs: number[]) => {
    const ascending = sorted(xs);
    return { p50: Math.round(percentile(ascending, 0.5)), p99: Math.round(percentile(ascending, 0.99)) };
  };
  const visibleBreakdownMs = {
    post: p(postMs),
    storedToEvaluationStart: p(stages.toEvaluator),
    evaluation: p(stages.evaluation),
    lastWriteToVisible: p(stages.toAuditor),
  };
  log(
    `visible: ${visible.length} samples, p50 ${Math.round(percentile(visible, 0.5))} ms, p99 ${Math.round(percentile(visible, 0.99))} ms, ${timeouts} timeouts, ${latencyErrors} refused POSTs`,
  );
  return { visible, visibleBreakdownMs, timeouts, polls, latencySeconds };
}

interface Units {
  /** Records accepted in the units phase (at least 1: the divisor of every per-record figure). */
  readonly n: number;
  readonly unitsAccepted: number;
  readonly violationsPerRecord: number;
  readonly operations: PlatformBenchResult["operations"];
  readonly requests: number;
  readonly handlers: PlatformBenchResult["handlers"];
  readonly measured: {
    readonly writeUnitsPerRecordAwsModel: number;
    readonly readUnitsPerRecord: number;
    readonly eventsPerRecord: number;
    readonly emailsPerRecord: number;
    readonly trickle: Trickle;
  };
  readonly cost: PlatformBenchResult["cost"];
}

type Trickle = PlatformBenchResult["trickle"];

/**
 * A quiet stream's DynamoDB units per record: records one at a time, every consumer done before
 * the next, so no audit block or counter write is shared with another record's.
 */
async function measureTrickle(bench: Bench, feed: Feed, posts: Poster): Promise<Trickle> {
  const { plan, log, platform, meter } = bench;
  const records = feed.next(plan.trickleRecords);
  const violations = sum(violationsNow(bench, records));
  meter.reset();
  meter.on = true;
  let accepted = 0;
  for (let i = 0; i < records.length; i++) {
    accepted += (await posts.post(1, 1)).accepted;
    await platform.drained();
  }
  meter.on = false;
  const n = Math.max(1, accepted);
  const trickle = {
    records: accepted,
    violationsPerRecord: round(violations / Math.max(1, records.length), 3),
    writeUnitsPerRecordAwsModel: round(meter.awsModelWriteUnits() / n, 3),
    readUnitsPerRecord: round(meter.readUnits() / n, 3),
  };
  log(
    `trickle: ${accepted} records one at a time, ${trickle.writeUnitsPerRecordAwsModel} write units per record (${trickle.violationsPerRecord} violations per record)`,
  );
  return trickle;
}

/**
 * DynamoDB units per record: the catalogue mix ingested at concurrency 8 and evaluated, every data
 * command asked for its consumed capacity; the handlers' calls, events and mails counted meanwhile.
 */
async function measureUnits(bench: Bench, feed: Feed, posts: Poster, trickle: Trickle): Promise<Units> {
  const { plan, log, platform, meter, invocations } = bench;
  const unitsRecords = feed.next(plan.unitsRecords);
  const violationsFound = sum(violationsNow(bench, unitsRecords));
  meter.reset();
  invocations.calls.clear();
  const eventsBefore = bench.eventsPublished();
  const emailsBefore = bench.emailsSent();
  meter.on = true;
  invocations.timing = true;
  const unitsAccepted = (await posts.post(8, unitsRecords.length)).accepted;
  await platform.drained();
  meter.on = false;
  invocations.timing = false;
  const n = Math.max(1, unitsAccepted);
  const operations = Object.fromEntries(
    [...meter.ops.entries()]
      .sort((a, b) => b[1].units - a[1].units || b[1].requests - a[1].requests)
      .map(([k, v]) => [
        k,
        {
          perRecord: round(v.requests / n, 3),
          unitsPerRecord: round(v.units / n, 3),
          msPerCall: round(v.ms / v.requests, 1),
        },
      ]),
  );
  const requests = [...meter.ops.values()].reduce((s, v) => s + v.requests, 0);
  if (meter.conditionFailures > 0)
    log(`${meter.conditionFailures} conditional writes failed during the units phase (units not counted)`);

  const handlers = handlerMeasures(invocations.calls, n);
  const measured = {
    writeUnitsPerRecordAwsModel: round(meter.awsModelWriteUnits() / n, 3),
    readUnitsPerRecord: round(meter.readUnits() / n, 3),
    handlers,
    eventsPerRecord: round((bench.eventsPublished() - eventsBefore) / n, 3),
    emailsPerRecord: round((bench.emailsSent() - emailsBefore) / n, 3),
    trickle,
  };
  const cost = benchCost(measured, deployedFunctions());
  const violationsPerRecord = round(violationsFound / unitsRecords.length, 3);
  return { n, unitsAccepted, violationsPerRecord, operations, requests, handlers, measured, cost };
}

/** The figures of the four phases as the results file keeps them. */
function platformResult(
  phases: { rawPuts: RawPuts; ingest: Ingest; latency: Latency; units: Units; refused: number },
  bench: Bench,
  run: { totalSeconds: number; quick: boolean },
): PlatformBenchResult {
  const { rawPuts, ingest, latency, units } = phases;
  const { meter } = bench;
  const { ingestPerSec, pipelinePerSec, endToEndPerSec, drainAfterMs, rawPutPerSec } = ingest;
  const { visible } = latency;
  const { n, measured } = units;
  const perRecord = (m: Map<string, number>) =>
    Object.fromEntries([...m.entries()].sort().map(([k, v]) => [k, round(v / n, 3)]));
  return {
    ingestPerSec: {
      c1: Math.round(ingestPerSec.c1),
      c8: Math.round(ingestPerSec.c8),
      c32: Math.round(ingestPerSec.c32),
    },
    rawPutPerSec: Math.round(rawPutPerSec),
    rawPutWindowsPerSec: ingest.rawRates.map((r) => Math.round(r)),
    rawPutEarlyPerSec: rawPuts.early.map((r) => Math.round(r)),
    ingestOverRawC32: round(ingestPerSec.c32 / rawPutPerSec, 3),
    ingestWithConsumersPerSec: {
      c1: Math.round(pipelinePerSec.c1),
      c8: Math.round(pipelinePerSec.c8),
      c32: Math.round(pipelinePerSec.c32),
    },
    ingestWithConsumersOverRawC32: round(pipelinePerSec.c32 / rawPutPerSec, 3),
    evaluatedEndToEndPerSec: {
      c1: Math.round(endToEndPerSec.c1),
      c8: Math.round(endToEndPerSec.c8),
      c32: Math.round(endToEndPerSec.c32),
    },
    evaluatedEndToEndOverRawC32: round(endToEndPerSec.c32 / rawPutPerSec, 3),
    storePutRevisionPerSec: Math.round(rawPuts.storePutRevisionPerSec),
    rawPutStreamReadPerSec: Math.round(rawPuts.readPutPerSec),
    p50VisibleMs: Math.round(percentile(visible, 0.5)),
    p90VisibleMs: Math.round(percentile(visible, 0.9)),
    p99VisibleMs: Math.round(percentile(visible, 0.99)),
    maxVisibleMs: Math.round(visible.at(-1) ?? 0),
    visibleBreakdownMs: latency.visibleBreakdownMs,
    latencySamples: visible.length,
    latencyTimeouts: latency.timeouts,
    auditorPollsPerSec: Math.round(latency.polls / latency.latencySeconds),
    // the bar is for the platform's writes; the audit trail's are reported on their own
    writeUnitsPerRecord: round(sumWhere(meter.write, (k) => !isAudit(k)) / n, 3),
    auditWriteUnitsPerRecord: round(sumWhere(meter.write, isAudit) / n, 3),
    writeUnitsPerRecordAwsModel: measured.writeUnitsPerRecordAwsModel,
    transactions: {
      perRecord: round(meter.transact.requests / n, 3),
      itemsPerRecord: round(meter.transact.items / n, 3),
      reportedUnitsPerRecord: round(meter.transact.reported / n, 3),
      awsModelUnitsPerRecord: round(meter.transact.awsModel / n, 3),
    },
    readUnitsPerRecord: measured.readUnitsPerRecord,
    writeUnitsSplit: perRecord(meter.write),
    readUnitsSplit: perRecord(meter.read),
    operations: units.operations,
    requestsPerRecord: round(units.requests / n, 2),
    violationWritesPerRecord: round((meter.writes.get("violations") ?? 0) / n, 3),
    violationsPerRecord: units.violationsPerRecord,
    records: units.unitsAccepted,
    revisionItemBytes: bench.revisionItemBytes,
    drainAfterMs: {
      c1: Math.round(drainAfterMs.c1),
      c8: Math.round(drainAfterMs.c8),
      c32: Math.round(drainAfterMs.c32),
    },
    ingestErrors: phases.refused,
    coresBusy: {
      rawPut: ingest.rawCores,
      ingestC32: ingest.ingestCores,
      ingestWithConsumersC32: ingest.pipelineCores,
    },
    handlers: units.handlers,
    eventsPerRecord: measured.eventsPerRecord,
    emailsPerRecord: measured.emailsPerRecord,
    trickle: units.measured.trickle,
    cost: units.cost,
    totalSeconds: run.totalSeconds,
    quick: run.quick,
    node: process.version,
    measuredAt: new Date().toISOString(),
  };
}
