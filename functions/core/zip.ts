/**
 * A zip archive of a few in-memory files, each deflated by node:zlib: what an Office Open XML
 * package (.xlsx) is, and nothing more. The layout is PKWARE's APPNOTE: per file a local header and
 * the deflated bytes, then the central directory and its end record. No zip64 (a part stays far
 * below 4 GiB: exports are bounded by what API Gateway answers), no encryption, no streaming.
 * Every file carries the same fixed time (1980-01-01, the format's first day), so equal input
 * gives equal bytes. Pure: bytes in, bytes out.
 */
import { crc32, deflateRawSync } from "node:zlib";

export interface ZipFile {
  /** Path inside the archive, `/`-separated (UTF-8). */
  readonly name: string;
  /** Text is stored as UTF-8. */
  readonly data: string | Uint8Array;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
/** 2.0: deflate */
const VERSION = 20;
/** general purpose flag bit 11: names are UTF-8 */
const UTF8_NAMES = 0x0800;
const DEFLATE = 8;
/** MS-DOS date of 1980-01-01 (day 1, month 1, year 0 counted from 1980); time 00:00:00 is 0 */
const DOS_DATE = (1 << 5) | 1;
const MAX_32 = 0xffffffff;
const MAX_16 = 0xffff;

export class ZipLimitError extends Error {
  readonly code = "zip_limit";
}

/**
 * The fields the local header and the central directory entry share, in the same order (flags,
 * method, time, date, CRC-32, sizes, name length): 22 bytes from `at`.
 */
function writeFileFields(
  header: Buffer,
  at: number,
  crc: number,
  packedSize: number,
  rawSize: number,
  nameLength: number,
): void {
  header.writeUInt16LE(UTF8_NAMES, at);
  header.writeUInt16LE(DEFLATE, at + 2);
  header.writeUInt16LE(0, at + 4); // time
  header.writeUInt16LE(DOS_DATE, at + 6);
  header.writeUInt32LE(crc, at + 8);
  header.writeUInt32LE(packedSize, at + 12);
  header.writeUInt32LE(rawSize, at + 16);
  header.writeUInt16LE(nameLength, at + 20);
}

export function zip(files: readonly ZipFile[]): Buffer {
  if (files.length > MAX_16)
    throw new ZipLimitError(`${files.length} files: a zip without zip64 holds at most ${MAX_16}`);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, "utf8");
    const raw = typeof file.data === "string" ? Buffer.from(file.data, "utf8") : file.data;
    const packed = deflateRawSync(raw);
    const crc = crc32(raw);
    if (raw.byteLength > MAX_32 || packed.byteLength > MAX_32 || offset > MAX_32)
      throw new ZipLimitError(`${file.name}: too large for a zip without zip64`);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(VERSION, 4);
    writeFileFields(local, 6, crc, packed.byteLength, raw.byteLength, name.byteLength);
    local.writeUInt16LE(0, 28); // extra field length
    parts.push(local, name, packed);

    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(CENTRAL_HEADER, 0);
    entry.writeUInt16LE(VERSION, 4); // made by
    entry.writeUInt16LE(VERSION, 6); // needed to extract
    writeFileFields(entry, 8, crc, packed.byteLength, raw.byteLength, name.byteLength);
    // extra field, comment, disk number, internal and external attributes: none (all zero)
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);

    offset += local.byteLength + name.byteLength + packed.byteLength;
  }
  const directorySize = central.reduce((sum, b) => sum + b.byteLength, 0);
  if (offset > MAX_32) throw new ZipLimitError("archive too large for a zip without zip64");
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  // this disk and the directory's disk: 0
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(offset, 16);
  // comment length: 0
  return Buffer.concat([...parts, ...central, end]);
}
