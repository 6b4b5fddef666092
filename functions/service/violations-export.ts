/**
 * An export of the violations a query matches (CSV or xlsx): every page, up to a bound (API Gateway
 * answers at most 6 MB); beyond it `nextCursor` continues the export (the X-Next-Cursor header).
 */
import type { StoredViolation } from "../core/lifecycle.ts";
import type { Platform } from "./platform.ts";
import { listViolations, type ViolationQuery } from "./violation-queries.ts";
import { CSV_MAX_ROWS, toCsv } from "./violations-csv.ts";
import { toXlsx, XLSX_CONTENT_TYPE } from "./violations-xlsx.ts";

export { XLSX_CONTENT_TYPE };

async function exportRows(
  platform: Platform,
  query: ViolationQuery,
  cursorKey: string,
  cursor: string | undefined,
): Promise<{ rows: StoredViolation[]; nextCursor: string | null | undefined }> {
  const rows: StoredViolation[] = [];
  let next: string | null | undefined = cursor;
  do {
    const page = await listViolations(platform, { ...query, limit: 500 }, cursorKey, next ?? undefined);
    rows.push(...page.items);
    next = page.nextCursor;
  } while (next && rows.length < CSV_MAX_ROWS);
  return { rows, nextCursor: next };
}

export async function exportViolationsCsv(
  platform: Platform,
  query: ViolationQuery,
  cursorKey: string,
  cursor: string | undefined,
): Promise<{ text: string; nextCursor: string | null | undefined }> {
  const { rows, nextCursor } = await exportRows(platform, query, cursorKey, cursor);
  return { text: toCsv(rows), nextCursor };
}

export async function exportViolationsXlsx(
  platform: Platform,
  query: ViolationQuery,
  cursorKey: string,
  cursor: string | undefined,
): Promise<{ bytes: Buffer; nextCursor: string | null | undefined }> {
  const { rows, nextCursor } = await exportRows(platform, query, cursorKey, cursor);
  return { bytes: await toXlsx(rows), nextCursor };
}
