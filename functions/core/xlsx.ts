/**
 * A one-sheet Excel workbook (.xlsx, Office Open XML SpreadsheetML) of typed cells: text (shared
 * strings, optionally bold), numbers, and instants as date cells shown `yyyy-mm-dd hh:mm:ss`
 * (UTC: a serial day number counted from 1900, as Excel stores dates), with frozen top rows.
 *
 * Written here instead of by a library: it is the seven small XML parts every reader expects
 * (the same parts write-excel-file writes) in a zip (./zip.ts), a few KB of code where the library
 * and its zip implementation were ~77 KB of the auditor's Lambda bundle. Pure: cells in, bytes out.
 */
import { zip } from "./zip.ts";

export type XlsxCell =
  | null
  | { readonly text: string; readonly bold?: boolean }
  | { readonly number: number }
  | { readonly date: Date };

export interface XlsxSheet {
  /** 1 to 31 characters, none of `[]:*?/\` (Excel's rules for a sheet name). */
  readonly name: string;
  readonly rows: readonly (readonly XlsxCell[])[];
  /** How many top rows stay in view while scrolling (default none). */
  readonly frozenRows?: number;
}

export class XlsxCellError extends Error {
  readonly code = "invalid_xlsx_cell";
}

const MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships";
const DOCUMENT_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml";
const DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
const DATE_FORMAT = "yyyy-mm-dd hh:mm:ss";
/** Style indexes of STYLES' cellXfs. */
const STYLE = { plain: 0, bold: 1, date: 2 } as const;
const DAY_MS = 24 * 3600 * 1000;
/** Days from Excel's epoch (1900-01-00, counting its phantom 1900-02-29) to 1970-01-01. */
const UNIX_EPOCH_SERIAL = 25569;

/** XML 1.0's Char: tab, newlines and from space on, without surrogates (alone) and U+FFFE/U+FFFF. */
function isXmlChar(c: number): boolean {
  return (
    c === 0x9 ||
    c === 0xa ||
    c === 0xd ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    c >= 0x10000
  );
}

/** Text as XML character data: characters XML cannot hold (e.g. control characters) are dropped. */
function escapeXml(text: string): string {
  let kept = "";
  for (const ch of text) if (isXmlChar(ch.codePointAt(0) as number)) kept += ch;
  return kept.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A1-style column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

const STYLES =
  `${DECLARATION}<styleSheet xmlns="${MAIN}">` +
  `<numFmts count="1"><numFmt numFmtId="164" formatCode="${DATE_FORMAT}"/></numFmts>` +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  "</styleSheet>";

function checkSheetName(name: string): void {
  if (name.length < 1 || name.length > 31 || /[[\]:*?/\\]/.test(name))
    throw new XlsxCellError(`sheet name ${JSON.stringify(name)}: 1 to 31 characters, none of []:*?/\\`);
}

export function xlsxWorkbook(sheet: XlsxSheet): Buffer {
  checkSheetName(sheet.name);
  const strings = new Map<string, number>();
  let stringCells = 0;
  const stringIndex = (text: string) => {
    stringCells++;
    const known = strings.get(text);
    if (known !== undefined) return known;
    strings.set(text, strings.size);
    return strings.size - 1;
  };
  const cellXml = (cell: XlsxCell, ref: string): string => {
    if (cell === null) return "";
    if ("text" in cell)
      return `<c r="${ref}" t="s"${cell.bold ? ` s="${STYLE.bold}"` : ""}><v>${stringIndex(cell.text)}</v></c>`;
    if ("number" in cell) {
      if (!Number.isFinite(cell.number))
        throw new XlsxCellError(`${ref}: ${cell.number} is not a finite number`);
      return `<c r="${ref}"><v>${cell.number}</v></c>`;
    }
    const ms = cell.date.getTime();
    if (Number.isNaN(ms)) throw new XlsxCellError(`${ref}: invalid date`);
    return `<c r="${ref}" s="${STYLE.date}"><v>${ms / DAY_MS + UNIX_EPOCH_SERIAL}</v></c>`;
  };
  const rows = sheet.rows
    .map((cells, r) => {
      const row = r + 1;
      return `<row r="${row}">${cells.map((cell, c) => cellXml(cell, `${columnName(c)}${row}`)).join("")}</row>`;
    })
    .join("");
  const frozen = sheet.frozenRows ?? 0;
  const view =
    frozen > 0
      ? `<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="${frozen}" topLeftCell="A${frozen + 1}" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`
      : "";
  const sharedStrings = [...strings.keys()]
    .map((text) => {
      const preserve = text.trim() === text ? "" : ' xml:space="preserve"';
      return `<si><t${preserve}>${escapeXml(text)}</t></si>`;
    })
    .join("");

  return zip([
    {
      name: "[Content_Types].xml",
      data:
        `${DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        `<Override PartName="/xl/workbook.xml" ContentType="${CONTENT_TYPE}.sheet.main+xml"/>` +
        `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="${CONTENT_TYPE}.worksheet+xml"/>` +
        `<Override PartName="/xl/sharedStrings.xml" ContentType="${CONTENT_TYPE}.sharedStrings+xml"/>` +
        `<Override PartName="/xl/styles.xml" ContentType="${CONTENT_TYPE}.styles+xml"/>` +
        "</Types>",
    },
    {
      name: "_rels/.rels",
      data: `${DECLARATION}<Relationships xmlns="${RELATIONSHIPS}"><Relationship Id="rId1" Type="${DOCUMENT_RELATIONSHIP}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: "xl/workbook.xml",
      data: `${DECLARATION}<workbook xmlns="${MAIN}" xmlns:r="${DOCUMENT_RELATIONSHIP}"><sheets><sheet name="${escapeXml(sheet.name)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: "xl/_rels/workbook.xml.rels",
      data:
        `${DECLARATION}<Relationships xmlns="${RELATIONSHIPS}">` +
        `<Relationship Id="rId1" Type="${DOCUMENT_RELATIONSHIP}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${DOCUMENT_RELATIONSHIP}/sharedStrings" Target="sharedStrings.xml"/>` +
        `<Relationship Id="rId3" Type="${DOCUMENT_RELATIONSHIP}/styles" Target="styles.xml"/>` +
        "</Relationships>",
    },
    { name: "xl/styles.xml", data: STYLES },
    {
      name: "xl/sharedStrings.xml",
      data: `${DECLARATION}<sst xmlns="${MAIN}" count="${stringCells}" uniqueCount="${strings.size}">${sharedStrings}</sst>`,
    },
    {
      name: "xl/worksheets/sheet1.xml",
      data: `${DECLARATION}<worksheet xmlns="${MAIN}">${view}<sheetData>${rows}</sheetData></worksheet>`,
    },
  ]);
}
