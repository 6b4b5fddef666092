/**
 * fast-check arbitraries for schema-valid records: each record type's own generator
 * (schemas/records/, the same ones the bench drives) with fast-check as its source, so a failure
 * shrinks choice by choice. The generators place values on the catalogue's limits and deadlines;
 * here they are also given faults more often than the bench's month, take their odd values
 * (blank people, free items, an empty budget line, counts beside 100, absent fields sent as
 * `null`) now and then, and timestamps land a hair (a second) either side of where the story put
 * them, or an hour early.
 */
import fc from "fast-check";
import { RECORD_TYPES, type RecordEnvelope, type RecordInput, recordSchema } from "../../schemas/record.ts";
import { RECORD_GENERATORS } from "../../schemas/records/index.ts";
import {
  HOUR,
  inShanghai,
  MIN,
  type Random,
  type Timeline,
  weightedKey,
} from "../../schemas/records/random.ts";

const BASE = Date.parse("2026-03-01T08:00:00Z");

export const now = fc
  .tuple(fc.constantFrom(0, 2, 4, 24, 72, 168, 400), fc.constantFrom(-1000, 0, 1000))
  .map(([h, ms]) => new Date(BASE + h * HOUR + ms).toISOString());

/** Integers drawn as fast-check likes them: often at the bounds. */
const integer = (min: number, max: number) => fc.integer({ min, max });
/** Integers drawn evenly, for choices whose odds the generators set. */
const evenly = (min: number, max: number) => fc.noBias(fc.integer({ min, max }));

/** fast-check as a generator's source, looking for trouble (`odd` answers an unusual value one time in five). */
function troubleSource(draw: fc.GeneratorValue): Random {
  const choose = (n: number) => draw(evenly, 0, n - 1);
  const random: Random = {
    chance: (p) => draw(evenly, 0, 9_999) < p * 10_000,
    int: (lo, hi) => draw(integer, lo, hi),
    pick: (items) => items[choose(items.length)] as (typeof items)[number],
    weighted: (table) => weightedKey(table, choose),
    minutes: (lo, hi) => random.int(lo, hi) * MIN,
    iso(ms) {
      const at = ms + random.pick([0, 0, 0, -1000, 1000, -HOUR]);
      return random.chance(0.3) ? inShanghai(at) : new Date(at).toISOString();
    },
    odd: (usual, ...unusual) => (unusual.length > 0 && random.chance(0.2) ? random.pick(unusual) : usual),
  };
  return random;
}

/** Absent optional fields, some of them sent as `null` (the same meaning, CONTRACT §1). */
function withNulls(value: unknown, random: Random): unknown {
  if (Array.isArray(value)) return value.map((v) => withNulls(v, random));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      v === undefined ? random.odd(undefined, null) : withNulls(v, random),
    ]),
  );
}

/** Raw JSON a caller could send (nulls and offsets included), valid against the record schema. */
export const recordInput: fc.Arbitrary<RecordInput> = fc.gen().map((draw) => {
  const random = troubleSource(draw);
  const type = random.pick(RECORD_TYPES);
  const generator = RECORD_GENERATORS[type];
  const faults = new Set<string>();
  // several faults at once, most records at least one: the rules are what the properties are about
  for (const fault of generator.faults) if (random.chance(0.5)) faults.add(fault);
  // what has happened by the time the record is sent: a few hours or days after its start
  const sentAt = BASE + random.pick([2, 24, 72, 168, 400, 400]) * HOUR;
  const at: Timeline = { start: BASE, past: (ms) => (ms <= sentAt ? ms : undefined) };
  return {
    type,
    id: draw(fc.stringMatching, /^[A-Za-z0-9._:-]{1,12}$/),
    revision: random.int(1, 5),
    occurredAt: random.pick(["2026-03-01T08:00:00Z", "2026-03-01T16:00:00+08:00", "2025-12-31T23:59:59Z"]),
    source: random.odd(generator.source, "erp", "crm"),
    data: withNulls(generator.data(random, at, faults), random),
  } as RecordInput;
});

/** Parsed records, as the engine receives them. */
export const record: fc.Arbitrary<RecordEnvelope> = recordInput.map((r) => recordSchema.parse(r));
