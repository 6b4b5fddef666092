/**
 * The audit trail itself, for `GET /v1/audit/entries` (CONTRACT §2): items `{at, kind, subject,
 * actor, …}`, oldest first, filters `subject` (a record `type/id` or a violation id), `actor`,
 * `from`, `to` (on the entry's `at`), `limit`, `cursor`.
 *
 * No Scan: the chains are read with Queries, block by block (a few blocks per call), and merged.
 * - Order: each chain's entries in chain order (the order they were appended; one subject's
 *   entries are in one chain, in the order they happened), the chains merged by `at` (then chain,
 *   then seq). The cursor is each chain's position (signed with the query, service/cursor.ts), so
 *   following `nextCursor` is a complete export even while entries are appended: a new entry only
 *   ever comes after every chain's position.
 * - `subject`: only its chain is read (1/16 of the trail), the other subjects' entries skipped.
 * - `from`: each chain starts at its first block whose watermark (the highest entry `at` up to
 *   that block, which only grows) reaches `from`, found by binary search over block numbers.
 * - `to`: a chain stops at a block whose watermark passes `to` by more than a day: every entry is
 *   appended within a day of its `at` (DynamoDB Streams keep records 24 h), so none after it is
 *   older than `to`.
 */
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { AUDIT_CHAINS, type AuditLogStore, chainKey, chainOf, type StoredBlock } from "../store/audit-log.ts";
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
const BLOCKS_PER_READ = 4;

/** The stored subject of a `subject` filter value. */
export function storedSubject(subject: string): string {
  const slash = subject.indexOf("/");
  return slash > 0 ? `record:${subject.slice(0, slash)}#${subject.slice(slash + 1)}` : `violation:${subject}`;
}

/** The public form of a stored subject (record:<type>#<id> → type/id; violation:<id> → id). */
export function publicSubject(stored: string): string {
  if (stored.startsWith("record:")) return stored.slice("record:".length).replace("#", "/");
  if (stored.startsWith("violation:")) return stored.slice("violation:".length);
  return stored;
}

/** Each chain's position: the last entry seq listed, and the block it is in (to resume there). */
interface Position {
  readonly seq: number[];
  readonly block: number[];
}

class ChainReader {
  private buffer: { seq: number; content: Record<string, unknown> }[] = [];
  private nextBlock: number;
  private done = false;
  private readonly store: AuditLogStore;
  readonly chain: number;
  private afterSeq: number;
  private readonly toLimit: string | undefined;

  constructor(store: AuditLogStore, chain: number, startBlock: number, afterSeq: number, toLimit?: string) {
    this.store = store;
    this.chain = chain;
    this.afterSeq = afterSeq;
    this.toLimit = toLimit;
    this.nextBlock = startBlock;
  }

  /** The next entry without taking it (reads more blocks when the buffer is empty). */
  async peek(): Promise<{ seq: number; content: Record<string, unknown> } | undefined> {
    while (this.buffer.length === 0 && !this.done) await this.read();
    return this.buffer[0];
  }

  take(): { seq: number; content: Record<string, unknown> } {
    const e = this.buffer.shift() as { seq: number; content: Record<string, unknown> };
    this.afterSeq = e.seq;
    return e;
  }

  /** Where this chain stands: the last entry taken, and the block to resume from. */
  position(): { seq: number; block: number } {
    const pendingBlock = this.buffer.length > 0 ? this.bufferBlock : this.nextBlock;
    return { seq: this.afterSeq, block: pendingBlock };
  }

  private bufferBlock = 0;

  private async read(): Promise<void> {
    const out = await this.store.doc.send(
      new QueryCommand({
        TableName: this.store.logTable,
        KeyConditionExpression: "chain = :c AND seq >= :b",
        ExpressionAttributeValues: { ":c": chainKey(this.chain), ":b": this.nextBlock },
        ConsistentRead: true,
        Limit: BLOCKS_PER_READ,
      }),
    );
    const blocks = (out.Items ?? []) as unknown as (StoredBlock & { seq: number })[];
    if (blocks.length === 0) {
      this.done = true;
      return;
    }
    for (const b of blocks) {
      // a block before the one asked for cannot come back from DynamoDB; stop rather than loop
      if (b.seq < this.nextBlock) {
        this.done = true;
        break;
      }
      if (this.toLimit !== undefined && (b.srcMax ?? "") > this.toLimit) {
        this.done = true;
        break;
      }
      const fresh = (Array.isArray(b.entries) ? b.entries : [])
        .filter((e) => typeof e.seq === "number" && e.seq > this.afterSeq)
        .map((e) => ({ seq: e.seq, content: (e.content ?? {}) as Record<string, unknown> }));
      if (fresh.length > 0 && this.buffer.length === 0) this.bufferBlock = b.seq;
      this.buffer.push(...fresh);
      this.nextBlock = b.seq + 1;
    }
  }
}

/** The first block of a chain whose watermark reaches `from` (binary search; 1 if none is older). */
async function firstBlockFrom(store: AuditLogStore, chain: number, from: string): Promise<number> {
  const tail = await store.tail(chain);
  let lo = 1;
  let hi = tail.block + 1; // hi: a block known to reach `from` (tail + 1: past the end)
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const out = await store.doc.send(
      new GetCommand({
        TableName: store.logTable,
        Key: { chain: chainKey(chain), seq: mid },
        ProjectionExpression: "srcMax",
        ConsistentRead: true,
      }),
    );
    const mark = (out.Item?.srcMax as string | undefined) ?? "";
    if (mark >= from) hi = mid;
    else lo = mid + 1;
  }
  return lo;
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

function toItem(chain: number, seq: number, content: Record<string, unknown>): AuditEntryItem {
  const { subject, kind, at, actor, key: _key, ...rest } = content;
  return {
    at: String(at ?? ""),
    kind: String(kind ?? ""),
    subject: publicSubject(String(subject ?? "")),
    actor: typeof actor === "string" ? actor : typeof rest.by === "string" ? rest.by : "system",
    chain,
    seq,
    ...rest,
  };
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
  const chains =
    subject === undefined ? Array.from({ length: AUDIT_CHAINS }, (_, n) => n) : [chainOf(subject)];
  const position: Position | undefined = cursor
    ? verifyCursor<Position>(cursorKey, filter, cursor)
    : undefined;
  const toLimit =
    query.to === undefined ? undefined : new Date(Date.parse(query.to) + APPEND_LAG_MS).toISOString();
  const readers = await Promise.all(
    chains.map(async (c) => {
      const afterSeq = position?.seq[c] ?? 0;
      const startBlock =
        position?.block[c] ?? (query.from !== undefined ? await firstBlockFrom(store, c, query.from) : 1);
      return new ChainReader(store, c, Math.max(1, startBlock), afterSeq, toLimit);
    }),
  );
  const items: AuditEntryItem[] = [];
  let more = false;
  for (;;) {
    // the chain whose next entry is oldest (then the lowest chain)
    let best: { reader: ChainReader; at: string } | undefined;
    for (const reader of readers) {
      const next = await reader.peek();
      if (!next) continue;
      const at = String(next.content.at ?? "");
      if (!best || at < best.at) best = { reader, at };
    }
    if (!best) break;
    const next = (await best.reader.peek()) as { seq: number; content: Record<string, unknown> };
    if (!matches(query, subject, next.content)) {
      best.reader.take(); // skipped: the position moves past it
      continue;
    }
    if (items.length === limit) {
      more = true; // a further matching entry exists: it starts the next page
      break;
    }
    const e = best.reader.take();
    items.push(toItem(best.reader.chain, e.seq, e.content));
  }
  if (!more) return { items, nextCursor: null };
  const next: Position = {
    seq: Array.from({ length: AUDIT_CHAINS }, (_, n) => position?.seq[n] ?? 0),
    block: Array.from({ length: AUDIT_CHAINS }, (_, n) => position?.block[n] ?? 1),
  };
  for (const r of readers) {
    const p = r.position();
    next.seq[r.chain] = p.seq;
    next.block[r.chain] = p.block;
  }
  return { items, nextCursor: signCursor(cursorKey, filter, next) };
}
