/**
 * Exact decimal arithmetic for money and percentages (CATALOGUE: "compared exactly, never in
 * floating point"). A JSON number is read through its shortest decimal representation
 * (`String(0.1)` is "0.1"), so 0.1 + 0.2 is exactly 0.3 here.
 *
 * Quotients (a discount, a share of a budget line) are kept as exact `Ratio`s and compared by
 * cross-multiplication, so a discount exactly at an authority limit is never pushed over it by
 * rounding.
 */
import Big from "big.js";

export const UNLIMITED = "unlimited";
export type Unlimited = typeof UNLIMITED;

/** An exact quotient num/den with den ≥ 0; den = 0 with num > 0 means +∞. */
export class Ratio {
  readonly num: Big;
  readonly den: Big;
  constructor(num: Big, den: Big) {
    if (den.lt(0)) {
      this.num = num.neg();
      this.den = den.neg();
    } else {
      this.num = num;
      this.den = den;
    }
  }
  /** A decimal approximation for display and evidence (never for comparisons). */
  toNumber(dp = 6): number {
    if (this.den.eq(0)) return this.num.eq(0) ? 0 : this.num.gt(0) ? Infinity : -Infinity;
    return Number(this.num.div(this.den).round(dp).toString());
  }
  toJSON(): number {
    return this.toNumber();
  }
}

export type Exact = Big | Ratio | Unlimited;

const ONE = new Big(1);

export function toBig(value: unknown): Big | undefined {
  if (value instanceof Big) return value;
  if (typeof value === "number") return Number.isFinite(value) ? new Big(value) : undefined;
  if (typeof value === "string" && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(value))
    return new Big(value.trim());
  return undefined;
}

/** Reads a number, numeric string, Big, Ratio or "unlimited" as an exact value. */
export function toExact(value: unknown): Exact | undefined {
  if (value === UNLIMITED || value instanceof Ratio) return value;
  return toBig(value);
}

/**
 * Exact three-way comparison; `undefined` when either side is not a number
 * (absent facts compare as neither greater nor smaller, so they never fire a limit).
 */
export function compareExact(a: unknown, b: unknown): -1 | 0 | 1 | undefined {
  // Two JSON numbers: comparing the doubles is comparing their shortest decimals exactly (each
  // such decimal rounds to its double and rounding keeps order), without building two Bigs
  if (typeof a === "number" && typeof b === "number" && Number.isFinite(a) && Number.isFinite(b))
    return a === b ? 0 : a > b ? 1 : -1;
  const x = toExact(a);
  const y = toExact(b);
  if (x === undefined || y === undefined) return undefined;
  if (x === UNLIMITED || y === UNLIMITED) return x === y ? 0 : x === UNLIMITED ? 1 : -1;
  const [xn, xd] = x instanceof Ratio ? [x.num, x.den] : [x, ONE];
  const [yn, yd] = y instanceof Ratio ? [y.num, y.den] : [y, ONE];
  if (xd.eq(0) || yd.eq(0)) {
    // ±∞ or 0/0 (an empty base, treated as 0)
    const sx = xd.eq(0) ? Math.sign(xn.toNumber()) * Infinity || 0 : xn.div(xd).toNumber();
    const sy = yd.eq(0) ? Math.sign(yn.toNumber()) * Infinity || 0 : yn.div(yd).toNumber();
    return sx === sy ? 0 : sx > sy ? 1 : -1;
  }
  return xn.times(yd).cmp(yn.times(xd)) as -1 | 0 | 1;
}

export function sum(values: readonly unknown[]): Big {
  return values.reduce<Big>((acc, v) => acc.plus(toBig(v) ?? 0), new Big(0));
}
