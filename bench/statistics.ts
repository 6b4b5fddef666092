/** The statistics the bench reports, in one place. */

/** The middle value (the mean of the two middle ones for an even count); 0 for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Nearest-rank percentile (`q` from 0 to 1) of ascending values; 0 for no values. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

/** `x` rounded to `digits` decimals, as the bench reports figures. */
export const round = (x: number, digits: number) => Number(x.toFixed(digits));

export const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
