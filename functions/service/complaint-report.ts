/**
 * GET /v1/reports/complaints?from&to: complaints received in [from, to], counted by category with
 * the satisfaction deduction. Reads the byReceived index month by month (no Scan); each complaint
 * counts once, as its latest evaluated revision describes it.
 */
import { type ComplaintCounts, deduction, emptyCounts } from "../core/complaint-report.ts";
import { csvLine } from "../core/csv.ts";
import { DomainError } from "../core/errors.ts";
import type { Platform } from "./platform.ts";

export interface ComplaintReport {
  readonly from: string;
  readonly to: string;
  readonly counts: ComplaintCounts;
  readonly total: number;
  readonly deduction: number;
  /** The counted complaints, oldest first (receivedAt, then id). */
  readonly items: readonly ComplaintReportItem[];
}

export interface ComplaintReportItem {
  readonly type: "complaint";
  readonly id: string;
  readonly category: string;
  readonly receivedAt: string;
}

/** The counted complaints as CSV (RFC 4180, the one cell encoder: formulas neutralised, no BOM). */
export function complaintItemsCsv(items: readonly ComplaintReportItem[]): string {
  return [
    csvLine(["type", "id", "category", "receivedAt"]),
    ...items.map((i) => csvLine([i.type, i.id, i.category, i.receivedAt])),
  ].join("");
}

/** Calendar months (`2026-03`) from `from` to `to`, inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const endY = Number(to.slice(0, 4));
  const endM = Number(to.slice(5, 7));
  while (y < endY || (y === endY && m <= endM)) {
    months.push(`${y}-${String(m).padStart(2, "0")}`);
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
  const items: ComplaintReportItem[] = [];
  for (const month of months) {
    for await (const entry of platform.records.complaintsReceived(month, from, to)) {
      if (seen.has(entry.id) || !(entry.category in counts)) continue;
      seen.add(entry.id);
      counts[entry.category as keyof ComplaintCounts]++;
      items.push({
        type: "complaint",
        id: entry.id,
        category: entry.category,
        receivedAt: entry.receivedAt,
      });
    }
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  items.sort((a, b) =>
    a.receivedAt < b.receivedAt
      ? -1
      : a.receivedAt > b.receivedAt
        ? 1
        : a.id < b.id
          ? -1
          : a.id > b.id
            ? 1
            : 0,
  );
  return { from, to, counts, total, deduction: deduction(counts), items };
}
