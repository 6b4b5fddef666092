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
  type QueryCommandOutput,
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
  /** Asks DynamoDB for consumed capacity of every write and reports it (benchmarks). */
  readonly onCapacity?: (writeUnits: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CancellationReason {
  readonly Code?: string;
}

export class AuditLogStore {
  readonly doc: DynamoDBDocumentClient;
  readonly logTable: string;
  readonly digestTable: string;
  private readonly maxAttempts: number;
  private readonly onCapacity?: (writeUnits: number) => void;
  /** Last head this process wrote or read per chain: a hint that saves a read; a wrong one costs a retry. */
  private readonly heads = new Map<number, ChainHead>();

  constructor(
    doc: DynamoDBDocumentClient,
    tables: Pick<TableNames, "auditLog" | "auditDigests">,
    options: AuditLogOptions = {},
  ) {
    this.doc = doc;
    this.logTable = tables.auditLog;
    this.digestTable = tables.auditDigests;
    this.maxAttempts = options.maxAttempts ?? 60;
    this.onCapacity = options.onCapacity;
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

  /** Appends once per eventKey: a redelivery (the marker exists) is answered `duplicate`. */
  async append(input: AuditEntryInput): Promise<AppendOutcome> {
    const chain = chainOf(input.content.subject);
    const key = chainKey(chain);
    let cached = this.heads.get(chain);
    let head = cached ?? (await this.head(chain));
    for (let attempt = 1; ; attempt++) {
      const seq = (head?.lastSeq ?? 0) + 1;
      const prevHash = head?.lastHash ?? GENESIS_HASH;
      const hash = entryHash(prevHash, input.content);
      try {
        const out = await this.doc.send(
          new TransactWriteCommand({
            ReturnConsumedCapacity: this.onCapacity ? "TOTAL" : undefined,
            TransactItems: [
              {
                Update: {
                  TableName: this.logTable,
                  Key: { chain: key, seq: HEAD_SEQ },
                  UpdateExpression: "SET lastSeq = :seq, lastHash = :hash",
                  ConditionExpression: head ? "lastSeq = :expected" : "attribute_not_exists(lastSeq)",
                  ExpressionAttributeValues: {
                    ":seq": seq,
                    ":hash": hash,
                    ...(head ? { ":expected": head.lastSeq } : {}),
                  },
                },
              },
              {
                Put: {
                  TableName: this.logTable,
                  Item: { chain: key, seq, eventKey: input.eventKey, content: input.content, prevHash, hash },
                  ConditionExpression: "attribute_not_exists(chain)",
                },
              },
              {
                Put: {
                  TableName: this.logTable,
                  Item: {
                    chain: markerKey(input.eventKey),
                    seq: HEAD_SEQ,
                    entry: `${key}/${seq}`,
                    expiresAt: Math.floor(Date.now() / 1000) + MARKER_TTL_S,
                  },
                  ConditionExpression: "attribute_not_exists(chain)",
                },
              },
            ],
          }),
        );
        if (this.onCapacity)
          this.onCapacity((out.ConsumedCapacity ?? []).reduce((n, c) => n + (c.CapacityUnits ?? 0), 0));
        this.heads.set(chain, { lastSeq: seq, lastHash: hash });
        return { appended: true, chain, seq, hash, attempts: attempt };
      } catch (error) {
        const name = (error as { name?: string }).name;
        const retryable = isConditionFailed(error) || name === "TransactionConflictException";
        if (!retryable)
          throw new StoreError("audit_append_failed", `could not append ${input.eventKey} to ${key}`, {
            cause: error,
          });
        const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons;
        const markerTaken =
          reasons?.[2]?.Code === "ConditionalCheckFailed" ||
          (reasons === undefined && (await this.markerExists(input.eventKey)));
        if (markerTaken) return { appended: false, duplicate: true };
        if (attempt >= this.maxAttempts)
          throw new StoreError(
            "audit_append_contended",
            `could not append ${input.eventKey} to ${key} after ${attempt} attempts`,
            { cause: error },
          );
        // someone else moved the head: back off a little (with jitter, so racers spread) and re-read
        this.heads.delete(chain);
        if (cached === undefined || attempt > 1) await sleep(Math.random() * Math.min(200, 4 * 2 ** attempt));
        cached = undefined;
        head = await this.head(chain);
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
    let start: Record<string, unknown> | undefined;
    do {
      const out: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.logTable,
          KeyConditionExpression: "chain = :c",
          ExpressionAttributeValues: { ":c": chainKey(chain) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        if (item.seq === HEAD_SEQ)
          head = { lastSeq: item.lastSeq as number, lastHash: item.lastHash as string };
        else entries.push({ seq: item.seq, content: item.content, prevHash: item.prevHash, hash: item.hash });
      }
      start = out.LastEvaluatedKey;
    } while (start);
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
    let start: Record<string, unknown> | undefined;
    do {
      const out: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.digestTable,
          KeyConditionExpression: "#s = :s",
          ExpressionAttributeNames: { "#s": "stream" },
          ExpressionAttributeValues: { ":s": DIGEST_STREAM },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) digests.push(toDigest(item));
      start = out.LastEvaluatedKey;
    } while (start);
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
