/**
 * The workbook writer (functions/core/xlsx.ts) and its zip (functions/core/zip.ts), without Java:
 * the archive is read back by its own central directory (every CRC checked by inflating), and the
 * workbook by read-excel-file, which must see typed cells exactly as written.
 */
import { crc32, inflateRawSync } from "node:zlib";
import { readSheet } from "read-excel-file/node";
import { describe, expect, it } from "vitest";
import { columnName, XlsxCellError, xlsxWorkbook } from "../../functions/core/xlsx.ts";
import { zip } from "../../functions/core/zip.ts";

/** Reads a zip through its end record and central directory, as unzip does; checks each CRC. */
function unzip(archive: Buffer): Map<string, string> {
  const end = archive.length - 22;
  expect(archive.readUInt32LE(end)).toBe(0x06054b50);
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const files = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    expect(archive.readUInt32LE(at)).toBe(0x02014b50);
    const crc = archive.readUInt32LE(at + 16);
    const packedSize = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    const local = archive.readUInt32LE(at + 42);
    expect(archive.readUInt32LE(local)).toBe(0x04034b50);
    const dataAt = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const data = inflateRawSync(archive.subarray(dataAt, dataAt + packedSize));
    expect(data.length).toBe(size);
    expect(crc32(data)).toBe(crc);
    files.set(name, data.toString("utf8"));
    at += 46 + nameLength;
  }
  return files;
}

describe("zip", () => {
  it("stores each file deflated with its CRC, readable through the central directory", () => {
    const big = "line of text\n".repeat(1000);
    const files = unzip(
      zip([
        { name: "a.txt", data: "hello" },
        { name: "dir/中文.xml", data: big },
      ]),
    );
    expect([...files]).toEqual([
      ["a.txt", "hello"],
      ["dir/中文.xml", big],
    ]);
  });

  it("gives equal bytes for equal input (no clock in the archive)", () => {
    expect(zip([{ name: "a", data: "x" }]).equals(zip([{ name: "a", data: "x" }]))).toBe(true);
  });
});

describe("xlsx workbook", () => {
  it("names columns A…Z, AA…", () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnName)).toEqual([
      "A",
      "B",
      "Z",
      "AA",
      "AB",
      "AZ",
      "BA",
      "ZZ",
      "AAA",
    ]);
  });

  it("writes text, numbers and instants as typed cells, read back as written", async () => {
    const at = new Date("2026-03-01T08:00:00Z");
    const book = xlsxWorkbook({
      name: "violations",
      frozenRows: 1,
      rows: [
        [
          { text: "id", bold: true },
          { text: "amount", bold: true },
          { text: "at", bold: true },
        ],
        [{ text: 'a & <b> "q"' }, { number: 12000 }, { date: at }],
        [null, { number: -1.5 }, null],
        [{ text: "中文 message" }, null, { date: new Date("1999-12-31T23:59:59Z") }],
      ],
    });
    const rows = await readSheet(book);
    expect(rows[0]).toEqual(["id", "amount", "at"]);
    expect(rows[1]?.slice(0, 2)).toEqual(['a & <b> "q"', 12000]);
    // Excel keeps instants as fractional days: read back within a millisecond
    expect(Math.abs(((rows[1] as unknown[])[2] as Date).getTime() - at.getTime())).toBeLessThanOrEqual(1);
    expect(rows[2]?.slice(0, 2)).toEqual([null, -1.5]);
    expect(rows[3]?.[0]).toBe("中文 message");
    expect(
      Math.abs(((rows[3] as unknown[])[2] as Date).getTime() - Date.parse("1999-12-31T23:59:59Z")),
    ).toBeLessThanOrEqual(1);
  });

  it("is a package of the parts Excel expects: the sheet with its frozen header, bold header, date format", () => {
    const files = unzip(
      xlsxWorkbook({
        name: "s",
        frozenRows: 1,
        rows: [[{ text: "h", bold: true }], [{ date: new Date(0) }]],
      }),
    );
    expect([...files.keys()].sort()).toEqual([
      "[Content_Types].xml",
      "_rels/.rels",
      "xl/_rels/workbook.xml.rels",
      "xl/sharedStrings.xml",
      "xl/styles.xml",
      "xl/workbook.xml",
      "xl/worksheets/sheet1.xml",
    ]);
    const sheet = files.get("xl/worksheets/sheet1.xml") as string;
    expect(sheet).toContain('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>');
    expect(sheet).toContain('<c r="A1" t="s" s="1"><v>0</v></c>'); // bold: style 1
    expect(sheet).toContain('<c r="A2" s="2"><v>25569</v></c>'); // 1970-01-01 is day 25569, date style 2
    expect(files.get("xl/styles.xml")).toContain('formatCode="yyyy-mm-dd hh:mm:ss"');
    expect(files.get("xl/workbook.xml")).toContain('<sheet name="s" sheetId="1" r:id="rId1"/>');
  });

  it("drops characters XML cannot hold and keeps edge spaces", async () => {
    const files = unzip(xlsxWorkbook({ name: "s", rows: [[{ text: " a\u0001b\u0007 " }]] }));
    expect(files.get("xl/sharedStrings.xml")).toContain('<si><t xml:space="preserve"> ab </t></si>');
  });

  it("refuses what a workbook cannot hold", () => {
    expect(() => xlsxWorkbook({ name: "a/b", rows: [] })).toThrow(XlsxCellError);
    expect(() => xlsxWorkbook({ name: "x".repeat(32), rows: [] })).toThrow(XlsxCellError);
    expect(() => xlsxWorkbook({ name: "s", rows: [[{ number: Number.NaN }]] })).toThrow(/A1: NaN/);
    expect(() => xlsxWorkbook({ name: "s", rows: [[null, { date: new Date("nope") }]] })).toThrow(
      /B1: invalid date/,
    );
  });
});
