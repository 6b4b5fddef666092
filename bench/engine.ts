/**
 * Engine benchmark: how fast one record is checked against the policies in force, four ways.
 *
 * - compiled: `createEvaluator` once, `evaluate` per record (what the platform runs);
 * - naive: json-rules-engine used the obvious way, a new Engine per record and policy version with
 *   the default JSONPath resolver (what the compiled path is meant to beat);
 * - cached: json-rules-engine with one Engine per policy version (the reference evaluator), with the
 *   default JSONPath resolver and with our simple-path resolver;
 * - plain: the 25 rules hand-written (bench/plain-rules.ts), the practical speed limit.
 *
 * All run in the same process on the same records so the ratios compare like with like. The naive
 * and cached variants are slow, so they run on the first `subset` records only. Naive only runs the
 * engines (no violation objects), so compiled/naive understates the compiled path's lead.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEvaluator, versionsInForce } from "../functions/core/engine/evaluate.ts";
import { buildEngine, createReferenceEvaluator } from "../functions/core/engine/reference.ts";
import { loadPolicies } from "../functions/core/policy/loader.ts";
import type { PolicySet } from "../functions/core/policy/model.ts";
import { policiesDir, readPolicyFiles } from "../functions/runtime/policy-files.ts";
import type { RecordEnvelope } from "../schemas/record.ts";
import { plainEvaluate } from "./plain-rules.ts";
import { BENCH_NOW, BENCH_NOW_MS, generateRecords } from "./records.ts";
import { median, percentile, round } from "./statistics.ts";

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");

export interface EngineBenchResult {
  /** Compiled evaluator throughput over every record. */
  readonly recordsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly naiveRecordsPerSec: number;
  readonly cachedRecordsPerSec: number;
  readonly cachedSimplePathRecordsPerSec: number;
  readonly plainRecordsPerSec: number;
  readonly ratios: {
    readonly compiledOverNaive: number;
    readonly compiledOverPlain: number;
    readonly cachedOverNaive: number;
    readonly cachedSimplePathOverNaive: number;
  };
  readonly records: number;
  /** Records the naive and cached variants (and the cross-checks) ran on. */
  readonly subsetRecords: number;
  /** Share of records with at least one violation. */
  readonly violatingShare: number;
  /** Records whose fired rules differ from the compiled evaluator's (should be 0). */
  readonly mismatches: { readonly plain: number; readonly reference: number };
  readonly node: string;
  readonly cpu: string;
  readonly measuredAt: string;
}

export interface EngineBenchOptions {
  /** Records to generate (default 100,000). */
  readonly records?: number;
  /** Records for the slow variants and the cross-checks (default 5,000). */
  readonly subset?: number;
  readonly seed?: number;
}

export function loadShippedPolicies(): PolicySet {
  const loaded = loadPolicies(readPolicyFiles(policiesDir()));
  if (!loaded.ok)
    throw new Error(
      `policies do not load:\n${loaded.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`).join("\n")}`,
    );
  return loaded.set;
}

/** Passes per measurement: the median of 3 damps GC pauses and noisy neighbours on small machines. */
const REPEATS = 3;
/** Results are summed here so the optimiser cannot drop the work. */
const sink = { total: 0 };

/** Records per second, median of REPEATS synchronous passes (no await per record: it would dominate). */
function throughput(records: readonly RecordEnvelope[], run: (r: RecordEnvelope) => number): number {
  const rates: number[] = [];
  for (let k = 0; k < REPEATS; k++) {
    const start = performance.now();
    for (const r of records) sink.total += run(r);
    rates.push(records.length / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

async function throughputAsync(
  records: readonly RecordEnvelope[],
  run: (r: RecordEnvelope) => Promise<number>,
): Promise<number> {
  const rates: number[] = [];
  for (let k = 0; k < REPEATS; k++) {
    const start = performance.now();
    for (const r of records) sink.total += await run(r);
    rates.push(records.length / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

const fired = (rules: readonly string[]) => [...rules].sort().join(",");

export async function benchEngine(opts: EngineBenchOptions = {}): Promise<EngineBenchResult> {
  const set = loadShippedPolicies();
  const count = opts.records ?? 100_000;
  let t = performance.now();
  const records = generateRecords(count, opts.seed);
  const subset = records.slice(0, Math.min(opts.subset ?? 5_000, count));
  console.log(
    `engine: ${count.toLocaleString("en")} records generated in ${Math.round(performance.now() - t)} ms`,
  );
  const warm = records.slice(0, Math.min(20_000, count));
  const now = { now: BENCH_NOW };

  // (a) compiled: warm up, whole passes for throughput, then one pass timing each record for percentiles
  const evaluator = createEvaluator(set);
  const compiled = (r: RecordEnvelope) => evaluator.evaluate(r, now).violations.length;
  for (const r of warm) sink.total += compiled(r);
  const compiledPerSec = throughput(records, compiled);
  const latencies = new Float64Array(records.length);
  let violating = 0;
  for (const [i, r] of records.entries()) {
    t = performance.now();
    const n = compiled(r);
    latencies[i] = performance.now() - t;
    if (n > 0) violating++;
  }
  latencies.sort();

  // (e) plain function
  const plain = (r: RecordEnvelope) => plainEvaluate(r, BENCH_NOW_MS).length;
  for (const r of warm) sink.total += plain(r);
  const plainPerSec = throughput(records, plain);
  console.log("engine: compiled and plain measured; running json-rules-engine variants on the subset");

  // (b) naive: a new Engine per record and policy version in force, default JSONPath
  const naive = async (r: RecordEnvelope) => {
    let events = 0;
    for (const version of versionsInForce(set, r.type, Date.parse(r.occurredAt)))
      events += (await buildEngine(version).run({ data: r.data, record: r, now: BENCH_NOW })).events.length;
    return events;
  };
  // (c, d) cached engines, default JSONPath and simple paths
  const cached = createReferenceEvaluator(set);
  const cachedSimple = createReferenceEvaluator(set, { simplePaths: true });
  const asyncVariants = {
    naive,
    cached: async (r: RecordEnvelope) => (await cached.evaluate(r, now)).violations.length,
    cachedSimple: async (r: RecordEnvelope) => (await cachedSimple.evaluate(r, now)).violations.length,
  };
  const perSec: Record<keyof typeof asyncVariants, number> = { naive: 0, cached: 0, cachedSimple: 0 };
  for (const [name, run] of Object.entries(asyncVariants) as [keyof typeof asyncVariants, typeof naive][]) {
    for (const r of records.slice(0, Math.min(500, count))) sink.total += await run(r); // warm-up
    perSec[name] = await throughputAsync(subset, run);
  }

  // cross-checks, untimed: plain and the json-rules-engine reference against the compiled evaluator
  let plainMismatches = 0;
  let referenceMismatches = 0;
  for (const r of subset) {
    const expected = fired(evaluator.evaluate(r, now).violations.map((v) => `${v.policyId}/${v.ruleId}`));
    if (fired(plainEvaluate(r, BENCH_NOW_MS)) !== expected) plainMismatches++;
    const reference = (await cached.evaluate(r, now)).violations.map((v) => `${v.policyId}/${v.ruleId}`);
    if (fired(reference) !== expected) referenceMismatches++;
  }

  const result: EngineBenchResult = {
    recordsPerSec: Math.round(compiledPerSec),
    p50Ms: round(percentile(latencies, 0.5), 4),
    p99Ms: round(percentile(latencies, 0.99), 4),
    p999Ms: round(percentile(latencies, 0.999), 4),
    maxMs: round(latencies[latencies.length - 1] ?? 0, 3),
    naiveRecordsPerSec: Math.round(perSec.naive),
    cachedRecordsPerSec: Math.round(perSec.cached),
    cachedSimplePathRecordsPerSec: Math.round(perSec.cachedSimple),
    plainRecordsPerSec: Math.round(plainPerSec),
    ratios: {
      compiledOverNaive: round(compiledPerSec / perSec.naive, 1),
      compiledOverPlain: round(compiledPerSec / plainPerSec, 3),
      cachedOverNaive: round(perSec.cached / perSec.naive, 2),
      cachedSimplePathOverNaive: round(perSec.cachedSimple / perSec.naive, 2),
    },
    records: count,
    subsetRecords: subset.length,
    violatingShare: round(violating / count, 4),
    mismatches: { plain: plainMismatches, reference: referenceMismatches },
    node: process.version,
    cpu: `${cpus()[0]?.model ?? "unknown"} × ${cpus().length}`,
    measuredAt: new Date().toISOString(),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  // write then rename, so an interrupted run never leaves a half-written results file
  const file = join(RESULTS_DIR, "engine.json");
  writeFileSync(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  console.log(formatEngineResult(result));
  return result;
}

export function formatEngineResult(r: EngineBenchResult): string {
  const n = (x: number) => x.toLocaleString("en");
  const row = (name: string, perSec: number, records: number) =>
    `  ${name.padEnd(34)}${n(perSec).padStart(12)}${`${round(perSec / r.naiveRecordsPerSec, 1)}×`.padStart(11)}${n(records).padStart(10)}`;
  return [
    `engine — ${n(r.records)} records (${(r.violatingShare * 100).toFixed(1)} % violating), ${r.node}, ${r.cpu}`,
    `  ${"variant".padEnd(34)}${"records/s".padStart(12)}${"vs naive".padStart(11)}${"records".padStart(10)}`,
    row("compiled (createEvaluator)", r.recordsPerSec, r.records),
    row("plain TypeScript (speed limit)", r.plainRecordsPerSec, r.records),
    row("json-rules-engine cached, simple", r.cachedSimplePathRecordsPerSec, r.subsetRecords),
    row("json-rules-engine cached, JSONPath", r.cachedRecordsPerSec, r.subsetRecords),
    row("json-rules-engine naive (new Engine)", r.naiveRecordsPerSec, r.subsetRecords),
    `  compiled latency per record: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, p99.9 ${r.p999Ms} ms, max ${r.maxMs} ms`,
    `  ratios: compiled/naive ${r.ratios.compiledOverNaive}×, compiled/plain ${r.ratios.compiledOverPlain}×, cached/naive ${r.ratios.cachedOverNaive}×, cached simple/naive ${r.ratios.cachedSimplePathOverNaive}×`,
    `  agreement with compiled on ${n(r.subsetRecords)} records: plain ${r.mismatches.plain} mismatches, json-rules-engine ${r.mismatches.reference} mismatches`,
  ].join("\n");
}
