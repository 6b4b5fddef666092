/**
 * How a block keeps its entries (functions/store/audit-blocks.ts): packed (gzip JSON) by the
 * writer, plain lists of older blocks still read, damage read as no entries (verify then names them
 * missing; test/audit/audit-trail.test.ts covers that end to end).
 */
import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entryHash, GENESIS_HASH } from "../../functions/core/audit-chain.ts";
import { entriesOfItem, packEntries } from "../../functions/store/audit-blocks.ts";

function chainOf(contents: readonly Record<string, unknown>[]) {
  let prevHash = GENESIS_HASH;
  return contents.map((content, i) => {
    const hash = entryHash(prevHash, content);
    const entry = { seq: i + 1, content, prevHash, hash };
    prevHash = hash;
    return entry;
  });
}

const revision = (n: number) => ({
  subject: `record:expense#EXP-${n}`,
  kind: "record.revision",
  at: `2026-04-01T12:00:${String(n % 60).padStart(2, "0")}.000Z`,
  actor: "client:erp",
  rev: 1 + (n % 4),
  bodyHash: entryHash(GENESIS_HASH, { n }),
  clientId: "erp",
});

describe("audit block packing", () => {
  it("reads back exactly what it packed, hashes included", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 20 }), (values) => {
        const entries = chainOf(values.map((value, i) => ({ subject: `s${i}`, value })));
        const read = entriesOfItem({ entriesGz: packEntries(entries) });
        expect(read).toEqual(JSON.parse(JSON.stringify(entries)));
        for (const e of read) expect(e.hash).toBe(entryHash(e.prevHash as string, e.content));
      }),
    );
  });

  it("is gzip, readable with standard tools", () => {
    const entries = chainOf([revision(1)]);
    expect(JSON.parse(gunzipSync(packEntries(entries)).toString("utf8"))).toEqual(entries);
  });

  it("stores a busy block in well under half the bytes of its JSON", () => {
    const entries = chainOf(Array.from({ length: 13 }, (_, i) => revision(i)));
    const json = Buffer.byteLength(JSON.stringify(entries));
    expect(packEntries(entries).byteLength).toBeLessThan(json * 0.45);
  });

  it("still reads blocks written before packing (a plain entries list)", () => {
    const entries = chainOf([revision(1), revision(2)]);
    expect(entriesOfItem({ entries })).toEqual(entries);
  });

  it("reads a damaged block as no entries rather than failing", () => {
    const packed = packEntries(chainOf([revision(1)]));
    expect(entriesOfItem({ entriesGz: packed.slice(0, packed.length - 9) })).toEqual([]);
    expect(entriesOfItem({ entriesGz: Uint8Array.from([1, 2, 3]) })).toEqual([]);
    expect(entriesOfItem({ entriesGz: gzipSync('{"not":"a list"}') })).toEqual([]);
    expect(entriesOfItem({})).toEqual([]);
  });
});
