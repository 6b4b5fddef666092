/**
 * The notifications table (tables.ts NOTIFICATIONS): one item per notification — its claim, and
 * for a violation's change the reminder of the due period the change began (sparse `byRemindAt`)
 * — and the digest cursor. Every write that decides "send or not" is conditional.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { isConditionFailed, StoreError } from "./errors.ts";
import { shardOf } from "./keys.ts";
import { queryAll } from "./query-all.ts";

export const REMINDER_SHARDS = 8;
/** The cursors: one item each, moved with a conditional put (two sweeps never both move one). */
const DIGEST_CURSOR = { id: "digest-cursor", field: "date" } as const;
const REMINDER_CURSOR = { id: "reminder-cursor", field: "at" } as const;
/** Notification items only need to outlive redelivery and re-evaluation of the same change. */
const NOTIFICATION_TTL_S = 400 * 24 * 3600;

/** What a claimed notification is: kept for operators (the messages themselves are not stored). */
export interface NotificationClaim {
  readonly kind: string;
  /** The violation, or for a digest the person. */
  readonly subject: string;
  readonly change: string;
  /** Everyone the notification tells (person ids). */
  readonly to: readonly string[];
  /**
   * The reminder of the due period this change began, when one is due before `dueAt`: the item
   * then also sits in the sparse byRemindAt index until the sweep handles it.
   */
  readonly reminder?: { readonly violationId: string; readonly dueAt: string; readonly remindAt: string };
}

/** A message of a claimed notification that failed after its last try. */
export interface FailedMessage {
  readonly message: string;
  readonly error: string;
}

export interface DueReminder {
  /** The notification item that holds it. */
  readonly id: string;
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
   * Claims a notification before any of its messages is sent: true for the one caller whose
   * conditional put created the item, false for everyone after (redelivery, re-evaluation, a
   * restart, a concurrent sender). One write; nothing is written when the messages go out.
   */
  async claim(id: string, claim: NotificationClaim, nowMs: number): Promise<boolean> {
    const { reminder, ...meta } = claim;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            id,
            ...meta,
            to: [...meta.to],
            claimedAt: new Date(nowMs).toISOString(),
            expiresAt: Math.floor(nowMs / 1000) + NOTIFICATION_TTL_S,
            ...(reminder
              ? {
                  violationId: reminder.violationId,
                  dueAt: reminder.dueAt,
                  remindAt: reminder.remindAt,
                  remindShard: shardOf(reminder.violationId, REMINDER_SHARDS),
                }
              : {}),
          },
          ConditionExpression: "attribute_not_exists(id)",
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw storeError("claim", id, error);
    }
  }

  /** Records the messages of a claimed notification that failed after their last try (only then). */
  async recordFailures(id: string, failures: readonly FailedMessage[], at: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: "SET failed = :failed, failedAt = :at",
          ExpressionAttributeValues: { ":failed": failures.map((f) => ({ ...f })), ":at": at },
        }),
      );
    } catch (error) {
      throw storeError("failure record", id, error);
    }
  }

  /** A notification item as stored (operators, tests). */
  async notification(id: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }),
    );
    return out.Item;
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
        id: item.id as string,
        violationId: item.violationId as string,
        dueAt: item.dueAt as string,
        remindAt: item.remindAt as string,
      };
  }

  /** Takes a handled reminder out of the index (its notification item stays, claimed). */
  async reminderDone(id: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: "REMOVE remindAt, remindShard",
          ConditionExpression: "attribute_exists(remindAt)",
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw storeError("reminder", id, error);
    }
  }

  /** The last digest day handled (`YYYY-MM-DD` in the company's zone), if any. */
  digestCursor(): Promise<string | undefined> {
    return this.cursor(DIGEST_CURSOR);
  }

  /** Moves the cursor from `from` (absent: never set) to `to`; false when someone else moved it. */
  moveDigestCursor(from: string | undefined, to: string): Promise<boolean> {
    return this.moveCursor(DIGEST_CURSOR, from, to);
  }

  /** How far the sweep has looked for reminders of first due periods (an ISO time), if ever. */
  reminderCursor(): Promise<string | undefined> {
    return this.cursor(REMINDER_CURSOR);
  }

  /** Moves the reminder cursor from `from` to `to`; false when someone else moved it. */
  moveReminderCursor(from: string | undefined, to: string): Promise<boolean> {
    return this.moveCursor(REMINDER_CURSOR, from, to);
  }

  private async cursor(c: { readonly id: string; readonly field: string }): Promise<string | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { id: c.id }, ConsistentRead: true }),
    );
    return out.Item?.[c.field] as string | undefined;
  }

  private async moveCursor(
    c: { readonly id: string; readonly field: string },
    from: string | undefined,
    to: string,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { id: c.id, [c.field]: to },
          ConditionExpression: from === undefined ? "attribute_not_exists(id)" : "#f = :from",
          ExpressionAttributeNames: from === undefined ? undefined : { "#f": c.field },
          ExpressionAttributeValues: from === undefined ? undefined : { ":from": from },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw storeError(c.id, to, error);
    }
  }
}

function storeError(what: string, key: string, cause: unknown): StoreError {
  return new StoreError("notification_store_failed", `notifications: ${what} of ${key} failed`, { cause });
}
