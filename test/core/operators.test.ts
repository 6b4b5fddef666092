/**
 * The operators a condition may use (functions/core/policy/operators.ts): each one's truth table,
 * json-rules-engine's fact validators and decorators (`not:`, `swap:`, `someFact:` …, applied from
 * the innermost outwards), the value each accepts, and properties that tie them together
 * (`not:x` is the negation of `x`, the decimal comparisons are a trichotomy). The differential
 * test (engine-properties) checks them against json-rules-engine itself; these say what they mean.
 */
import Big from "big.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Ratio } from "../../functions/core/decimal.ts";
import { Elapsed } from "../../functions/core/policy/facts.ts";
import { DECORATORS, OPERATORS, resolveOperator } from "../../functions/core/policy/operators.ts";

const HOUR = 3_600_000;
const elapsed = (hours: number, pending = false) => new Elapsed(hours * HOUR, 0, pending);

/** [fact value, condition value, result] for each operator; every operator has rows. */
const TRUTH: Readonly<Record<string, readonly (readonly [unknown, unknown, boolean])[]>> = {
  equal: [
    ["a", "a", true],
    [1, 1, true],
    [1, "1", false],
    [null, null, true],
    [undefined, null, false],
    [[1], [1], false], // identity, as json-rules-engine's ===
  ],
  notEqual: [
    ["a", "b", true],
    [1, 1, false],
    [1, "1", true],
  ],
  in: [
    ["travel", ["travel", "meals"], true],
    ["gifts", ["travel", "meals"], false],
    [1, ["1"], false],
  ],
  notIn: [
    ["gifts", ["travel", "meals"], true],
    ["travel", ["travel"], false],
  ],
  contains: [
    [["a", "b"], "a", true],
    [["a", "b"], "c", false],
    ["abc", "a", false], // the fact must be a list
    [undefined, "a", false],
  ],
  doesNotContain: [
    [["a", "b"], "c", true],
    [["a", "b"], "a", false],
    ["abc", "z", false], // the fact must be a list
  ],
  lessThan: [
    [1, 2, true],
    [2, 2, false],
    ["1", 2, true], // numeric strings pass json-rules-engine's validator
    ["abc", 2, false],
    [undefined, 2, false],
  ],
  lessThanInclusive: [
    [2, 2, true],
    [3, 2, false],
  ],
  greaterThan: [
    [3, 2, true],
    [2, 2, false],
    [null, -1, false],
  ],
  greaterThanInclusive: [
    [2, 2, true],
    [1, 2, false],
  ],
  present: [
    ["x", true, true],
    ["  ", true, false],
    ["", false, true],
    [null, false, true],
    [undefined, true, false],
    [[], false, true],
    [[0], true, true],
    [0, true, true],
    [false, true, true],
  ],
  decimalGreaterThan: [
    [10000.01, 10000, true],
    [10000, "10000.00", false],
    [0.1 + 0.2, 0.3, true], // the number as JSON carries it
    ["unlimited", 1e15, true],
    [undefined, 0, false],
  ],
  decimalGreaterThanInclusive: [
    [10000, "10000.00", true],
    [9999.99, 10000, false],
    [new Ratio(new Big(15), new Big(100)), 0.15, true], // a discount exactly at the limit
    [new Ratio(new Big(0), new Big(0)), 0, true], // an empty base counts as 0
  ],
  decimalLessThan: [
    [9999.99, 10000, true],
    [10000, 10000, false],
    [5, "unlimited", true],
    [null, 10, false],
  ],
  decimalLessThanInclusive: [
    [10000, "10000", true],
    [10000.0001, 10000, false],
    ["unlimited", "unlimited", true],
  ],
  timeAfter: [
    ["2026-03-01T08:00:01Z", "2026-03-01T08:00:00Z", true],
    ["2026-03-01T16:00:00+08:00", "2026-03-01T08:00:00Z", false], // the same instant
    [undefined, "2026-03-01T08:00:00Z", false],
  ],
  timeAtOrBefore: [
    ["2026-03-01T16:00:00+08:00", "2026-03-01T08:00:00Z", true],
    ["2026-03-01T08:00:00Z", "2026-03-01T07:59:59Z", false],
    ["not a time", "2026-03-01T08:00:00Z", false],
  ],
  longerThan: [
    [elapsed(49), "P2D", true],
    [elapsed(48), "P2D", false], // "within N" includes N
    [elapsed(49, true), "PT48H", true], // still pending: the clock runs to now
    [49 * HOUR, "P2D", false], // only an `elapsed` fact
  ],
  notLongerThan: [
    [elapsed(48), "P2D", true],
    [elapsed(48.01), "P2D", false],
    [undefined, "P2D", false],
  ],
  includesAllRoles: [
    [["finance", "general-manager"], ["management", "finance"], true], // general-manager = management
    [["finance"], ["finance", "legal"], false],
    ["finance", ["finance"], false],
  ],
  includesAnyRole: [
    [["sales"], ["legal", "sales"], true],
    [["general-manager"], ["management"], true],
    [[], ["sales"], false],
  ],
};

describe("operators", () => {
  it("every operator has rows in the truth table, and no row names an unknown one", () => {
    expect(Object.keys(TRUTH).sort()).toEqual(OPERATORS.map((o) => o.name).sort());
  });

  for (const [name, rows] of Object.entries(TRUTH))
    it.each(rows.map(([fact, value, result]) => ({ fact, value, result })))(
      `${name}: fact $fact, value $value → $result`,
      ({ fact, value, result }) => {
        expect(resolveOperator(name)?.evaluate(fact, value)).toBe(result);
      },
    );

  it("each operator's words read in both languages", () => {
    for (const o of OPERATORS) {
      expect(o.words.en("5,000", 5000), o.name).toMatch(/\S/);
      expect(o.words.zh("5,000", 5000), o.name).toMatch(/\S/);
    }
    expect(resolveOperator("present")?.base.words.en("", false)).toBe("is missing");
    expect(resolveOperator("decimalGreaterThan")?.base.words.zh("5,000", 5000)).toBe("大於 5,000");
  });
});

describe("the value an operator accepts", () => {
  const accepts = (name: string, value: unknown) =>
    resolveOperator(name)?.base.value.safeParse(value).success ?? false;

  it.each([
    ["decimalGreaterThan", 5000, true],
    ["decimalGreaterThan", "5000.50", true],
    ["decimalGreaterThan", "unlimited", true],
    ["decimalGreaterThan", "5,000", false],
    ["decimalGreaterThan", true, false],
    ["longerThan", "P2D", true],
    ["longerThan", "PT36H", true],
    ["longerThan", "2 days", false],
    ["present", false, true],
    ["present", "yes", false],
    ["in", ["a"], true],
    ["in", "a", false],
    ["includesAnyRole", ["sales"], true],
    ["includesAnyRole", [], false],
    ["includesAnyRole", [""], false],
    ["equal", { any: "thing" }, true],
  ] as const)("%s accepts %j: %s", (name, value, expected) => {
    expect(accepts(name, value)).toBe(expected);
  });
});

describe("resolveOperator", () => {
  it("knows every operator and every decorator combination, nothing else", () => {
    for (const o of OPERATORS) expect(resolveOperator(o.name)?.base).toBe(o);
    expect(resolveOperator("not:someFact:equal")?.decorators).toEqual(["not", "someFact"]);
    expect(resolveOperator("equals")).toBeUndefined();
    expect(resolveOperator("never:equal")).toBeUndefined();
    expect(resolveOperator("not:")).toBeUndefined();
    expect(resolveOperator("")).toBeUndefined();
    expect(Object.keys(DECORATORS).sort()).toEqual([
      "everyFact",
      "everyValue",
      "not",
      "someFact",
      "someValue",
      "swap",
    ]);
  });

  it.each([
    ["someFact:equal", ["a", "b"], "b", true],
    ["someFact:equal", ["a"], "b", false],
    ["someFact:equal", "b", "b", false], // someFact needs a list fact
    ["everyFact:greaterThan", [3, 4], 2, true],
    ["everyFact:greaterThan", [3, 1], 2, false],
    ["everyFact:greaterThan", [], 2, true], // every item of nothing
    ["someValue:equal", "b", ["a", "b"], true],
    ["everyValue:lessThan", 1, [2, 3], true],
    ["everyValue:lessThan", 2, [2, 3], false],
    ["swap:in", ["a", "b"], "a", true], // the value is in the fact
    ["swap:contains", "b", ["a", "b"], true],
    ["not:equal", "a", "a", false],
    ["not:contains", "not a list", "a", true], // not of a failed validator is true
    ["not:someFact:equal", ["a", "b"], "c", true], // decorators apply from the innermost outwards
    ["someFact:not:equal", ["a", "a"], "a", false],
    ["someFact:not:equal", ["a", "b"], "a", true],
  ] as const)("%s: fact %j, value %j → %s", (name, fact, value, expected) => {
    expect(resolveOperator(name)?.evaluate(fact, value)).toBe(expected);
  });
});

const scalar = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom("a", "b", "", " ", null, undefined, true, "1", "2.5", "unlimited"),
  fc.double({ min: -10, max: 10, noNaN: true }),
);
const anyValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }));

describe("operator properties", () => {
  it("`not:x` is the negation of `x`, `swap:x` is `x` with its sides swapped, for every operator (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...OPERATORS.map((o) => o.name)), anyValue, anyValue, (name, a, b) => {
        const base = resolveOperator(name)?.evaluate as (x: unknown, y: unknown) => boolean;
        let plain: boolean;
        try {
          plain = base(a, b);
        } catch {
          return; // a value of the wrong shape (a policy's value is checked at load)
        }
        expect(resolveOperator(`not:${name}`)?.evaluate(a, b)).toBe(!plain);
        expect(resolveOperator(`swap:${name}`)?.evaluate(b, a)).toBe(plain);
      }),
    );
  });

  it("the decimal comparisons are a trichotomy on numbers, and all false when a side is not one (property)", () => {
    const number = fc.oneof(
      fc.integer({ min: -1_000_000, max: 1_000_000 }).map((c) => c / 100),
      fc.integer({ min: -1_000_000, max: 1_000_000 }).map((c) => (c / 100).toFixed(2)),
      fc.constant("unlimited"),
    );
    const test = (name: string, a: unknown, b: unknown) => resolveOperator(name)?.evaluate(a, b);
    fc.assert(
      fc.property(number, number, (a, b) => {
        const lt = test("decimalLessThan", a, b);
        const gt = test("decimalGreaterThan", a, b);
        const le = test("decimalLessThanInclusive", a, b);
        const ge = test("decimalGreaterThanInclusive", a, b);
        expect([lt, le && ge, gt].filter(Boolean)).toHaveLength(1);
        expect(le).toBe(!gt);
        expect(ge).toBe(!lt);
        expect(test("decimalLessThan", b, a)).toBe(gt);
      }),
    );
    fc.assert(
      fc.property(number, fc.constantFrom(undefined, null, "", "n/a", [1]), (a, missing) => {
        for (const name of [
          "decimalLessThan",
          "decimalLessThanInclusive",
          "decimalGreaterThan",
          "decimalGreaterThanInclusive",
        ]) {
          expect(test(name, a, missing)).toBe(false);
          expect(test(name, missing, a)).toBe(false);
        }
      }),
    );
  });

  it("longerThan and notLongerThan split every elapsed time at the duration (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 * 24 * HOUR }),
        fc.boolean(),
        fc.constantFrom("PT1H", "PT48H", "P2D", "P1DT12H", "P7D"),
        (ms, pending, duration) => {
          const e = new Elapsed(ms, 0, pending);
          const longer = resolveOperator("longerThan")?.evaluate(e, duration);
          expect(resolveOperator("notLongerThan")?.evaluate(e, duration)).toBe(!longer);
        },
      ),
    );
  });
});
