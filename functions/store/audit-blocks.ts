/**
 * One audit-log block as stored and as the writer and readers see it (functions/store/audit-log.ts
 * reads and writes them): its shape, its own time range (the `byTime` index keys), the chain end it
 * leaves, and the natural key of an entry's content (how redelivery is recognised).
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { type AuditContent, GENESIS_HASH } from "../core/audit-chain.ts";
import { earlierIso, laterIso } from "../core/audit-completeness.ts";

/** An audit subject: `record:<type>#<id>` for a record's revisions, `violation:<id>` for a violation's changes. */
export const recordSubject = (pk: string) => `record:${pk}`;
export const violationSubject = (id: string) => `violation:${id}`;
/** An audit entry's event key: its subject and position (a revision number, a history position). */
export const auditEventKey = (subject: string, position: number) => `${subject}@${position}`;

/** The natural key of stored content: `content.key`, else subject@rev / subject@history position. */
export function keyOfContent(content: unknown): string | undefined {
  const c = content as { key?: unknown; subject?: unknown; rev?: unknown; history?: unknown } | null;
  if (!c || typeof c !== "object") return undefined;
  if (typeof c.key === "string") return c.key;
  const position = typeof c.rev === "number" ? c.rev : typeof c.history === "number" ? c.history : undefined;
  return typeof c.subject === "string" && position !== undefined
    ? auditEventKey(c.subject, position)
    : undefined;
}

/** An entry as a block holds it. */
export interface BlockEntry {
  readonly seq: number;
  readonly content: unknown;
  readonly prevHash: unknown;
  readonly hash: unknown;
}

/** A block as stored. */
export interface StoredBlock {
  readonly chain: number;
  readonly block: number;
  readonly at: string;
  readonly srcMax: string;
  readonly entries: readonly BlockEntry[];
}

/**
 * A block's entries are stored as gzip-compressed JSON in one binary attribute, `entriesGz`:
 * AWS bills a write per KB, and the entries (hex hashes, each hash repeated as the next entry's
 * `prevHash`, the same content keys entry after entry) compress about 3:1. gzip so that anyone
 * holding the raw item can read it with standard tools. Blocks written before hold a plain
 * `entries` list; both are read. What is hashed is the content itself, never its packing.
 */
export function packEntries(entries: readonly BlockEntry[]): Uint8Array {
  return gzipSync(JSON.stringify(entries));
}

/**
 * The entries of a stored block item. A packed list that cannot be unpacked reads as no entries:
 * verification then names the first of them as missing, as for any other damaged block.
 */
export function entriesOfItem(item: Record<string, unknown>): readonly BlockEntry[] {
  const packed = item.entriesGz;
  if (packed instanceof Uint8Array) {
    try {
      const entries: unknown = JSON.parse(gunzipSync(packed).toString("utf8"));
      return Array.isArray(entries) ? (entries as BlockEntry[]) : [];
    } catch {
      return [];
    }
  }
  return Array.isArray(item.entries) ? (item.entries as BlockEntry[]) : [];
}

/**
 * A block's own time range: the oldest and newest `at` of its entries (the `byTime` index keys).
 * None when an entry has no time: an index key cannot be empty, and such a block must still append.
 */
export function blockTimes(contents: readonly AuditContent[]): { atMin?: string; atMax?: string } {
  if (contents.length === 0 || contents.some((c) => typeof c.at !== "string" || c.at === "")) return {};
  let atMin = contents[0]?.at as string;
  let atMax = atMin;
  for (const c of contents) {
    atMin = earlierIso(atMin, c.at) as string;
    atMax = laterIso(atMax, c.at) as string;
  }
  return { atMin, atMax };
}

/** A block as the `byTime` index lists it. */
export interface BlockSpan {
  readonly chain: number;
  readonly block: number;
  readonly atMin: string;
  readonly atMax: string;
}

export function toBlock(item: Record<string, unknown>): StoredBlock {
  return {
    chain: Number(String(item.chain).slice("chain#".length)),
    block: item.seq as number,
    at: item.at as string,
    srcMax: item.srcMax as string,
    entries: entriesOfItem(item),
  };
}

export interface Tail {
  readonly block: number;
  readonly lastSeq: number;
  readonly lastHash: string;
  readonly srcMax: string;
  readonly at: string;
}

export const EMPTY_TAIL: Tail = { block: 0, lastSeq: 0, lastHash: GENESIS_HASH, srcMax: "", at: "" };

export function tailOf(b: StoredBlock): Tail {
  const last = b.entries.at(-1);
  return {
    block: b.block,
    lastSeq: last?.seq ?? 0,
    lastHash: typeof last?.hash === "string" ? last.hash : GENESIS_HASH,
    srcMax: b.srcMax ?? "",
    at: b.at ?? "",
  };
}
