/**
 * What a record type's random generator is written against (each type's module has one; the
 * tests' arbitraries and the bench drive the same generators):
 *
 * - `Random`, the source of every choice. The bench's source is `seededRandom` (mulberry32, never
 *   Math.random: the same seed always gives the same records, on every machine and day); the
 *   tests' source is fast-check's (test/support/arbitraries.ts), so failures shrink.
 * - a generator tells a record's story from a start time: mostly compliant, with the faults it is
 *   given (a missing approval, a late response …), and many values placed exactly on a limit (an
 *   amount equal to an authority, a discount of exactly 10 %, a deadline met to the minute), so
 *   the catalogue's inclusive/strict conventions are exercised, not just the easy middle of each
 *   range. Where a caller could also send something odd but schema-valid (blank text, a price of
 *   0, an empty list), the generator offers it through `odd`: the tests' source takes it now and
 *   then, the bench's never does (and draws nothing for it, so the bench's records stay the same).
 *
 * Nothing here is reached from a Lambda handler: the generators are tests' and bench's
 * (test/infra/record-generators.test.ts checks that no bundle carries one).
 */

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** The source of a generator's choices. */
export interface Random {
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  /** A key, with probability proportional to its weight. */
  weighted<K extends string>(table: Readonly<Record<K, number>>): K;
  /** Minutes in [lo, hi] as milliseconds: all times are whole minutes, so offsets stay exact. */
  minutes(lo: number, hi: number): number;
  /** A moment as a record writes it: `Z`, or an offset as a Shanghai ERP would send it. */
  iso(ms: number): string;
  /**
   * `usual`, or, from a source looking for trouble (the tests'), sometimes one of `unusual`:
   * schema-valid values a careless sender might send. A realistic source (the bench's) answers
   * `usual` without drawing.
   */
  odd<T>(usual: T, ...unusual: readonly T[]): T;
}

/** When a record's story starts, and what has happened by the time it is sent. */
export interface Timeline {
  /** Epoch ms of the story's first event (the complaint's arrival, the access …). */
  readonly start: number;
  /** `ms` while it lies at or before the evaluation time; undefined once later: it has not happened yet. */
  past(ms: number): number | undefined;
}

/** The faults a record is given, from its generator's `faults`. */
export type Faults = ReadonlySet<string>;

/** One record type's random generator. */
export interface RecordGenerator<Input> {
  /** The sending system, e.g. erp. */
  readonly source: string;
  /** Its share of a working month's records, in % (the bench's mix). */
  readonly share: number;
  /** The faults it can give a record; a faulty record gets one (sometimes two). */
  readonly faults: readonly string[];
  /** The record's data (as a caller sends it: offsets, absent fields), telling its story with `faults`. */
  data(g: Random, at: Timeline, faults: Faults): Input;
}

/** mulberry32: tiny, fast, good enough for test data, and identical on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The key at `at(total)` along the table's weights (`at` draws from [0, total) of them). */
export function weightedKey<K extends string>(
  table: Readonly<Record<K, number>>,
  at: (total: number) => number,
): K {
  const entries = Object.entries(table) as [K, number][];
  let r = at(entries.reduce((s, [, w]) => s + w, 0));
  for (const [key, w] of entries) {
    r -= w;
    if (r < 0) return key;
  }
  return (entries[entries.length - 1] as [K, number])[0];
}

/** A moment as a Shanghai ERP writes it: local time with `+08:00`, whole seconds. */
export const inShanghai = (ms: number) => `${new Date(ms + 8 * HOUR).toISOString().slice(0, 19)}+08:00`;

/** The bench's source: realistic (never odd) and deterministic; same seed, same choices. */
export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  const random: Random = {
    chance: (p) => next() < p,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    weighted: (table) => weightedKey(table, (total) => next() * total),
    minutes: (lo, hi) => random.int(lo, hi) * MIN,
    iso: (ms) => (random.chance(0.3) ? inShanghai(ms) : new Date(ms).toISOString()),
    odd: (usual) => usual,
  };
  return random;
}

/** Integer cents → CNY amount: cents/100 is the double nearest the 2-decimal amount. */
export const cny = (cents: number) => cents / 100;

export const STAFF = ["mk.wu", "mk.qian", "mk.sun", "sa.zheng", "sa.feng", "cs.liu", "cs.he", "mr.tang"];
export const DEPARTMENTS = ["marketing", "sales", "customer-service", "market-research"];
/** Roles a careless sender may name anywhere a role goes. */
export const ANY_ROLE = [
  "salesperson",
  "sales-manager",
  "marketing-director",
  "general-manager",
  "management",
  "department-head",
  "finance",
  "quality",
  "legal",
];
/** A person id that names no one: blank. */
export const BLANK = ["", " "];
