/**
 * One audit-log block as stored and as the writer and readers see it (functions/store/audit-log.ts
 * reads and writes them): its shape, its own time range (the `byTime` index keys), the chain end it
 * leaves, and the natural key of an entry's content (how redelivery is recognised).
 */
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

/** A block as stored. */
export interface StoredBlock {
  readonly chain: number;
  readonly block: number;
  readonly at: string;
  readonly srcMax: string;
  readonly entries: readonly {
    readonly seq: number;
    readonly content: unknown;
    readonly prevHash: unknown;
    readonly hash: unknown;
  }[];
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
    entries: Array.isArray(item.entries) ? (item.entries as StoredBlock["entries"]) : [],
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
