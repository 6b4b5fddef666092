/**
 * Violations as export rows: CSV (RFC 4180: CRLF, a header row, quotes doubled, formulas
 * neutralised by core/csv.ts) and the typed cells of the xlsx export (violations-xlsx.ts), one
 * row per violation, both from `exportRow` so the two never differ.
 */
import { csvCell } from "../core/csv.ts";
import type { StoredViolation } from "../core/lifecycle.ts";

/** Rows in one CSV answer; more continue with the X-Next-Cursor header (API Gateway's 6 MB cap). */
export const CSV_MAX_ROWS = 5000;

/** CONTRACT §2 "CSV": the 1.0 columns in order, then the 1.1 columns appended. */
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
  "department",
  "occurredAt",
  "statusBy",
  "statusReason",
  "waivedUntil",
  "escalationLevel",
  "evidenceText",
  "assigneesText",
] as const;

/** Columns holding an instant (the xlsx export writes them as dates). */
export const TIME_COLUMNS: ReadonlySet<string> = new Set([
  "dueAt",
  "detectedAt",
  "resolvedAt",
  "occurredAt",
  "waivedUntil",
]);

export type ExportValue = string | number | null;

function evidenceValue(value: unknown): string {
  if (value === null || value === undefined) return "(none)";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.map(evidenceValue).join(", ");
  return JSON.stringify(value);
}

/** `amount: 12000; budget.remaining: 8000` — evidence as a person reads it (no JSON). */
export function evidenceText(evidence: Readonly<Record<string, unknown>>): string {
  return Object.entries(evidence)
    .map(([key, value]) => `${key}: ${evidenceValue(value)}`)
    .join("; ");
}

/** `finance: fin.wang, fin.zhao; marketing-director: mkt.chen` (a role nobody holds: `(nobody)`). */
export function assigneesText(assignees: StoredViolation["assignees"]): string {
  return assignees.map((a) => `${a.role}: ${a.people.length ? a.people.join(", ") : "(nobody)"}`).join("; ");
}

/** One violation's cells, in CSV_COLUMNS order. */
export function exportRow(v: StoredViolation): ExportValue[] {
  const last = v.history.at(-1);
  return [
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
    v.resolvedAt ?? null,
    JSON.stringify(v.evidence),
    v.source.map((s) => `${s.document} ${s.clause}`).join("; "),
    v.department ?? null,
    v.occurredAt ?? null,
    last?.by ?? null,
    last?.reason ?? null,
    v.waivedUntil ?? null,
    v.escalationLevel ?? 0,
    evidenceText(v.evidence),
    assigneesText(v.assignees),
  ];
}

function csvRow(v: StoredViolation): string {
  return exportRow(v).map(csvCell).join(",");
}

/** No BOM: programs read it as UTF-8 (Excel users take format=xlsx). */
export function toCsv(rows: readonly StoredViolation[]): string {
  return [CSV_COLUMNS.join(","), ...rows.map(csvRow)].map((line) => `${line}\r\n`).join("");
}
