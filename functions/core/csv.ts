/**
 * The one CSV cell encoder (RFC 4180) of every export: violations, the complaint report, any
 * later one. Text that a spreadsheet would run as a formula — a cell beginning with `=`, `+`,
 * `-`, `@`, a tab or a carriage return — is prefixed with `'` (OWASP "CSV injection"), so
 * `=HYPERLINK(…)` in a record's field reaches Excel as text. Numbers stay numbers: only strings
 * are neutralised (a negative amount is data, `-1+cmd` in a string is not).
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text value made safe to open in a spreadsheet. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One cell: empty for null/undefined, formula-neutralised text, quoted when it must be. */
export function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ""
      : typeof value === "string"
        ? neutraliseFormula(value)
        : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line of cells, CRLF-terminated (RFC 4180). */
export function csvLine(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}
