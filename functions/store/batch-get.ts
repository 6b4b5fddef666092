/**
 * BatchGetItem of any number of keys of one table: 100 keys per request (DynamoDB's limit), the
 * unprocessed keys (throttling) asked again after a growing pause. One home for that loop: the
 * violations of a record and the coalesced record-head reads both use it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { AGAIN, exponentialBackoff, retry } from "../core/retry.ts";
import { StoreError, type StoreErrorCode } from "./errors.ts";

const KEYS_PER_REQUEST = 100;

/** The items found (in no particular order); keys with no item are simply absent. */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
  /** The error code when DynamoDB keeps keys unprocessed. */
  failure: StoreErrorCode,
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_REQUEST) {
    let todo = keys.slice(i, i + KEYS_PER_REQUEST);
    await retry(
      { attempts: 10, backoffMs: exponentialBackoff(50, 1000), sleep },
      async () => {
        const out: BatchGetCommandOutput = await doc.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: todo, ConsistentRead: true } } }),
        );
        found.push(...(out.Responses?.[table] ?? []));
        todo = out.UnprocessedKeys?.[table]?.Keys ?? [];
        return todo.length === 0 ? undefined : AGAIN;
      },
      () => new StoreError(failure, `DynamoDB kept keys of ${table} unprocessed`),
    );
  }
  return found;
}
