/**
 * The violation export as an Excel workbook (`format=xlsx`): the CSV's rows and columns with typed
 * cells — instants as dates (UTC), numbers as numbers — and a frozen header row
 * (core/xlsx.ts writes the workbook: a few KB, so the auditor function stays small).
 */
import type { StoredViolation } from "../core/lifecycle.ts";
import { type XlsxCell, xlsxWorkbook } from "../core/xlsx.ts";
import { CSV_COLUMNS, type ExportValue, exportRow, TIME_COLUMNS } from "./violations-csv.ts";

export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function cell(column: string, value: ExportValue): XlsxCell {
  if (value === null) return null;
  if (typeof value === "number") return { number: value };
  if (TIME_COLUMNS.has(column)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return { date: new Date(ms) };
  }
  return { text: value };
}

export async function toXlsx(rows: readonly StoredViolation[]): Promise<Buffer> {
  const header: XlsxCell[] = CSV_COLUMNS.map((name) => ({ text: name, bold: true }));
  const data = rows.map((v) => exportRow(v).map((value, i) => cell(CSV_COLUMNS[i] as string, value)));
  return xlsxWorkbook({ name: "violations", rows: [header, ...data], frozenRows: 1 });
}
