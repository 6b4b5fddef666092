/**
 * Records access: each record's newest revision (the streamed `records` table), the revisions
 * newer ones replaced (`record-revisions`), and a head per record with the latest evaluated
 * revision and the pending deadline (`record-heads`).
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import DataLoader from "dataloader";
import { batchGetKeys, type TableKey } from "./batch-get.ts";
import { isConditionFailed, StoreError } from "./errors.ts";
import { deadlineShard } from "./keys.ts";
import { queryAll } from "./query-all.ts";
import {
  type ComplaintEntry,
  type PutOutcome,
  type PutResult,
  type RecordHead,
  type RecordRepository,
  recordKey,
  type StoredRevision,
} from "./repositories.ts";
import { DEADLINE_SHARDS, type TableNames } from "./tables.ts";

/** The byReceived partition of a complaint received at `iso` (or in month `2026-03`): one per calendar month (UTC). */
function reportMonth(iso: string): string {
  return `complaint#${iso.slice(0, 7)}`;
}

/** A read the store batches: a record's head, or its newest revision's number. */
interface RecordRead {
  readonly kind: "head" | "newest";
  readonly pk: string;
}
const readKey = (r: RecordRead) => `${r.kind} ${r.pk}`;

/** The tables a RecordsStore reads and writes. */
export type RecordsTables = Pick<TableNames, "records" | "recordRevisions" | "recordHeads">;

/** Attempts at replacing a record's newest revision while other revisions of it keep arriving. */
const MAX_PUT_ATTEMPTS = 8;

export class RecordsStore implements RecordRepository {
  readonly doc: DynamoDBDocumentClient;
  /** Each record's newest revision (streamed). */
  readonly table: string;
  /** The revisions newer ones replaced. */
  readonly revisionsTable: string;
  readonly headsTable: string;
  /**
   * Reads of record heads and of newest revision numbers asked for in the same turn of the event
   * loop go out as one consistent BatchGetItem over both tables: the evaluator judges a stream
   * batch's records side by side (64 at a time), and each asks for its head and its newest
   * revision at about the same moment. The batch goes out in the loop's check phase
   * (setImmediate), not right after the current job: answers that arrive in the same poll phase
   * then ask together, so they share one request instead of one each (measured under load: 0.57
   * BatchGetItem per record with the default). No cache: every read is made after it was asked
   * for, exactly as its own GetItem would be.
   */
  private readonly reads = new DataLoader<RecordRead, Record<string, unknown> | undefined, string>(
    async (asked) => {
      const keys = [...new Map(asked.map((r) => [readKey(r), r])).values()].map(
        ({ kind, pk }): TableKey =>
          kind === "head"
            ? { table: this.headsTable, key: { pk } }
            : { table: this.table, key: { pk }, projection: "pk, rev" },
      );
      const found = await batchGetKeys(this.doc, keys, "head_read_failed");
      const byPk = (table: string) =>
        new Map((found.get(table) ?? []).map((item) => [item.pk as string, item]));
      const heads = byPk(this.headsTable);
      const newest = byPk(this.table);
      return asked.map(({ kind, pk }) => (kind === "head" ? heads : newest).get(pk));
    },
    { cache: false, maxBatchSize: 100, batchScheduleFn: (send) => setImmediate(send) },
  );
  constructor(doc: DynamoDBDocumentClient, tables: RecordsTables) {
    this.doc = doc;
    this.table = tables.records;
    this.revisionsTable = tables.recordRevisions;
    this.headsTable = tables.recordHeads;
  }

  /** Revision `rev` of a record: its newest (one consistent read), else one a newer one replaced. */
  async getRevision(pk: string, rev: number): Promise<StoredRevision | undefined> {
    const newest = await this.latestRevision(pk);
    if (newest === undefined || newest.rev < rev) return undefined;
    return newest.rev === rev ? newest : this.replacedRevision(pk, rev);
  }

  /** Revision numbers stored for a record, ascending: those replaced, then the newest. */
  async listRevisions(pk: string): Promise<number[]> {
    return (await this.recordWithRevisions(pk))?.revisions ?? [];
  }

  /** A record's newest revision and the numbers of all its revisions, ascending: one read, one query. */
  async recordWithRevisions(
    pk: string,
  ): Promise<{ latest: StoredRevision; revisions: number[] } | undefined> {
    const latest = await this.latestRevision(pk);
    if (latest === undefined) return undefined;
    const revisions: number[] = [];
    for await (const item of queryAll(this.doc, {
      TableName: this.revisionsTable,
      KeyConditionExpression: "pk = :pk AND rev < :rev",
      ExpressionAttributeValues: { ":pk": pk, ":rev": latest.rev },
      ProjectionExpression: "rev",
    }))
      revisions.push(item.rev as number);
    return { latest, revisions: [...revisions, latest.rev] };
  }

  async latestRevision(pk: string): Promise<StoredRevision | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk }, ConsistentRead: true }),
    );
    return out.Item as StoredRevision | undefined;
  }

  /**
   * The number of the newest revision stored after `rev`: a consistent read of the record's
   * number, batched with the other head and revision reads of the same turn.
   */
  async newestAfter(pk: string, rev: number): Promise<number | undefined> {
    const newest = (await this.reads.load({ kind: "newest", pk }))?.rev as number | undefined;
    return newest !== undefined && newest > rev ? newest : undefined;
  }

  private async replacedRevision(pk: string, rev: number): Promise<StoredRevision | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.revisionsTable, Key: { pk, rev }, ConsistentRead: true }),
    );
    return out.Item as StoredRevision | undefined;
  }

  /**
   * Stores a new revision unless it is a duplicate, a conflict or stale, or the record belongs to
   * another ingest client. A new record is one conditional put. When the record exists, the
   * failed put returns its item (ReturnValuesOnConditionCheckFailure), on which the revision is
   * judged; a newer revision first copies the stored one into the revisions table, then replaces
   * it with a put conditional on the revision it read, so concurrent deliveries store each
   * revision exactly once, never replace a newer one, and nothing stored is ever lost.
   *
   * Ownership: a record belongs to the client that first stored it. Every later revision is
   * stored only by that client, so the item's `clientId` is the owner: no owner item, no extra
   * write, and two clients creating the same record at once cannot both succeed.
   */
  async putRevision(item: Omit<StoredRevision, "pk" | "rev">): Promise<PutResult> {
    const pk = recordKey(item.record.type, item.record.id);
    const rev = item.record.revision;
    const next: StoredRevision = { pk, rev, ...item };
    let condition: { expression: string; values?: Record<string, unknown> } = {
      expression: "attribute_not_exists(pk)",
    };
    for (let attempt = 1; attempt <= MAX_PUT_ATTEMPTS; attempt++) {
      const stored = await this.putUnless(next, condition);
      if (stored === undefined) return { outcome: "created" };
      if (stored.clientId !== item.clientId) return { outcome: "not_owner", owner: stored.clientId };
      if (stored.rev === rev) return { outcome: this.judgeExisting(stored, item.bodyHash) };
      if (stored.rev > rev) {
        // an older revision: a re-delivery of one stored (duplicate / conflict), else stale
        const existing = await this.replacedRevision(pk, rev);
        return { outcome: existing ? this.judgeExisting(existing, item.bodyHash) : "stale" };
      }
      // a newer revision: keep the stored one, then replace it if it is still the newest
      await this.keepReplaced(stored);
      condition = { expression: "rev = :stored", values: { ":stored": stored.rev } };
    }
    throw new StoreError("record_write_failed", `${pk} kept changing while revision ${rev} was stored`);
  }

  /** Puts `next` under `condition`; undefined when stored, else the item that failed the condition. */
  private async putUnless(
    next: StoredRevision,
    condition: { expression: string; values?: Record<string, unknown> },
  ): Promise<StoredRevision | undefined> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: next,
          ConditionExpression: condition.expression,
          ExpressionAttributeValues: condition.values,
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return undefined;
    } catch (error) {
      // the SDK hands back the failed condition's item marshalled (the document client only
      // translates outputs); without one the item vanished, which the platform never does
      const stored = isConditionFailed(error)
        ? (error as { Item?: Record<string, AttributeValue> }).Item
        : undefined;
      if (stored) return unmarshall(stored) as StoredRevision;
      throw new StoreError("record_write_failed", `could not store ${next.pk} revision ${next.rev}`, {
        cause: error,
      });
    }
  }

  /** Copies a revision about to be replaced into the revisions table (the same content every time). */
  private async keepReplaced(stored: StoredRevision): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.revisionsTable, Item: stored }));
    } catch (error) {
      throw new StoreError("record_write_failed", `could not keep ${stored.pk} revision ${stored.rev}`, {
        cause: error,
      });
    }
  }

  private judgeExisting(existing: Pick<StoredRevision, "bodyHash">, bodyHash: string): PutOutcome {
    return existing.bodyHash === bodyHash ? "duplicate" : "conflict";
  }

  /** The record's head (a consistent read, batched with the others asked for in the same turn). */
  async getHead(pk: string): Promise<RecordHead | undefined> {
    return (await this.reads.load({ kind: "head", pk })) as RecordHead | undefined;
  }

  /**
   * Marks `rev` as the latest evaluated revision and sets (or clears) its pending deadline.
   * Refused (`claimed: false`) when a newer revision was already evaluated: its result must stand.
   * `first` tells that no revision of this record had been evaluated before.
   */
  async claimHead(
    pk: string,
    rev: number,
    nextCheckAt: string | null,
    evaluatedAt: string,
    /** Complaints: what the satisfaction report reads through the byReceived index. */
    report?: { readonly receivedAt: string; readonly category: string },
  ): Promise<{ claimed: boolean; first: boolean }> {
    const values: Record<string, unknown> = { ":rev": rev, ":at": evaluatedAt };
    let update = "SET latest = :rev, evaluatedAt = :at";
    if (report) {
      update += ", reportMonth = :month, receivedAt = :received, category = :category";
      values[":month"] = reportMonth(report.receivedAt);
      values[":received"] = report.receivedAt;
      values[":category"] = report.category;
    }
    if (nextCheckAt) {
      update += ", nextCheckAt = :next, dueShard = :shard";
      values[":next"] = nextCheckAt;
      values[":shard"] = deadlineShard(pk);
    } else {
      update += " REMOVE nextCheckAt, dueShard";
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.headsTable,
          Key: { pk },
          UpdateExpression: update,
          ConditionExpression: "attribute_not_exists(latest) OR latest <= :rev",
          ExpressionAttributeValues: values,
          ReturnValues: "UPDATED_OLD",
        }),
      );
      return { claimed: true, first: out.Attributes?.latest === undefined };
    } catch (error) {
      if (isConditionFailed(error)) return { claimed: false, first: false };
      throw new StoreError("head_write_failed", `could not update ${pk}`, { cause: error });
    }
  }

  /**
   * Heads whose deadline is due: one stream per partition of the sparse index (how many is this
   * table's business), to be read in parallel.
   */
  duePartitions(now: string): AsyncIterable<RecordHead>[] {
    return Array.from({ length: DEADLINE_SHARDS }, (_, shard) => this.dueHeads(String(shard), now));
  }

  private async *dueHeads(shard: string, now: string): AsyncGenerator<RecordHead> {
    for await (const item of queryAll(this.doc, {
      TableName: this.headsTable,
      IndexName: "byNextCheck",
      KeyConditionExpression: "dueShard = :s AND nextCheckAt <= :now",
      ExpressionAttributeValues: { ":s": shard, ":now": now },
    }))
      yield item as unknown as RecordHead;
  }

  /** Complaints received in one month (its byReceived partition) within [from, to] (latest evaluated revision each). */
  async *complaintsReceived(month: string, from: string, to: string): AsyncGenerator<ComplaintEntry> {
    for await (const item of queryAll(this.doc, {
      TableName: this.headsTable,
      IndexName: "byReceived",
      KeyConditionExpression: "reportMonth = :m AND receivedAt BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":m": reportMonth(month), ":from": from, ":to": to },
    })) {
      const pk = String(item.pk);
      yield {
        id: pk.slice(pk.indexOf("#") + 1),
        receivedAt: item.receivedAt as string,
        category: item.category as string,
      };
    }
  }
}
