/**
 * The satisfaction deduction from complaints (CATALOGUE "Figures", seed 003 4.1.3): every full 10
 * ordinary complaints (general, service, quality) deduct 0.2 percentage points; each legal or
 * media complaint deducts 50. Exact decimal arithmetic.
 */
import Big from "big.js";
import { COMPLAINT_CATEGORIES } from "../../schemas/record-types.ts";

export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];
export type ComplaintCounts = Record<ComplaintCategory, number>;

export const ORDINARY: readonly ComplaintCategory[] = ["general", "service", "quality"];
export const GRAVE: readonly ComplaintCategory[] = ["legal", "media"];

export function emptyCounts(): ComplaintCounts {
  return Object.fromEntries(COMPLAINT_CATEGORIES.map((c) => [c, 0])) as ComplaintCounts;
}

export function deduction(counts: ComplaintCounts): number {
  const ordinary = ORDINARY.reduce((n, c) => n + counts[c], 0);
  const grave = GRAVE.reduce((n, c) => n + counts[c], 0);
  return Number(new Big(Math.floor(ordinary / 10)).times("0.2").plus(new Big(grave).times(50)).toString());
}
