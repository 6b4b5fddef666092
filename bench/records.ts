/**
 * Deterministic benchmark records: each record type's own generator (schemas/records/) driven by
 * the seeded source (mulberry32, never Math.random), so the same seed always gives the same
 * records and runs on different machines or days measure the same work.
 *
 * The mix imitates a working month: each type's share of the records, mostly compliant, about a
 * third violating at least one rule, and many values placed exactly on a limit (an amount equal
 * to an authority, a discount of exactly 10 %, a deadline met to the minute, an authorization
 * expiring at the access time) so the plain-function cross-check exercises the catalogue's
 * inclusive/strict conventions, not just the easy middle of each range.
 */
import { type RecordEnvelope, type RecordInput, type RecordType, recordSchema } from "../schemas/record.ts";
import { RECORD_GENERATORS } from "../schemas/records/index.ts";
import { MIN, seededRandom, type Timeline } from "../schemas/records/random.ts";

/** Evaluation time of every bench run; every record's business time lies in 2026 before it. */
export const BENCH_NOW = "2026-04-01T12:00:00.000Z";
export const BENCH_NOW_MS = Date.parse(BENCH_NOW);

/** Each type's share of the records. */
const MIX = Object.fromEntries(
  Object.entries(RECORD_GENERATORS).map(([type, g]) => [type, g.share]),
) as Record<RecordType, number>;
/**
 * Share of records given a fault; all others are compliant. A fault whose deadline is still
 * pending at BENCH_NOW shows no violation yet, like in production.
 */
const FAULT_RATE = 0.3;

/**
 * `count` records parsed by the record schema (so timestamps are UTC, nulls dropped), exactly as
 * the API hands them to the evaluator. Same (count, seed) → same records.
 */
export function generateRecords(count: number, seed = 20260401): RecordEnvelope[] {
  const g = seededRandom(seed);
  const records: RecordEnvelope[] = [];
  for (let i = 0; i < count; i++) {
    const type = g.weighted(MIX);
    const generator = RECORD_GENERATORS[type];
    const faults = new Set<string>();
    if (g.chance(FAULT_RATE)) {
      faults.add(g.pick(generator.faults));
      if (g.chance(0.15)) faults.add(g.pick(generator.faults));
    }
    // 15 % are recent (deadlines may still be pending at BENCH_NOW); the rest spread over the quarter
    const ageMinutes = g.chance(0.15) ? g.int(0, 3 * 24 * 60) : g.int(3 * 24 * 60, 85 * 24 * 60);
    const start = BENCH_NOW_MS - ageMinutes * MIN;
    // a record's events never lie after the evaluation time: a later one has not happened yet
    const at: Timeline = { start, past: (ms) => (ms <= BENCH_NOW_MS ? ms : undefined) };
    const input = {
      type,
      id: `${type.slice(0, 3).toUpperCase()}-2026-${String(i).padStart(6, "0")}`,
      revision: g.int(1, 4),
      occurredAt: g.iso(start),
      source: generator.source,
      data: generator.data(g, at, faults),
    } as RecordInput;
    records.push(recordSchema.parse(input));
  }
  return records;
}
