/**
 * Audit log table access: AUDIT_CHAINS hash-chained logs and the signed digests of their heads
 * (the hashing itself is functions/core/audit-chain.ts).
 *
 * audit-log items (pk `chain`, sk `seq`):
 *   chain#<n> / 0        the chain's head: lastSeq, lastHash
 *   chain#<n> / <seq≥1>  an entry: content, prevHash, hash, eventKey
 *   event#<eventKey> / 0 a de-duplication marker: a redelivered stream record appends once
 * audit-digests items (pk `stream` = "digest", sk `seq`): a Digest.
 *
 * An append is one TransactWriteItems: the head moves from lastSeq to lastSeq+1 (condition on the
 * lastSeq it was computed from), the entry is put at lastSeq+1 (must be new) and the marker is put
 * (must be new). Subjects spread over the chains by FNV-1a, so concurrent writers rarely meet on a
 * head, and one subject's entries are all in one chain, in the order they were appended.
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  type AuditContent,
  type ChainEntry,
  type ChainHead,
  type ChainRead,
  type Digest,
  entryHash,
  GENESIS_HASH,
} from "../core/audit-chain.ts";
import { isConditionFailed, StoreError } from "./errors.ts";
import { shardOf } from "./keys.ts";
import { queryAll } from "./query-all.ts";
import type { TableNames } from "./tables.ts";

/** Chains: enough that concurrent stream consumers rarely contend on one head item. */
export const AUDIT_CHAINS = 16;
export const HEAD_SEQ = 0;
export const DIGEST_STREAM = "digest";
/** Markers only need to outlive stream redelivery (24 h retention); kept 7 days where TTL is enabled. */
const MARKER_TTL_S = 7 * 24 * 3600;

export const chainOf = (subject: string): number => Number(shardOf(subject, AUDIT_CHAINS));
export const chainKey = (chain: number): string => `chain#${chain}`;
export const markerKey = (eventKey: string): string => `event#${eventKey}`;

export interface AuditEntryInput {
  /** Identifies the event being recorded (stream redelivery carries the same key). */
  readonly eventKey: string;
  readonly content: AuditContent;
}

export type AppendOutcome =
  | {
      readonly appended: true;
      readonly chain: number;
      readonly seq: number;
      readonly hash: string;
      readonly attempts: number;
    }
  | { readonly appended: false; readonly duplicate: true };

export interface AuditLogOptions {
  /** Transaction attempts before giving up (conflicting writers on one chain retry with jitter). */
  readonly maxAttempts?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CancellationReason {
  readonly Code?: string;
}

interface Waiting {
  readonly input: AuditEntryInput;
  readonly resolve: (outcome: AppendOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** Entries per transaction: 1 head update + 2 items per entry ≤ 100 (TransactWriteItems' limit). */
export const GROUP_MAX = 32;

export class AuditLogStore {
  readonly doc: DynamoDBDocumentClient;
  readonly logTable: string;
  readonly digestTable: string;
  private readonly maxAttempts: number;
  /** Last head this process wrote or read per chain: a hint that saves a read; a wrong one costs a retry. */
  private readonly heads = new Map<number, ChainHead>();
  /** Appends of this process waiting per chain, and the chains being committed now. */
  private readonly pending = new Map<number, Waiting[]>();
  private readonly committing = new Set<number>();

  constructor(
    doc: DynamoDBDocumentClient,
    tables: Pick<TableNames, "auditLog" | "auditDigests">,
    options: AuditLogOptions = {},
  ) {
    this.doc = doc;
    this.logTable = tables.auditLog;
    this.digestTable = tables.auditDigests;
    this.maxAttempts = options.maxAttempts ?? 60;
  }

  async head(chain: number): Promise<ChainHead | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.logTable,
        Key: { chain: chainKey(chain), seq: HEAD_SEQ },
        ConsistentRead: true,
      }),
    );
    return out.Item
      ? { lastSeq: out.Item.lastSeq as number, lastHash: out.Item.lastHash as string }
      : undefined;
  }

  /**
   * Appends once per eventKey: a redelivery (the marker exists) is answered `duplicate`. Within
   * this process a chain's appends are queued and committed together (group commit: one
   * transaction for up to GROUP_MAX entries waiting on the same chain); other processes' appends
   * are met by the head's condition.
   */
  append(input: AuditEntryInput): Promise<AppendOutcome> {
    const chain = chainOf(input.content.subject);
    return new Promise<AppendOutcome>((resolve, reject) => {
      const queue = this.pending.get(chain) ?? [];
      queue.push({ input, resolve, reject });
      this.pending.set(chain, queue);
      if (queue.length === 1 && !this.committing.has(chain))
        // after the current synchronous run: a stream batch starts its subjects' appends in one
        // go, so they all join the chain's first transaction instead of the first one going alone
        queueMicrotask(() => {
          if (!this.committing.has(chain)) void this.drain(chain);
        });
    });
  }

  private async drain(chain: number): Promise<void> {
    this.committing.add(chain);
    try {
      for (let queue = this.pending.get(chain); queue && queue.length > 0; queue = this.pending.get(chain)) {
        // one operation per item in a transaction: an event key twice waits for the next group
        const group: Waiting[] = [];
        const keys = new Set<string>();
        for (let i = 0; i < queue.length && group.length < GROUP_MAX; ) {
          const w = queue[i] as Waiting;
          if (keys.has(w.input.eventKey)) i++;
          else {
            keys.add(w.input.eventKey);
            group.push(w);
            queue.splice(i, 1);
          }
        }
        try {
          await this.commit(chain, group);
        } catch (error) {
          // commit settles every member itself; this is for a bug, so no caller waits forever
          for (const m of group) m.reject(error);
        }
      }
    } finally {
      if (!this.pending.get(chain)?.length) this.pending.delete(chain);
      this.committing.delete(chain);
    }
  }

  /** Appends the group in order in one transaction; settles every member's promise. */
  private async commit(chain: number, group: Waiting[]): Promise<void> {
    const key = chainKey(chain);
    let members = group;
    let cached = this.heads.get(chain);
    let head: ChainHead | undefined;
    try {
      head = cached ?? (await this.head(chain));
    } catch (error) {
      for (const m of members)
        m.reject(new StoreError("audit_append_failed", `cannot read ${key}`, { cause: error }));
      return;
    }
    for (let attempt = 1; members.length > 0; attempt++) {
      const expected = head;
      let prevHash = head?.lastHash ?? GENESIS_HASH;
      const planned = members.map((m, i) => {
        const seq = (head?.lastSeq ?? 0) + 1 + i;
        const hash = entryHash(prevHash, m.input.content);
        const entry = {
          chain: key,
          seq,
          eventKey: m.input.eventKey,
          content: m.input.content,
          prevHash,
          hash,
        };
        prevHash = hash;
        return entry;
      });
      const last = planned.at(-1) as (typeof planned)[number];
      const expiresAt = Math.floor(Date.now() / 1000) + MARKER_TTL_S;
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.logTable,
                  Key: { chain: key, seq: HEAD_SEQ },
                  UpdateExpression: "SET lastSeq = :seq, lastHash = :hash",
                  ConditionExpression: expected ? "lastSeq = :expected" : "attribute_not_exists(lastSeq)",
                  ExpressionAttributeValues: {
                    ":seq": last.seq,
                    ":hash": last.hash,
                    ...(expected ? { ":expected": expected.lastSeq } : {}),
                  },
                },
              },
              ...planned.flatMap((entry) => [
                {
                  Put: {
                    TableName: this.logTable,
                    Item: entry,
                    ConditionExpression: "attribute_not_exists(chain)",
                  },
                },
                {
                  Put: {
                    TableName: this.logTable,
                    Item: {
                      chain: markerKey(entry.eventKey),
                      seq: HEAD_SEQ,
                      entry: `${key}/${entry.seq}`,
                      expiresAt,
                    },
                    ConditionExpression: "attribute_not_exists(chain)",
                  },
                },
              ]),
            ],
          }),
        );
        this.heads.set(chain, { lastSeq: last.seq, lastHash: last.hash });
        for (const [i, m] of members.entries()) {
          const entry = planned[i] as (typeof planned)[number];
          m.resolve({ appended: true, chain, seq: entry.seq, hash: entry.hash, attempts: attempt });
        }
        return;
      } catch (error) {
        const name = (error as { name?: string }).name;
        const fail = (code: string, message: string) => {
          for (const m of members) m.reject(new StoreError(code, message, { cause: error }));
        };
        if (!(isConditionFailed(error) || name === "TransactionConflictException")) {
          fail("audit_append_failed", `could not append ${members.length} entries to ${key}`);
          return;
        }
        const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
        const failed = (i: number) => reasons?.[i]?.Code === "ConditionalCheckFailed";
        // redelivered events: their markers exist; they are done, the others go again
        const taken = await Promise.all(
          members.map((m, i) =>
            reasons ? failed(2 + 2 * i) : this.markerExists(m.input.eventKey).catch(() => false),
          ),
        );
        if (taken.some(Boolean)) {
          for (const [i, m] of members.entries())
            if (taken[i]) m.resolve({ appended: false, duplicate: true });
          members = members.filter((_, i) => !taken[i]);
          if (!failed(0)) continue; // the head held: go again at once with the rest
        } else if (reasons?.[0]?.Code === "None" && planned.some((_, i) => failed(1 + 2 * i))) {
          // the head says a seq is free but an entry holds it: tampered with; retrying cannot help
          fail(
            "audit_chain_inconsistent",
            `${key}: an entry exists beyond the head's lastSeq; run audit verify`,
          );
          return;
        }
        if (attempt >= this.maxAttempts) {
          fail("audit_append_contended", `could not append to ${key} after ${attempt} attempts`);
          return;
        }
        // another process moved the head: back off a little (with jitter, so racers spread), re-read
        this.heads.delete(chain);
        if (cached === undefined || attempt > 1) await sleep(Math.random() * Math.min(200, 4 * 2 ** attempt));
        cached = undefined;
        try {
          head = await this.head(chain);
        } catch (readError) {
          for (const m of members)
            m.reject(new StoreError("audit_append_failed", `cannot read ${key}`, { cause: readError }));
          return;
        }
      }
    }
  }

  private async markerExists(eventKey: string): Promise<boolean> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.logTable,
        Key: { chain: markerKey(eventKey), seq: HEAD_SEQ },
        ConsistentRead: true,
      }),
    );
    return out.Item !== undefined;
  }

  /**
   * One chain as stored: its head, then every entry (consistent, paginated). Entries appended
   * while reading may outrun the head read first: the head is then read again, so a concurrent
   * append is never mistaken for an inserted entry.
   */
  async readChain(chain: number): Promise<ChainRead> {
    const entries: ChainEntry[] = [];
    let head: ChainHead | undefined;
    for await (const item of queryAll(this.doc, {
      TableName: this.logTable,
      KeyConditionExpression: "chain = :c",
      ExpressionAttributeValues: { ":c": chainKey(chain) },
      ConsistentRead: true,
    })) {
      if (item.seq === HEAD_SEQ)
        head = { lastSeq: item.lastSeq as number, lastHash: item.lastHash as string };
      else
        entries.push({
          seq: item.seq,
          content: item.content,
          prevHash: item.prevHash,
          hash: item.hash,
        } as ChainEntry);
    }
    const maxSeq = entries.reduce((m, e) => Math.max(m, e.seq), 0);
    if (head && maxSeq > head.lastSeq) head = (await this.head(chain)) ?? head;
    return { chain, entries, head };
  }

  /** Every chain head (consistent), index = chain; undefined for a chain never written. */
  async readHeads(): Promise<(ChainHead | undefined)[]> {
    const heads: (ChainHead | undefined)[] = Array.from({ length: AUDIT_CHAINS }, () => undefined);
    let keys: Record<string, unknown>[] | undefined = heads.map((_, n) => ({
      chain: chainKey(n),
      seq: HEAD_SEQ,
    }));
    for (let attempt = 0; keys && keys.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      if (attempt > 8) throw new StoreError("audit_read_failed", "DynamoDB kept audit heads unprocessed");
      const out: BatchGetCommandOutput = await this.doc.send(
        new BatchGetCommand({ RequestItems: { [this.logTable]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of out.Responses?.[this.logTable] ?? []) {
        const n = Number(String(item.chain).slice("chain#".length));
        heads[n] = { lastSeq: item.lastSeq as number, lastHash: item.lastHash as string };
      }
      keys = out.UnprocessedKeys?.[this.logTable]?.Keys;
    }
    return heads;
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

function toDigest(item: Record<string, unknown>): Digest {
  return {
    seq: item.seq as number,
    at: item.at as string,
    chains: item.chains as ChainHead[],
    prevHash: item.prevHash as string,
    hash: item.hash as string,
    signature: item.signature as string,
  };
}
