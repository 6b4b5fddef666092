/**
 * The violation export as an Excel workbook (`format=xlsx`): the CSV's rows and columns with typed
 * cells — instants as dates (UTC), numbers as numbers — and a frozen header row. write-excel-file
 * (~76 KB bundled) rather than exceljs (~1 MB): the auditor function stays small.
 */
import writeXlsxFile, { type Cell } from "write-excel-file/node";
import type { StoredViolation } from "../core/lifecycle.ts";
import { CSV_COLUMNS, exportRow, TIME_COLUMNS } from "./violations-csv.ts";

export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function cell(column: string, value: string | number | null): Cell {
  if (value === null) return null;
  if (typeof value === "number") return { value, type: Number };
  if (TIME_COLUMNS.has(column)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return { value: new Date(ms), type: Date, format: "yyyy-mm-dd hh:mm:ss" };
  }
  return { value, type: String };
}

export async function toXlsx(rows: readonly StoredViolation[]): Promise<Buffer> {
  const header: Cell[] = CSV_COLUMNS.map((name) => ({ value: name, type: String, fontWeight: "bold" }));
  const data = rows.map((v) => exportRow(v).map((value, i) => cell(CSV_COLUMNS[i] as string, value)));
  return writeXlsxFile([header, ...data], { sheet: "violations", stickyRowsCount: 1 }).toBuffer();
}
