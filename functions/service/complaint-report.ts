/**
 * GET /v1/reports/complaints?from&to: complaints received in [from, to], counted by category with
 * the satisfaction deduction. Reads the byReceived index month by month (no Scan); each complaint
 * counts once, as its latest evaluated revision describes it.
 */
import { type ComplaintCounts, deduction, emptyCounts } from "../core/complaint-report.ts";
import { DomainError } from "../core/errors.ts";
import { reportMonth } from "../store/records.ts";
import type { Platform } from "./platform.ts";

export interface ComplaintReport {
  readonly from: string;
  readonly to: string;
  readonly counts: ComplaintCounts;
  readonly total: number;
  readonly deduction: number;
}

/** Month partitions from `from` to `to`, inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const endY = Number(to.slice(0, 4));
  const endM = Number(to.slice(5, 7));
  while (y < endY || (y === endY && m <= endM)) {
    months.push(reportMonth(`${y}-${String(m).padStart(2, "0")}`));
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return months;
}

/** A period the report cannot cover: a request error on `from`. */
export class ReportRangeError extends DomainError<"validation_failed"> {
  constructor(message: string) {
    super("validation_failed", message, { issues: [{ path: "from", message }] });
  }
}

export async function complaintReport(
  platform: Platform,
  from: string,
  to: string,
): Promise<ComplaintReport> {
  if (from > to) throw new ReportRangeError("`from` must not be after `to`");
  const months = monthsBetween(from, to);
  if (months.length > 120) throw new ReportRangeError("a report covers at most 10 years");
  const counts = emptyCounts();
  const seen = new Set<string>();
  for (const month of months) {
    for await (const entry of platform.records.complaintsReceived(month, from, to)) {
      if (seen.has(entry.pk) || !(entry.category in counts)) continue;
      seen.add(entry.pk);
      counts[entry.category as keyof ComplaintCounts]++;
    }
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return { from, to, counts, total, deduction: deduction(counts) };
}
