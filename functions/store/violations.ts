/** Violations table access: conditional writes keyed by the derived id, and the auditor's index. */

import { setTimeout as sleep } from "node:timers/promises";
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import type { StoredViolation } from "../core/lifecycle.ts";
import { AGAIN, exponentialBackoff, retry } from "../core/retry.ts";
import { isConditionFailed, StoreError } from "./errors.ts";
import { statusShard, violationShard } from "./keys.ts";
import { queryAll } from "./query-all.ts";
import { VIOLATION_SHARDS } from "./tables.ts";

/** The stored item: the violation plus flattened attributes its index and filters use. */
interface ViolationItem extends StoredViolation {
  readonly statusShard: string;
  readonly recordType: string;
  readonly recordId: string;
  /** Assignee roles, for the assigneeRole filter (a list: DynamoDB `contains` works on lists). */
  readonly roles: readonly string[];
  /** Every assigned person (escalations included), for the assignee filter: a person's queue. */
  readonly people: readonly string[];
}

const INTERNAL = ["statusShard", "recordType", "recordId", "roles", "people", "actionShard"] as const;

function toItem(v: StoredViolation): ViolationItem {
  const { nextActionAt, ...rest } = v;
  return {
    ...rest,
    // the sparse byNextAction index holds only violations with a time-driven action pending
    ...(nextActionAt ? { nextActionAt, actionShard: violationShard(v.id) } : {}),
    statusShard: statusShard(v.status, v.id),
    recordType: v.record.type,
    recordId: v.record.id,
    roles: v.assignees.map((a) => a.role),
    people: [...new Set(v.assignees.flatMap((a) => a.people))],
  };
}

export function fromItem(item: Record<string, unknown>): StoredViolation {
  const copy: Record<string, unknown> = { ...item };
  for (const key of INTERNAL) delete copy[key];
  return copy as unknown as StoredViolation;
}

export interface IndexFilters {
  readonly area?: string;
  readonly policyId?: string;
  readonly ruleId?: string;
  readonly recordType?: string;
  readonly assigneeRole?: string;
  /** A person id: only violations assigned to them. */
  readonly assignee?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface IndexEntry {
  readonly id: string;
  readonly statusShard: string;
  readonly detectedAt: string;
}

export class ViolationsStore {
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
    const found = new Map<string, StoredViolation>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] = unique.slice(i, i + 100).map((id) => ({ id }));
      // unprocessed keys (throttling) are asked again, after a growing pause
      await retry(
        { attempts: 10, backoffMs: exponentialBackoff(50, 1000), sleep },
        async () => {
          const out: BatchGetCommandOutput = await this.doc.send(
            new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }),
          );
          for (const item of out.Responses?.[this.table] ?? []) found.set(item.id as string, fromItem(item));
          keys = out.UnprocessedKeys?.[this.table]?.Keys ?? [];
          return keys.length === 0 ? undefined : AGAIN;
        },
        () => new StoreError("violation_read_failed", "DynamoDB kept keys unprocessed"),
      );
    }
    return found;
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
    startKey: Record<string, unknown> | undefined,
    limit: number,
  ): Promise<{ entries: IndexEntry[]; lastKey?: Record<string, unknown> }> {
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
    const conditions: string[] = [];
    for (const field of ["area", "policyId", "ruleId", "recordType"] as const) {
      const value = filters[field];
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      conditions.push(`#${field} = :${field}`);
    }
    if (filters.assigneeRole !== undefined) {
      values[":role"] = filters.assigneeRole;
      conditions.push("contains(#roles, :role)");
      names["#roles"] = "roles";
    }
    if (filters.assignee !== undefined) {
      values[":person"] = filters.assignee;
      conditions.push("contains(#people, :person)");
      names["#people"] = "people";
    }
    const entries: IndexEntry[] = [];
    let start = startKey;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: "byStatus",
          KeyConditionExpression: keyCondition,
          FilterExpression: conditions.length ? conditions.join(" AND ") : undefined,
          ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
          ExpressionAttributeValues: values,
          ExclusiveStartKey: start,
          Limit: Math.max(limit - entries.length, 1) * (conditions.length ? 4 : 1),
        }),
      );
      for (const item of out.Items ?? []) {
        entries.push({
          id: item.id as string,
          statusShard: item.statusShard as string,
          detectedAt: item.detectedAt as string,
        });
        if (entries.length === limit) {
          // continue right after this item, not after the whole page DynamoDB read
          return {
            entries,
            lastKey: { id: item.id, statusShard: item.statusShard, detectedAt: item.detectedAt },
          };
        }
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return { entries };
  }

  /**
   * Ids of violations whose pending action (waiver expiry, escalation) is due: one stream per
   * partition of the sparse index, to be read in parallel.
   */
  duePartitions(now: string): AsyncIterable<string>[] {
    return Array.from({ length: VIOLATION_SHARDS }, (_, shard) => this.dueActions(String(shard), now));
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
