/** Violations as CSV (RFC 4180: CRLF, a header row, quotes doubled), one row per violation. */
import { csvCell } from "../core/csv.ts";
import type { StoredViolation } from "../core/lifecycle.ts";

/** Rows in one CSV answer; more continue with the X-Next-Cursor header (API Gateway's 6 MB cap). */
export const CSV_MAX_ROWS = 5000;

export const CSV_COLUMNS = [
  "id",
  "policyId",
  "policyVersion",
  "ruleId",
  "area",
  "severity",
  "recordType",
  "recordId",
  "recordRevision",
  "status",
  "messageZh",
  "messageEn",
  "assignees",
  "dueAt",
  "detectedAt",
  "resolvedAt",
  "evidence",
  "source",
] as const;

export function csvRow(v: StoredViolation): string {
  const cells = [
    v.id,
    v.policyId,
    v.policyVersion,
    v.ruleId,
    v.area,
    v.severity,
    v.record.type,
    v.record.id,
    v.record.revision,
    v.status,
    v.message.zh,
    v.message.en,
    v.assignees.map((a) => `${a.role}:${a.people.join("|")}`).join(";"),
    v.dueAt,
    v.detectedAt,
    v.resolvedAt,
    JSON.stringify(v.evidence),
    v.source.map((s) => `${s.document} ${s.clause}`).join("; "),
  ];
  return cells.map(csvCell).join(",");
}

export function toCsv(rows: readonly StoredViolation[]): string {
  return [CSV_COLUMNS.join(","), ...rows.map(csvRow)].map((line) => `${line}\r\n`).join("");
}
