/**
 * Creates the tables of `tables.ts` through the DynamoDB API: for DynamoDB Local (`npm start`,
 * tests) and for a developer's own AWS account. Deployed stacks get theirs from the CDK app, which
 * reads the same definitions; `createTableInput` shows the exact settings both must agree on.
 */

import { setTimeout as sleep } from "node:timers/promises";
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { DomainError } from "../core/errors.ts";
import { AGAIN, exponentialBackoff, type RetryPolicy, retry } from "../core/retry.ts";
import { type KeySchema, TABLES, type TableDefinition, type TableNames, tableNames } from "./tables.ts";

export type TableSetupErrorCode =
  | "table_create_failed"
  | "table_not_active"
  | "table_mismatch"
  | "table_delete_failed";

export class TableSetupError extends DomainError<TableSetupErrorCode> {
  override readonly name: string = "TableSetupError";
  readonly tableName: string;
  constructor(code: TableSetupErrorCode, tableName: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.tableName = tableName;
  }
}

/** On AWS, table creation takes seconds to a minute; DynamoDB Local is ACTIVE at once. */
const ACTIVE_TIMEOUT_MS = 5 * 60_000;

/** Asking again whether a table is ready (or gone): doubling pauses from 50 ms to 2 s, until the timeout. */
function untilTimeout(): RetryPolicy {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  return {
    attempts: Number.POSITIVE_INFINITY,
    backoffMs: exponentialBackoff(50, 2_000),
    sleep,
    keepGoing: () => Date.now() <= deadline,
  };
}

/** The CreateTable request for one definition: pure, so it can be compared with what the CDK app declares. */
export function createTableInput(def: TableDefinition, physicalName: string): CreateTableCommandInput {
  // Every key attribute of the table and its indexes, once (DynamoDB rejects duplicates and unused ones).
  const attributes = new Map<string, AttributeDefinition>();
  for (const keys of [def, ...def.indexes]) {
    for (const key of [keys.partitionKey, keys.sortKey]) {
      if (key !== undefined) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
    }
  }
  const input: CreateTableCommandInput = {
    TableName: physicalName,
    // on-demand: no capacity to plan for spiky compliance traffic, and no throttling surprises in tests
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [...attributes.values()],
    KeySchema: keySchema(def),
  };
  if (def.indexes.length > 0) {
    input.GlobalSecondaryIndexes = def.indexes.map(
      (index): GlobalSecondaryIndex => ({
        IndexName: index.indexName,
        KeySchema: keySchema(index),
        // project only what the queries read: every projected attribute is paid for on every write
        Projection:
          index.include === undefined
            ? { ProjectionType: "KEYS_ONLY" }
            : { ProjectionType: "INCLUDE", NonKeyAttributes: [...index.include] },
      }),
    );
  }
  if (def.stream !== undefined) {
    input.StreamSpecification = { StreamEnabled: true, StreamViewType: def.stream };
  }
  return input;
}

function keySchema(keys: KeySchema): KeySchemaElement[] {
  const schema: KeySchemaElement[] = [{ AttributeName: keys.partitionKey.name, KeyType: "HASH" }];
  if (keys.sortKey !== undefined) schema.push({ AttributeName: keys.sortKey.name, KeyType: "RANGE" });
  return schema;
}

/**
 * Creates every table (in parallel) and waits until each is ACTIVE with its indexes, then turns on
 * TTL where defined (TTL can only be set on an existing table). Idempotent: a table that already
 * exists is accepted if its key schema matches, so `npm start` can run again on a persisted database;
 * indexes it lacks are added.
 */
export async function createTables(client: DynamoDBClient, prefix: string): Promise<TableNames> {
  await Promise.all(TABLES.map((def) => createTable(client, def, `${prefix}${def.name}`)));
  return tableNames(prefix);
}

/** One table, the same way (exported for tests and tools that need a table of a given shape under another name). */
export async function createTable(client: DynamoDBClient, def: TableDefinition, name: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(def, name)));
  } catch (error) {
    if (errorName(error) !== "ResourceInUseException") {
      throw new TableSetupError(
        "table_create_failed",
        name,
        `could not create table ${name}: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  const table = await waitUntilActive(client, name);
  checkKeys(def, table, name);
  // a table kept from an older version (a persisted COMPLIANCE_DATA_DIR) gains the indexes added
  // since, one at a time (DynamoDB creates one GSI per UpdateTable and fills it from the items)
  const wanted = createTableInput(def, name);
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    if (present.has(index.IndexName)) continue;
    await addIndex(client, name, index, wanted.AttributeDefinitions ?? []);
    await waitUntilActive(client, name);
  }
  if (def.ttlAttribute !== undefined) await enableTtl(client, name, def.ttlAttribute);
}

/** One index more on an existing table (`definitions`: the table's attribute definitions, as created). */
async function addIndex(
  client: DynamoDBClient,
  name: string,
  index: GlobalSecondaryIndex,
  definitions: readonly AttributeDefinition[],
): Promise<void> {
  const keyNames = new Set((index.KeySchema ?? []).map((k) => k.AttributeName));
  const attributes = definitions.filter((a) => keyNames.has(a.AttributeName));
  try {
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: attributes,
        GlobalSecondaryIndexUpdates: [
          {
            Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection },
          },
        ],
      }),
    );
  } catch (error) {
    throw new TableSetupError(
      "table_create_failed",
      name,
      `could not add index ${index.IndexName} to table ${name}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

async function waitUntilActive(client: DynamoDBClient, name: string): Promise<TableDescription> {
  let status: string | undefined;
  return retry(
    untilTimeout(),
    async () => {
      const { Table: table } = await client.send(new DescribeTableCommand({ TableName: name }));
      const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === "ACTIVE");
      if (table !== undefined && table.TableStatus === "ACTIVE" && indexesActive) return table;
      status = table?.TableStatus;
      return AGAIN;
    },
    () =>
      new TableSetupError(
        "table_not_active",
        name,
        `table ${name} is still ${status ?? "missing"} after ${ACTIVE_TIMEOUT_MS / 1000} s`,
      ),
  );
}

/** A table left over with other keys would fail later with confusing validation errors: fail here instead. */
function checkKeys(def: TableDefinition, table: TableDescription, name: string): void {
  const render = (schema: readonly KeySchemaElement[] | undefined) =>
    (schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(",");
  const wanted = render(keySchema(def));
  const actual = render(table.KeySchema);
  if (wanted !== actual) {
    throw new TableSetupError(
      "table_mismatch",
      name,
      `table ${name} exists with key schema ${actual}, expected ${wanted}: delete it or use another prefix`,
    );
  }
}

async function enableTtl(client: DynamoDBClient, name: string, attribute: string): Promise<void> {
  // UpdateTimeToLive refuses to enable TTL twice ("TimeToLive is already enabled"): look first
  const { TimeToLiveDescription: ttl } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: name }),
  );
  const status = ttl?.TimeToLiveStatus;
  if ((status === "ENABLED" || status === "ENABLING") && ttl?.AttributeName === attribute) return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { Enabled: true, AttributeName: attribute },
    }),
  );
}

/** Deletes every table of the prefix (missing ones are fine) and waits until they are gone. */
export async function deleteTables(client: DynamoDBClient, prefix: string): Promise<void> {
  await Promise.all(TABLES.map((def) => deleteTable(client, `${prefix}${def.name}`)));
}

async function deleteTable(client: DynamoDBClient, name: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: name }));
  } catch (error) {
    if (errorName(error) === "ResourceNotFoundException") return;
    throw new TableSetupError(
      "table_delete_failed",
      name,
      `could not delete table ${name}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  await retry(
    untilTimeout(),
    async () => {
      try {
        await client.send(new DescribeTableCommand({ TableName: name }));
        return AGAIN;
      } catch (error) {
        if (errorName(error) === "ResourceNotFoundException") return undefined;
        throw error;
      }
    },
    () =>
      new TableSetupError(
        "table_delete_failed",
        name,
        `table ${name} still exists ${ACTIVE_TIMEOUT_MS / 1000} s after DeleteTable`,
      ),
  );
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | null)?.name;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
