/**
 * Exact decimal arithmetic (functions/core/decimal.ts): money and shares are compared exactly,
 * never in floating point; quotients stay exact ratios; "unlimited" is above every number; what is
 * not a number compares as nothing (so an absent fact never fires a limit). Pure: no Java.
 */
import Big from "big.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareExact, Ratio, sum, toBig, toExact, UNLIMITED } from "../../functions/core/decimal.ts";

const big = (s: string) => new Big(s);

describe("toBig", () => {
  it.each([
    [0.1, "0.1"],
    [12000, "12000"],
    [-3.25, "-3.25"],
    ["42", "42"],
    [" 7.5 ", "7.5"],
    ["1e3", "1000"],
    ["-2.5E-2", "-0.025"],
  ] as const)("reads %j as %s", (input, expected) => {
    expect(toBig(input)?.toString()).toBe(new Big(expected).toString());
  });

  it.each([
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    "",
    "abc",
    "1,000",
    "12.",
    ".5",
    "0x10",
    null,
    undefined,
    true,
    [1],
    { amount: 1 },
  ])("does not read %j as a number", (input) => {
    expect(toBig(input)).toBeUndefined();
  });

  it("passes a Big through as it is", () => {
    const b = big("1.23");
    expect(toBig(b)).toBe(b);
  });
});

describe("toExact", () => {
  it('reads "unlimited" and ratios as themselves, numbers as Big', () => {
    const r = new Ratio(big("1"), big("3"));
    expect(toExact(UNLIMITED)).toBe(UNLIMITED);
    expect(toExact(r)).toBe(r);
    expect(toExact("5")).toBeInstanceOf(Big);
    expect(toExact("Unlimited")).toBeUndefined();
  });
});

describe("compareExact", () => {
  it.each([
    // floating point would get these wrong
    [0.1 + 0.2, 0.3, 1], // 0.30000000000000004 is read as written: above 0.3
    ["0.3", 0.3, 0],
    [sum([0.1, 0.2]), 0.3, 0],
    [12000, "12000.00", 0],
    [9999.99, 10000, -1],
    ["1e3", 1000, 0],
    [-1, 0, -1],
    // unlimited is above every number and equal to itself
    [UNLIMITED, 1e15, 1],
    [1e15, UNLIMITED, -1],
    [UNLIMITED, UNLIMITED, 0],
    // ratios by cross-multiplication: exactly at the limit stays at the limit
    [new Ratio(big("1"), big("3")), new Ratio(big("2"), big("6")), 0],
    [new Ratio(big("15"), big("100")), 0.15, 0],
    [new Ratio(big("150001"), big("1000000")), 0.15, 1],
    [new Ratio(big("-1"), big("-4")), 0.25, 0], // the sign moves to the numerator
    [new Ratio(big("1"), big("3")), 0.3333333333333333, 1],
    // a zero denominator: +∞ for a positive numerator, 0 for 0/0 (an empty base)
    [new Ratio(big("5"), big("0")), 1e15, 1],
    [new Ratio(big("-5"), big("0")), -1e15, -1],
    [new Ratio(big("0"), big("0")), 0, 0],
    [new Ratio(big("5"), big("0")), new Ratio(big("1"), big("0")), 0],
  ] as const)("compares %s with %s as %i", (a, b, expected) => {
    expect(compareExact(a, b)).toBe(expected);
  });

  it.each([
    [undefined, 1],
    [1, undefined],
    [null, 0],
    ["", 0],
    ["n/a", 0],
    [Number.NaN, 0],
  ])("is undefined when either side is not a number (%j vs %j)", (a, b) => {
    expect(compareExact(a, b)).toBeUndefined();
  });

  const decimal = fc
    .tuple(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), fc.integer({ min: 0, max: 6 }))
    .map(([units, scale]) => new Big(units.toString()).div(new Big(10).pow(scale)).toString());

  it("agrees with the sign of the exact difference, and is antisymmetric (property)", () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const c = compareExact(a, b);
        expect(c).toBe(big(a).minus(big(b)).cmp(0));
        expect(compareExact(b, a)).toBe(c === 0 ? 0 : -(c as number));
      }),
    );
  });

  it("compares two JSON numbers as their shortest decimals, exactly (property, doubles of every kind)", () => {
    const number = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer().map((n) => n / 100),
      fc.constantFrom(0.1, 0.2, 0.3, 0.1 + 0.2, -0, 0, 1e21, 5e-324, Number.MAX_SAFE_INTEGER + 2),
    );
    fc.assert(
      fc.property(number, number, (a, b) => {
        expect(compareExact(a, b)).toBe(big(String(a)).cmp(big(String(b))));
      }),
    );
  });

  it("compares a ratio as its exact quotient, whatever the scale of its terms (property)", () => {
    fc.assert(
      fc.property(
        decimal,
        decimal.filter((d) => !big(d).eq(0)),
        fc.integer({ min: 1, max: 1000 }),
        (num, den, k) => {
          const r = new Ratio(big(num), big(den));
          const scaled = new Ratio(big(num).times(k), big(den).times(k));
          expect(compareExact(r, scaled)).toBe(0);
          // r − num/den is 0 exactly: r compared with a decimal d is the sign of num − d·den (den > 0)
          const d = big(num).div(big(den)).round(3);
          const sign = big(den).gt(0) ? 1 : -1;
          expect(compareExact(r, d)).toBe(
            big(num)
              .minus(d.times(big(den)))
              .cmp(0) * sign || 0,
          );
        },
      ),
    );
  });
});

describe("sum", () => {
  it("adds exactly, reading what is not a number as 0", () => {
    expect(sum([0.1, 0.2, "0.3"]).toString()).toBe("0.6");
    expect(sum([]).toString()).toBe("0");
    expect(sum([1, undefined, "x", null, 2]).toString()).toBe("3");
  });

  it("is the exact total of cents, in any order (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 })), (cents) => {
        const amounts = cents.map((c) => c / 100);
        const expected = cents.reduce((t, c) => t + BigInt(c), 0n);
        expect(sum(amounts).times(100).toString()).toBe(new Big(expected.toString()).toString());
        expect(sum([...amounts].reverse()).eq(sum(amounts))).toBe(true);
      }),
    );
  });
});

describe("Ratio", () => {
  it("keeps a non-negative denominator and shows a rounded number, never used to compare", () => {
    const r = new Ratio(big("1"), big("-3"));
    expect(r.num.toString()).toBe("-1");
    expect(r.den.toString()).toBe("3");
    expect(r.toNumber()).toBe(-0.333333);
    expect(r.toNumber(2)).toBe(-0.33);
    expect(JSON.stringify({ share: new Ratio(big("1"), big("8")) })).toBe('{"share":0.125}');
    expect(new Ratio(big("1"), big("0")).toNumber()).toBe(Infinity);
    expect(new Ratio(big("-1"), big("0")).toNumber()).toBe(-Infinity);
    expect(new Ratio(big("0"), big("0")).toNumber()).toBe(0);
  });
});
