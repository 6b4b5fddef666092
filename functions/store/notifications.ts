/**
 * The notifications table (tables.ts NOTIFICATIONS): delivery claims that make every message go
 * once, pending reminders (sparse `byRemindAt`), each person's queue (sparse `byPerson`) and the
 * digest cursor. Every write that decides "send or not" is conditional.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { isConditionFailed, StoreError } from "./errors.ts";
import { shardOf } from "./keys.ts";
import { queryAll } from "./query-all.ts";

export const REMINDER_SHARDS = 8;
/** Delivery items only need to outlive redelivery and re-evaluation of the same change. */
const DELIVERY_TTL_S = 400 * 24 * 3600;

export type ClaimResult = "claimed" | "done" | "busy";

export interface DeliveryMeta {
  readonly kind: string;
  readonly channel: string;
  readonly subject: string;
  readonly change: string;
  readonly to: readonly string[];
}

export interface DueReminder {
  readonly violationId: string;
  readonly dueAt: string;
  readonly remindAt: string;
}

export class NotificationsStore {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  /**
   * Claims a delivery: only the first claimer of a message id sends it. A claim left pending by a
   * sender that died (older than `leaseMs`) may be taken over; a fresh one answers `busy` (someone
   * is sending it now); a sent or failed one answers `done`.
   */
  async claim(key: string, meta: DeliveryMeta, nowMs: number, leaseMs: number): Promise<ClaimResult> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            id: key,
            ...meta,
            to: [...meta.to],
            state: "pending",
            claimedAt: nowMs,
            expiresAt: Math.floor(nowMs / 1000) + DELIVERY_TTL_S,
          },
          ConditionExpression: "attribute_not_exists(id) OR (#state = :pending AND claimedAt < :stale)",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":pending": "pending", ":stale": nowMs - leaseMs },
        }),
      );
      return "claimed";
    } catch (error) {
      if (!isConditionFailed(error)) throw storeError("claim", key, error);
    }
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { id: key }, ConsistentRead: true }),
    );
    return out.Item?.state === "pending" ? "busy" : "done";
  }

  /** Records the outcome of a claimed delivery. */
  async settle(
    key: string,
    outcome: { state: "sent" | "failed"; at: string; attempts: number; error?: string },
  ) {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id: key },
        UpdateExpression: "SET #state = :state, settledAt = :at, attempts = :n, lastError = :error",
        ExpressionAttributeNames: { "#state": "state" },
        ExpressionAttributeValues: {
          ":state": outcome.state,
          ":at": outcome.at,
          ":n": outcome.attempts,
          ":error": outcome.error ?? null,
        },
      }),
    );
  }

  async delivery(key: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { id: key }, ConsistentRead: true }),
    );
    return out.Item;
  }

  /**
   * Schedules (or moves) a violation's reminder. `change` orders the writes (the violation's history
   * length): a late, older event never moves a newer schedule back.
   */
  async scheduleReminder(violationId: string, dueAt: string, remindAt: string | null, change: number) {
    const shard = shardOf(violationId, REMINDER_SHARDS);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            id: `r#${violationId}`,
            violationId,
            dueAt,
            change,
            ...(remindAt ? { remindAt, remindShard: shard } : {}),
          },
          ConditionExpression: "attribute_not_exists(id) OR #change <= :change",
          ExpressionAttributeNames: { "#change": "change" },
          ExpressionAttributeValues: { ":change": change },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw storeError("schedule", violationId, error);
    }
  }

  /** Reminders due by `now` in one shard (the sparse index holds pending ones only). */
  async *dueReminders(shard: string, now: string): AsyncGenerator<DueReminder> {
    for await (const item of queryAll(this.doc, {
      TableName: this.table,
      IndexName: "byRemindAt",
      KeyConditionExpression: "remindShard = :s AND remindAt <= :now",
      ExpressionAttributeValues: { ":s": shard, ":now": now },
    }))
      yield {
        violationId: item.violationId as string,
        dueAt: item.dueAt as string,
        remindAt: item.remindAt as string,
      };
  }

  /** Takes a reminder out of the index once handled, unless it was rescheduled meanwhile. */
  async reminderDone(violationId: string, dueAt: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: `r#${violationId}` },
          UpdateExpression: "REMOVE remindAt, remindShard",
          ConditionExpression: "dueAt = :due",
          ExpressionAttributeValues: { ":due": dueAt },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw storeError("reminder", violationId, error);
    }
  }

  /** Puts a violation in a person's queue (what their daily digest reads). */
  async enqueue(person: string, violationId: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { id: `q#${person}#${violationId}`, queueOf: person, violationId },
      }),
    );
  }

  async dequeue(person: string, violationId: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: { id: `q#${person}#${violationId}` } }),
    );
  }

  /** Ids of the violations in a person's queue. */
  async queueOf(person: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const item of queryAll(this.doc, {
      TableName: this.table,
      IndexName: "byPerson",
      KeyConditionExpression: "queueOf = :p",
      ExpressionAttributeValues: { ":p": person },
    }))
      ids.push(item.violationId as string);
    return ids;
  }

  /** The last digest day handled (`YYYY-MM-DD` in the company's zone), if any. */
  async digestCursor(): Promise<string | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { id: "digest-cursor" }, ConsistentRead: true }),
    );
    return out.Item?.date as string | undefined;
  }

  /** Moves the cursor from `from` (absent: never set) to `to`; false when someone else moved it. */
  async moveDigestCursor(from: string | undefined, to: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { id: "digest-cursor", date: to },
          ConditionExpression: from === undefined ? "attribute_not_exists(id)" : "#date = :from",
          ExpressionAttributeNames: from === undefined ? undefined : { "#date": "date" },
          ExpressionAttributeValues: from === undefined ? undefined : { ":from": from },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw storeError("digest cursor", to, error);
    }
  }
}

function storeError(what: string, key: string, cause: unknown): StoreError {
  return new StoreError("notification_store_failed", `notifications: ${what} of ${key} failed`, { cause });
}
