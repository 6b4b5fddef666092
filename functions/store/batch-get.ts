/**
 * BatchGetItem of any number of keys, of one table or several: 100 keys per request (DynamoDB's
 * limit), the unprocessed keys (throttling) asked again after a growing pause. One home for that
 * loop: the violations of a record and the coalesced reads of record heads and newest revisions
 * use it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { AGAIN, exponentialBackoff, retry } from "../core/retry.ts";
import { StoreError, type StoreErrorCode } from "./errors.ts";

const KEYS_PER_REQUEST = 100;

/** One key of one table; `projection` (the same for every key of a table) names what to read. */
export interface TableKey {
  readonly table: string;
  readonly key: Record<string, unknown>;
  readonly projection?: string;
}

/** The items found, by table (in no particular order); keys with no item are simply absent. */
export async function batchGetKeys(
  doc: DynamoDBDocumentClient,
  keys: readonly TableKey[],
  /** The error code when DynamoDB keeps keys unprocessed. */
  failure: StoreErrorCode,
): Promise<Map<string, Record<string, unknown>[]>> {
  const found = new Map<string, Record<string, unknown>[]>();
  const projections = new Map(keys.map((k) => [k.table, k.projection]));
  for (let i = 0; i < keys.length; i += KEYS_PER_REQUEST) {
    let todo: NonNullable<BatchGetCommandInput["RequestItems"]> = {};
    for (const { table, key } of keys.slice(i, i + KEYS_PER_REQUEST)) {
      const projection = projections.get(table);
      todo[table] ??= {
        Keys: [],
        ConsistentRead: true,
        ...(projection ? { ProjectionExpression: projection } : {}),
      };
      todo[table].Keys?.push(key);
    }
    await retry(
      { attempts: 10, backoffMs: exponentialBackoff(50, 1000), sleep },
      async () => {
        const out: BatchGetCommandOutput = await doc.send(new BatchGetCommand({ RequestItems: todo }));
        for (const [table, items] of Object.entries(out.Responses ?? {}))
          found.set(table, [...(found.get(table) ?? []), ...items]);
        todo = out.UnprocessedKeys ?? {};
        return Object.keys(todo).length === 0 ? undefined : AGAIN;
      },
      () => new StoreError(failure, `DynamoDB kept keys of ${Object.keys(todo).join(", ")} unprocessed`),
    );
  }
  return found;
}

/** The items of one table found (in no particular order); keys with no item are simply absent. */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
  failure: StoreErrorCode,
): Promise<Record<string, unknown>[]> {
  const found = await batchGetKeys(
    doc,
    keys.map((key) => ({ table, key })),
    failure,
  );
  return found.get(table) ?? [];
}
