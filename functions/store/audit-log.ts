/**
 * Audit log table access: AUDIT_CHAINS hash-chained logs stored as BLOCKS, and the signed digests
 * of their ends (the hashing itself is functions/core/audit-chain.ts).
 *
 * audit-log items (pk `chain` = `chain#<n>`, sk `seq` = block number 1, 2, …): one block per
 * (stream batch, chain), holding that batch's entries for the chain in stream order:
 *   entriesGz [{ seq, content, prevHash, hash }] as gzip-compressed JSON (audit-blocks.ts:
 *             about a third of the bytes, and writes are billed per KB; older blocks hold a plain
 *             `entries` list): entry seq n of the chain hashes sha256(hash of n-1 + canonical
 *             content), exactly as one entry per item did (each keeps its prevHash, so verify
 *             still tells a rewritten entry from its successor); seqs run on across blocks
 *   at        when it was appended (the writer's clock, never before the previous block's)
 *   srcMax    the highest source time (entry `at`) in this block or any block before it: a
 *             watermark that only grows along the chain
 *   atMin, atMax  the oldest and newest entry `at` in this block (the `byTime` index: the entry
 *             list reads blocks in time order from it)
 * audit-digests items (pk `stream` = "digest", sk `seq`): a Digest.
 *
 * An append is ONE conditional PutItem per block (`attribute_not_exists`: the block number is
 * free), never a transaction. Redelivery appends nothing twice: before writing, the writer reads
 * the chain backwards from its tail (consistent Query) while the watermark is ≥ the oldest source
 * time among its entries — no block before that point can hold any of them — and drops every
 * entry whose natural key (`subject@rev`, `subject@history position`) is already there. This
 * holds whatever the redelivery looks like (the same batch, a bisected half, a retry from the
 * first failed record, another shard's batch), because it looks at the entries, not at the batch.
 * A block stays under DynamoDB's 400 KB: larger groups are split over consecutive blocks.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from "@aws-sdk/lib-dynamodb";
import {
  type AuditContent,
  type ChainEntry,
  type ChainHead,
  type ChainRead,
  type Digest,
  entryHash,
} from "../core/audit-chain.ts";
import { earlierIso, laterIso } from "../core/audit-completeness.ts";
import { AGAIN, retry } from "../core/retry.ts";
import {
  type BlockSpan,
  blockTimes,
  EMPTY_TAIL,
  keyOfContent,
  packEntries,
  type StoredBlock,
  type Tail,
  tailOf,
  toBlock,
} from "./audit-blocks.ts";
import { batchGetAll } from "./batch-get.ts";
import { isConditionFailed, StoreError } from "./errors.ts";
import { shardOf } from "./keys.ts";
import { queryAll } from "./query-all.ts";
import type { TableNames } from "./tables.ts";

/** Chains: concurrent writers rarely meet on one tail, and a subject's entries stay in order. */
export const AUDIT_CHAINS = 16;
export const DIGEST_STREAM = "digest";
/** Block size budget (JSON bytes of its entries): DynamoDB items stop at 400 KB. */
export const BLOCK_MAX_BYTES = 350_000;

export const chainOf = (subject: string): number => Number(shardOf(subject, AUDIT_CHAINS));
export const chainKey = (chain: number): string => `chain#${chain}`;
/** A block's key in `blocksAt`'s answer. */
export const blockKey = (chain: number, block: number): string => `${chain}/${block}`;

export interface AuditEntryInput {
  /** The entry's natural key (redelivery of its event carries the same key). */
  readonly eventKey: string;
  readonly content: AuditContent;
}

export interface AppendOutcome {
  readonly chain: number;
  /** Entries written now, and entries found already appended (redelivery). */
  readonly appended: number;
  readonly duplicates: number;
  /** Blocks written (0 when everything was there already). */
  readonly blocks: number;
  /** The chain's last entry after the append. */
  readonly lastSeq: number;
  readonly attempts: number;
}

export interface AuditLogOptions {
  /** Attempts per block before giving up (writers racing for one block number retry with jitter). */
  readonly maxAttempts?: number;
}

/** A chain as read for verification: its entries, and each block's end. */
export interface ChainBlocksRead extends ChainRead {
  readonly blocks: readonly { readonly block: number; readonly lastSeq: number; readonly at: string }[];
}

export class AuditLogStore {
  readonly doc: DynamoDBDocumentClient;
  readonly logTable: string;
  readonly digestTable: string;
  private readonly maxAttempts: number;

  constructor(
    doc: DynamoDBDocumentClient,
    tables: Pick<TableNames, "auditLog" | "auditDigests">,
    options: AuditLogOptions = {},
  ) {
    this.doc = doc;
    this.logTable = tables.auditLog;
    this.digestTable = tables.auditDigests;
    this.maxAttempts = options.maxAttempts ?? 30;
  }

  /**
   * The chain's tail, and every natural key in the blocks whose watermark reaches `since` (read
   * newest first, consistent; stops at the first block whose watermark is older).
   */
  private async scanTail(chain: number, since: string): Promise<{ tail: Tail; keys: Set<string> }> {
    const keys = new Set<string>();
    let tail: Tail | undefined;
    let start: Record<string, unknown> | undefined;
    let limit = 2;
    for (;;) {
      const out: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.logTable,
          KeyConditionExpression: "chain = :c",
          ExpressionAttributeValues: { ":c": chainKey(chain) },
          ConsistentRead: true,
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const b = toBlock(item);
        tail ??= tailOf(b);
        if ((b.srcMax ?? "") < since) return { tail, keys };
        for (const e of b.entries) {
          const k = keyOfContent(e.content);
          if (k) keys.add(k);
        }
      }
      start = out.LastEvaluatedKey;
      if (!start) return { tail: tail ?? EMPTY_TAIL, keys };
      limit = Math.min(limit * 2, 16);
    }
  }

  /** The chain's tail block end (consistent), or an empty chain's. */
  async tail(chain: number): Promise<ChainHead & { readonly block: number }> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.logTable,
        KeyConditionExpression: "chain = :c",
        ExpressionAttributeValues: { ":c": chainKey(chain) },
        ConsistentRead: true,
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const t = out.Items?.[0] ? tailOf(toBlock(out.Items[0])) : EMPTY_TAIL;
    return { block: t.block, lastSeq: t.lastSeq, lastHash: t.lastHash };
  }

  /** Alias kept for callers that think in heads: the chain's end as a head. */
  async head(chain: number): Promise<ChainHead | undefined> {
    const t = await this.tail(chain);
    return t.block === 0 ? undefined : { lastSeq: t.lastSeq, lastHash: t.lastHash };
  }

  /**
   * Appends `inputs` (one chain's entries, in order) once each: entries already in the chain
   * (same natural key) are skipped, the rest go into as few blocks as the size budget allows,
   * each one conditional PutItem. `now` stamps the blocks.
   */
  async appendToChain(
    chain: number,
    inputs: readonly AuditEntryInput[],
    now: () => Date,
  ): Promise<AppendOutcome> {
    // one entry per key, first occurrence kept
    const seen = new Set<string>();
    let todo: readonly AuditEntryInput[] = inputs.filter(
      (i) => !seen.has(i.eventKey) && seen.add(i.eventKey),
    );
    let appended = 0;
    let tries = 0;
    let blocks = 0;
    let lastSeq = 0;
    while (todo.length > 0) {
      // one block: read the tail, drop what is there already, write the next block number; a
      // writer that lost the race for that number backs off (jitter) and reads the tail again
      const written = await retry(
        { attempts: this.maxAttempts, backoffMs: (n) => Math.random() * Math.min(200, 4 * 2 ** n), sleep },
        async () => {
          tries++;
          const outcome = await this.appendBlock(chain, todo, now);
          return outcome === "lost race" ? AGAIN : outcome;
        },
        () =>
          new StoreError(
            "audit_append_contended",
            `could not append to ${chainKey(chain)} after ${this.maxAttempts} attempts`,
          ),
      );
      todo = written.rest;
      lastSeq = written.lastSeq;
      appended += written.appended;
      if (written.appended > 0) blocks++;
    }
    return {
      chain,
      appended,
      duplicates: inputs.length - appended,
      blocks,
      lastSeq,
      attempts: Math.max(1, tries),
    };
  }

  /**
   * One go at the chain's next block: the entries of `todo` not in the chain yet, as many as fit.
   * What is left to append after it, or "lost race" when another writer took the block number.
   */
  private async appendBlock(
    chain: number,
    todo: readonly AuditEntryInput[],
    now: () => Date,
  ): Promise<{ rest: readonly AuditEntryInput[]; appended: number; lastSeq: number } | "lost race"> {
    const since = todo.reduce((m, i) => earlierIso(m, i.content.at), todo[0]?.content.at ?? "");
    let scan: { tail: Tail; keys: Set<string> };
    try {
      scan = await this.scanTail(chain, since);
    } catch (error) {
      throw new StoreError("audit_append_failed", `cannot read ${chainKey(chain)}`, { cause: error });
    }
    const fresh = todo.filter((i) => !scan.keys.has(i.eventKey));
    const tail = scan.tail;
    if (fresh.length === 0) return { rest: [], appended: 0, lastSeq: tail.lastSeq };
    // as many entries as fit the size budget (at least one)
    const part: AuditEntryInput[] = [];
    let bytes = 0;
    for (const i of fresh) {
      const size = JSON.stringify(i.content).length + 120;
      if (part.length > 0 && bytes + size > BLOCK_MAX_BYTES) break;
      part.push(i);
      bytes += size;
    }
    let prevHash = tail.lastHash;
    let srcMax = tail.srcMax;
    const entries = part.map((i, n) => {
      const link = prevHash;
      const hash = entryHash(link, i.content);
      prevHash = hash;
      if (i.content.at > srcMax) srcMax = i.content.at;
      return { seq: tail.lastSeq + 1 + n, content: i.content, prevHash: link, hash };
    });
    const item = {
      chain: chainKey(chain),
      seq: tail.block + 1,
      at: laterIso(now().toISOString(), tail.at) as string,
      srcMax,
      ...blockTimes(part.map((i) => i.content)),
      entriesGz: packEntries(entries),
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.logTable,
          Item: item,
          ConditionExpression: "attribute_not_exists(chain)",
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) return "lost race";
      throw new StoreError("audit_append_failed", `could not append block ${item.seq} to ${item.chain}`, {
        cause: error,
      });
    }
    return { rest: fresh.slice(part.length), appended: part.length, lastSeq: tail.lastSeq + part.length };
  }

  /** Every block of one chain, oldest first (consistent, paginated). */
  async *blocks(chain: number, after = 0): AsyncGenerator<StoredBlock> {
    for await (const item of queryAll(this.doc, {
      TableName: this.logTable,
      KeyConditionExpression: "chain = :c AND seq > :after",
      ExpressionAttributeValues: { ":c": chainKey(chain), ":after": after },
      ConsistentRead: true,
    }))
      yield toBlock(item);
  }

  /**
   * One chain's blocks whose oldest entry time is in [fromAt, toAt], oldest entry time first (the
   * `byTime` index, read lazily page by page; the index is eventually consistent on AWS, so a
   * block appended a moment ago may show up a moment later).
   */
  async *blocksByTime(chain: number, fromAt?: string, toAt?: string): AsyncGenerator<BlockSpan> {
    // always a range: "0" sorts before and "9" after every ISO 8601 time (a key value cannot be "")
    for await (const item of queryAll(this.doc, {
      TableName: this.logTable,
      IndexName: "byTime",
      KeyConditionExpression: "chain = :c AND atMin BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":c": chainKey(chain), ":from": fromAt || "0", ":to": toAt ?? "9" },
      Limit: 100,
    }))
      yield { chain, block: item.seq as number, atMin: item.atMin as string, atMax: item.atMax as string };
  }

  /**
   * Several blocks at once (consistent BatchGetItem), keyed `chain/block`; a block that is not
   * there is absent from the map.
   */
  async blocksAt(spans: readonly { chain: number; block: number }[]): Promise<Map<string, StoredBlock>> {
    const keys = spans.map((s) => ({ chain: chainKey(s.chain), seq: s.block }));
    const items = await batchGetAll(this.doc, this.logTable, keys, "audit_read_failed");
    return new Map(items.map((item) => toBlock(item)).map((b) => [blockKey(b.chain, b.block), b]));
  }

  /** One chain as stored: every entry, and each block's end. */
  async readChain(chain: number): Promise<ChainBlocksRead> {
    const entries: ChainEntry[] = [];
    const ends: { block: number; lastSeq: number; at: string }[] = [];
    for await (const b of this.blocks(chain)) {
      for (const e of b.entries)
        entries.push({ seq: e.seq, content: e.content, prevHash: e.prevHash, hash: e.hash });
      const last = b.entries.at(-1);
      if (last) ends.push({ block: b.block, lastSeq: last.seq, at: b.at });
    }
    return { chain, entries, headless: true, blocks: ends };
  }

  /** Every chain's end (consistent), index = chain; { 0, GENESIS_HASH } for an empty chain. */
  async readHeads(): Promise<ChainHead[]> {
    return Promise.all(
      Array.from({ length: AUDIT_CHAINS }, async (_, n) => {
        const t = await this.tail(n);
        return { lastSeq: t.lastSeq, lastHash: t.lastHash };
      }),
    );
  }

  /** The highest watermark over every chain's tail: the newest source time the trail reached. */
  async progress(): Promise<string | undefined> {
    const marks = await Promise.all(
      Array.from({ length: AUDIT_CHAINS }, async (_, n) => {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.logTable,
            KeyConditionExpression: "chain = :c",
            ExpressionAttributeValues: { ":c": chainKey(n) },
            ProjectionExpression: "srcMax",
            ConsistentRead: true,
            ScanIndexForward: false,
            Limit: 1,
          }),
        );
        return (out.Items?.[0]?.srcMax as string | undefined) ?? "";
      }),
    );
    const max = marks.reduce((m, x) => laterIso(m, x) as string, "");
    return max === "" ? undefined : max;
  }

  /** Every digest, oldest first (consistent, paginated). */
  async readDigests(): Promise<Digest[]> {
    const digests: Digest[] = [];
    for await (const item of queryAll(this.doc, {
      TableName: this.digestTable,
      KeyConditionExpression: "#s = :s",
      ExpressionAttributeNames: { "#s": "stream" },
      ExpressionAttributeValues: { ":s": DIGEST_STREAM },
      ConsistentRead: true,
    }))
      digests.push(toDigest(item));
    return digests;
  }

  async lastDigest(): Promise<Digest | undefined> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.digestTable,
        KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "stream" },
        ExpressionAttributeValues: { ":s": DIGEST_STREAM },
        ConsistentRead: true,
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return out.Items?.[0] ? toDigest(out.Items[0]) : undefined;
  }

  /** False when another digest took this seq first (the caller may compute again). */
  async putDigest(digest: Digest): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.digestTable,
          Item: { stream: DIGEST_STREAM, ...digest },
          ConditionExpression: "attribute_not_exists(#s)",
          ExpressionAttributeNames: { "#s": "stream" },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw new StoreError("audit_digest_failed", `could not write digest ${digest.seq}`, { cause: error });
    }
  }
}

export function toDigest(item: Record<string, unknown>): Digest {
  return {
    seq: item.seq as number,
    at: item.at as string,
    chains: item.chains as ChainHead[],
    prevHash: item.prevHash as string,
    hash: item.hash as string,
    signature: item.signature as string,
    ...(item.through === undefined ? {} : { through: item.through as string }),
    ...(item.every === undefined ? {} : { every: item.every as number }),
    ...(item.start === undefined ? {} : { start: item.start as boolean }),
  };
}
