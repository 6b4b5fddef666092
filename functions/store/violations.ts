/** Violations table access: conditional writes keyed by the derived id, and the auditor's index. */

import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { StoredViolation } from "../core/lifecycle.ts";
import { batchGetAll } from "./batch-get.ts";
import { isConditionFailed, StoreError } from "./errors.ts";
import { statusShard, violationShard } from "./keys.ts";
import { queryAll } from "./query-all.ts";
import type { IndexEntry, IndexFilters, PartitionPlace, ViolationRepository } from "./repositories.ts";
import { VIOLATION_SHARDS } from "./tables.ts";

/** The stored item: the violation plus flattened attributes its index and filters use. */
interface ViolationItem extends StoredViolation {
  readonly statusShard: string;
  readonly recordType: string;
  /** Assignee roles, for the assigneeRole filter (a list: DynamoDB `contains` works on lists). */
  readonly roles: readonly string[];
  /** Every assigned person (escalations included), for the assignee filter: a person's queue. */
  readonly people: readonly string[];
}

const INTERNAL = ["statusShard", "recordType", "recordId", "roles", "people", "actionShard"] as const;

/**
 * AWS bills a write per KB and a violation item is about 1 KB, so nothing is stored twice:
 * `historyCount` only once the history was cut short (readers take `history.length` without it),
 * and no `recordId` (a record's violations are found by their derived ids; items written before
 * still have one, which nothing reads).
 */
function toItem(v: StoredViolation): ViolationItem {
  const { nextActionAt, historyCount, ...rest } = v;
  return {
    ...rest,
    ...(historyCount !== undefined && historyCount !== v.history.length ? { historyCount } : {}),
    // the sparse byNextAction index holds only violations with a time-driven action pending
    ...(nextActionAt ? { nextActionAt, actionShard: violationShard(v.id) } : {}),
    statusShard: statusShard(v.status, v.id),
    recordType: v.record.type,
    roles: v.assignees.map((a) => a.role),
    people: [...new Set(v.assignees.flatMap((a) => a.people))],
  };
}

export function fromItem(item: Record<string, unknown>): StoredViolation {
  const copy: Record<string, unknown> = { ...item };
  for (const key of INTERNAL) delete copy[key];
  return copy as unknown as StoredViolation;
}

/** The filter expression of `filters` over byStatus's projected attributes (the key condition aside). */
export function indexFilterExpression(filters: IndexFilters): {
  expression?: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conditions: string[] = [];
  const anyOf = (attribute: string, list: readonly string[] | undefined, contains = false) => {
    if (list === undefined) return;
    names[`#${attribute}`] = attribute;
    const parts = list.map((value, i) => {
      values[`:${attribute}${i}`] = value;
      return contains ? `contains(#${attribute}, :${attribute}${i})` : `:${attribute}${i}`;
    });
    conditions.push(contains ? `(${parts.join(" OR ")})` : `#${attribute} IN (${parts.join(", ")})`);
  };
  anyOf("area", filters.area);
  anyOf("policyId", filters.policyId);
  anyOf("ruleId", filters.ruleId);
  anyOf("recordType", filters.recordType);
  anyOf("severity", filters.severity);
  anyOf("department", filters.department);
  anyOf("roles", filters.assigneeRole, true);
  if (filters.assignee !== undefined) anyOf("people", [filters.assignee], true);
  const compare = (attribute: string, op: ">=" | "<=" | "<", value: string | undefined, name: string) => {
    if (value === undefined) return;
    names[`#${attribute}`] = attribute;
    values[`:${name}`] = value;
    conditions.push(`#${attribute} ${op} :${name}`);
  };
  compare("occurredAt", ">=", filters.occurredFrom, "occurredFrom");
  compare("occurredAt", "<=", filters.occurredTo, "occurredTo");
  compare("resolvedAt", ">=", filters.resolvedFrom, "resolvedFrom");
  compare("resolvedAt", "<=", filters.resolvedTo, "resolvedTo");
  compare("dueAt", "<", filters.dueBefore, "dueBefore");
  return { ...(conditions.length ? { expression: conditions.join(" AND ") } : {}), names, values };
}

/** The byStatus key of an item: where a partition's reading continues right after it. */
const placeOf = (item: Record<string, unknown>): PartitionPlace => ({
  id: item.id,
  statusShard: item.statusShard,
  detectedAt: item.detectedAt,
});

export class ViolationsStore implements ViolationRepository {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  async get(id: string): Promise<StoredViolation | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  /** Several violations by id (consistent reads), in no particular order. */
  async getMany(ids: readonly string[]): Promise<Map<string, StoredViolation>> {
    const keys = [...new Set(ids)].map((id) => ({ id }));
    const items = await batchGetAll(this.doc, this.table, keys, "violation_read_failed");
    return new Map(items.map((item) => [item.id as string, fromItem(item)]));
  }

  /**
   * Writes a new state: a create needs the id to be free, an update needs the version it was
   * computed from. False when someone else wrote first (the caller re-reads and recomputes).
   */
  async write(next: StoredViolation, expectedVer: number | undefined): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: toItem(next),
          ConditionExpression: expectedVer === undefined ? "attribute_not_exists(id)" : "ver = :ver",
          ExpressionAttributeValues: expectedVer === undefined ? undefined : { ":ver": expectedVer },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw new StoreError("violation_write_failed", `could not write violation ${next.id}`, {
        cause: error,
      });
    }
  }

  /**
   * One page of one partition of the status index, oldest first, filtered on projected
   * attributes. Returns up to `limit` matches and where to continue.
   */
  async queryPartition(
    partition: string,
    filters: IndexFilters,
    startAfter: PartitionPlace | undefined,
    limit: number,
  ): Promise<{ entries: IndexEntry[]; lastKey?: PartitionPlace }> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ":p": partition };
    let keyCondition = "statusShard = :p";
    if (filters.from && filters.to) {
      keyCondition += " AND detectedAt BETWEEN :from AND :to";
      values[":from"] = filters.from;
      values[":to"] = filters.to;
    } else if (filters.from) {
      keyCondition += " AND detectedAt >= :from";
      values[":from"] = filters.from;
    } else if (filters.to) {
      keyCondition += " AND detectedAt <= :to";
      values[":to"] = filters.to;
    }
    const filter = indexFilterExpression(filters);
    Object.assign(names, filter.names);
    Object.assign(values, filter.values);
    const entries: IndexEntry[] = [];
    let start: Record<string, unknown> | undefined = startAfter && { ...startAfter };
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: "byStatus",
          KeyConditionExpression: keyCondition,
          FilterExpression: filter.expression,
          ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
          ExpressionAttributeValues: values,
          ExclusiveStartKey: start,
          Limit: Math.max(limit - entries.length, 1) * (filter.expression ? 4 : 1),
        }),
      );
      for (const item of out.Items ?? []) {
        const after = placeOf(item);
        entries.push({ id: item.id as string, detectedAt: item.detectedAt as string, after });
        // continue right after this item, not after the whole page DynamoDB read
        if (entries.length === limit) return { entries, lastKey: after };
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return { entries };
  }

  /**
   * How many violations of these statuses are overdue at `now` (dueAt passed), optionally only
   * those assigned to a person: a COUNT Query of those statuses' byStatus partitions, filtered on
   * the projected dueAt (and people). Exact; reads every index item of those statuses (~0.5 KB).
   */
  async countOverdue(statuses: readonly string[], now: string, assignee?: string): Promise<number> {
    const filter = indexFilterExpression({ dueBefore: now, ...(assignee ? { assignee } : {}) });
    const counts = await Promise.all(
      this.statusPartitions(statuses).map(async (partition) => {
        let count = 0;
        let start: Record<string, unknown> | undefined;
        do {
          const out = await this.doc.send(
            new QueryCommand({
              TableName: this.table,
              IndexName: "byStatus",
              KeyConditionExpression: "statusShard = :p",
              FilterExpression: filter.expression,
              ExpressionAttributeNames: filter.names,
              ExpressionAttributeValues: { ":p": partition, ...filter.values },
              Select: "COUNT",
              ExclusiveStartKey: start,
            }),
          );
          count += out.Count ?? 0;
          start = out.LastEvaluatedKey;
        } while (start);
        return count;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Ids of violations whose pending action (waiver expiry, escalation) is due: one stream per
   * partition of the sparse index, to be read in parallel.
   */
  duePartitions(now: string): AsyncIterable<string>[] {
    return Array.from({ length: VIOLATION_SHARDS }, (_, shard) => this.dueActions(String(shard), now));
  }

  /**
   * Every violation in these statuses with the people assigned to it, from the byStatus index
   * (which projects `people`; eventually consistent): a daily digest groups them by person.
   */
  async *assigned(statuses: readonly string[]): AsyncGenerator<{ id: string; people: string[] }> {
    for await (const item of this.statusIndex(statuses, ["people"]))
      yield { id: item.id as string, people: (item.people as string[] | undefined) ?? [] };
  }

  /**
   * Violations in these statuses detected in [from, to] (byStatus's sort key; eventually
   * consistent), with the policy and rule each belongs to: the sweep's candidates for reminders.
   */
  async *detectedBetween(
    statuses: readonly string[],
    from: string,
    to: string,
  ): AsyncGenerator<{ id: string; policyId: string; ruleId: string; detectedAt: string }> {
    for await (const item of this.statusIndex(statuses, ["policyId", "ruleId", "detectedAt"], { from, to }))
      yield {
        id: item.id as string,
        policyId: item.policyId as string,
        ruleId: item.ruleId as string,
        detectedAt: item.detectedAt as string,
      };
  }

  /** The byStatus items of these statuses (in [from, to] of detection when given), `id` and `fields` only. */
  private async *statusIndex(
    statuses: readonly string[],
    fields: readonly string[],
    detected?: { readonly from: string; readonly to: string },
  ): AsyncGenerator<Record<string, unknown>> {
    const names = Object.fromEntries(["id", ...fields].map((f, i) => [`#f${i}`, f]));
    for (const partition of this.statusPartitions(statuses))
      yield* queryAll(this.doc, {
        TableName: this.table,
        IndexName: "byStatus",
        KeyConditionExpression: detected
          ? "statusShard = :p AND detectedAt BETWEEN :from AND :to"
          : "statusShard = :p",
        ProjectionExpression: Object.keys(names).join(", "),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: detected
          ? { ":p": partition, ":from": detected.from, ":to": detected.to }
          : { ":p": partition },
      });
  }

  /** The partitions of the status index that hold violations of these statuses. */
  statusPartitions(statuses: readonly string[]): string[] {
    return statuses.flatMap((s) => Array.from({ length: VIOLATION_SHARDS }, (_, k) => `${s}#${k}`));
  }

  private async *dueActions(shard: string, now: string): AsyncGenerator<string> {
    for await (const item of queryAll(this.doc, {
      TableName: this.table,
      IndexName: "byNextAction",
      KeyConditionExpression: "actionShard = :s AND nextActionAt <= :now",
      ExpressionAttributeValues: { ":s": shard, ":now": now },
    }))
      yield item.id as string;
  }
}
