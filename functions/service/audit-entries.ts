/**
 * The audit trail itself, for `GET /v1/audit/entries` (CONTRACT §2): items `{at, kind, subject,
 * actor, …}`, oldest first, filters `subject` (a record `type/id` or a violation id), `actor`,
 * `from`, `to` (on the entry's `at`), `limit`, `cursor`.
 *
 * No Scan, and exact time order. A chain's append order is not time order (entries of the records
 * stream and of the violations stream meet in one chain, each consumer at its own pace), so the
 * chains are not merged by their append order: every block carries the time range of its entries
 * (`atMin`, `atMax`) and the audit-log table's `byTime` index lists each chain's blocks by `atMin`.
 * The list opens blocks in `atMin` order across the chains and hands out a buffered entry only once
 * no unopened block can hold an older one (its `atMin` is later): a k-way merge over time ranges.
 * - Order: `at`, then chain, then seq (ties). The cursor is the last entry listed (`at`, chain,
 *   seq), signed with the query (service/cursor.ts); the next page starts right after it.
 * - Where a page starts: a block holding an entry at or after `from` (or the cursor) has
 *   `atMax` ≥ it and `atMin` ≥ it minus a day (every entry is appended within a day of its `at`:
 *   DynamoDB Streams keep records 24 h), so the index is read from there, not from the start.
 * - `to`: no block whose oldest entry is after `to` is read.
 * - `subject`: only its chain is read (1/16 of the trail), the other subjects' entries skipped.
 * An entry appended after a page was served is listed on later pages if it is newer than that
 * page's last entry; one older than it (appended late, by a consumer catching up) is in a fresh
 * listing, not in the cursor walk already past its time.
 */
import { laterIso } from "../core/audit-completeness.ts";
import { type BlockSpan, recordSubject, type StoredBlock, violationSubject } from "../store/audit-blocks.ts";
import { AUDIT_CHAINS, type AuditLogStore, blockKey, chainOf } from "../store/audit-log.ts";
import { recordKey } from "../store/repositories.ts";
import { signCursor, verifyCursor } from "./cursor.ts";

export interface AuditEntriesQuery {
  /** A record `type/id`, or a violation id. */
  readonly subject?: string;
  readonly actor?: string;
  readonly from?: string;
  readonly to?: string;
  /** 1–500, default 100. */
  readonly limit?: number;
}

export interface AuditEntryItem {
  readonly at: string;
  readonly kind: string;
  /** `type/id` for a record, the violation id for a violation (as the `subject` filter takes them). */
  readonly subject: string;
  readonly actor: string;
  readonly chain: number;
  readonly seq: number;
  readonly [field: string]: unknown;
}

export interface AuditEntriesPage {
  readonly items: readonly AuditEntryItem[];
  readonly nextCursor: string | null;
}

export const DEFAULT_ENTRIES_LIMIT = 100;
export const MAX_ENTRIES_LIMIT = 500;
/** Every entry is appended within this long of its `at` (stream retention 24 h, plus a margin). */
const APPEND_LAG_MS = 25 * 3600_000;

/** The stored subject of a `subject` filter value. */
export function storedSubject(subject: string): string {
  const slash = subject.indexOf("/");
  return slash > 0
    ? recordSubject(recordKey(subject.slice(0, slash), subject.slice(slash + 1)))
    : violationSubject(subject);
}

/** The public form of a stored subject (record:<type>#<id> → type/id; violation:<id> → id). */
export function publicSubject(stored: string): string {
  if (stored.startsWith("record:")) return stored.slice("record:".length).replace("#", "/");
  if (stored.startsWith("violation:")) return stored.slice("violation:".length);
  return stored;
}

/** Where a listing stands: the last entry listed (the cursor's content). */
interface Position {
  readonly at: string;
  readonly chain: number;
  readonly seq: number;
}

interface Pending extends Position {
  readonly content: Record<string, unknown>;
}

/** The list order: `at`, then chain, then seq. */
function compare(a: Position, b: Position): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.chain - b.chain || a.seq - b.seq;
}

function matches(
  q: AuditEntriesQuery,
  subject: string | undefined,
  content: Record<string, unknown>,
): boolean {
  const at = String(content.at ?? "");
  if (subject !== undefined && content.subject !== subject) return false;
  if (q.actor !== undefined && content.actor !== q.actor) return false;
  if (q.from !== undefined && at < q.from) return false;
  if (q.to !== undefined && at > q.to) return false;
  return true;
}

function toItem(e: Pending): AuditEntryItem {
  const { subject, kind, at, actor, key: _key, ...rest } = e.content;
  return {
    at: String(at ?? ""),
    kind: String(kind ?? ""),
    subject: publicSubject(String(subject ?? "")),
    actor: typeof actor === "string" ? actor : typeof rest.by === "string" ? rest.by : "system",
    chain: e.chain,
    seq: e.seq,
    ...rest,
  };
}

/** One chain's blocks in `atMin` order, one looked ahead; blocks ending before `lowAt` skipped. */
class BlockSource {
  private next: BlockSpan | undefined;
  private done = false;
  private readonly spans: AsyncGenerator<BlockSpan>;
  private readonly lowAt: string;

  constructor(spans: AsyncGenerator<BlockSpan>, lowAt: string) {
    this.spans = spans;
    this.lowAt = lowAt;
  }

  async peek(): Promise<BlockSpan | undefined> {
    while (this.next === undefined && !this.done) {
      const r = await this.spans.next();
      if (r.done) this.done = true;
      else if (r.value.atMax >= this.lowAt) this.next = r.value;
    }
    return this.next;
  }

  take(): void {
    this.next = undefined;
  }
}

/**
 * Blocks read several at a time: the block the merge opens comes with the next block of every
 * other chain (the ones it will open next, unless the page fills first) in one BatchGetItem,
 * instead of a GetItem each. Blocks never change once written, so a block read early is the
 * block read late.
 */
class BlockReads {
  private readonly store: AuditLogStore;
  private readonly read = new Map<string, StoredBlock>();

  constructor(store: AuditLogStore) {
    this.store = store;
  }

  async open(span: BlockSpan, sources: readonly BlockSource[]): Promise<StoredBlock | undefined> {
    const key = blockKey(span.chain, span.block);
    if (!this.read.has(key)) {
      const ahead: BlockSpan[] = [span];
      for (const source of sources) {
        const next = await source.peek();
        if (next && !this.read.has(blockKey(next.chain, next.block))) ahead.push(next);
      }
      const found = await this.store.blocksAt(ahead);
      for (const s of ahead) {
        const k = blockKey(s.chain, s.block);
        const b = found.get(k);
        if (b) this.read.set(k, b);
      }
    }
    const block = this.read.get(key);
    this.read.delete(key); // opened once
    return block;
  }
}

/**
 * One page of audit entries, oldest first. `query.from`/`to` are ISO instants (the route parses
 * and normalises them); a cursor belongs to its query (InvalidCursorError otherwise).
 */
export async function listAuditEntries(
  store: AuditLogStore,
  query: AuditEntriesQuery,
  cursorKey: string,
  cursor?: string,
): Promise<AuditEntriesPage> {
  const limit = Math.min(Math.max(1, query.limit ?? DEFAULT_ENTRIES_LIMIT), MAX_ENTRIES_LIMIT);
  const filter = { subject: query.subject, actor: query.actor, from: query.from, to: query.to };
  const subject = query.subject === undefined ? undefined : storedSubject(query.subject);
  const position = cursor ? verifyCursor<Position>(cursorKey, filter, cursor) : undefined;
  const lowAt = laterIso(query.from ?? "", position?.at ?? "") ?? "";
  const indexFrom = lowAt === "" ? "" : new Date(Date.parse(lowAt) - APPEND_LAG_MS).toISOString();
  const chains =
    subject === undefined ? Array.from({ length: AUDIT_CHAINS }, (_, n) => n) : [chainOf(subject)];
  const sources = chains.map((c) => new BlockSource(store.blocksByTime(c, indexFrom, query.to), lowAt));

  const opened = new BlockReads(store);
  let pending: Pending[] = []; // entries read and not yet listed, in list order
  const items: AuditEntryItem[] = [];
  for (;;) {
    // the unopened block with the oldest entry time, over every chain
    let open: { source: BlockSource; span: BlockSpan } | undefined;
    for (const source of sources) {
      const span = await source.peek();
      if (span && (!open || span.atMin < open.span.atMin)) open = { source, span };
    }
    const first = pending[0];
    if (first && (!open || first.at < open.span.atMin)) {
      // no unopened block can hold an older entry: this one is next
      if (items.length === limit) {
        const last = items[limit - 1] as AuditEntryItem;
        const next: Position = { at: last.at, chain: last.chain, seq: last.seq };
        return { items, nextCursor: signCursor(cursorKey, filter, next) };
      }
      pending.shift();
      items.push(toItem(first));
      continue;
    }
    if (!open) return { items, nextCursor: null };
    open.source.take();
    const block = await opened.open(open.span, sources);
    const fresh: Pending[] = [];
    for (const e of block?.entries ?? []) {
      const content = (e.content ?? {}) as Record<string, unknown>;
      const entry: Pending = { at: String(content.at ?? ""), chain: open.span.chain, seq: e.seq, content };
      if (position && compare(entry, position) <= 0) continue;
      if (matches(query, subject, content)) fresh.push(entry);
    }
    if (fresh.length > 0) pending = [...pending, ...fresh].sort(compare);
  }
}
