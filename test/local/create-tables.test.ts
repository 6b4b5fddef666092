/** The tables of tables.ts, as DynamoDB Local actually creates them. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import {
  createTable,
  createTableInput,
  createTables,
  deleteTables,
  TableSetupError,
} from "../../functions/store/create-tables.ts";
import {
  AUDIT_LOG,
  POLICY_VERSIONS,
  RECORD_HEADS,
  RECORD_REVISIONS,
  RECORDS,
  TABLES,
  type TableDefinition,
  VIOLATIONS,
} from "../../functions/store/tables.ts";
import { useTables } from "../support/dynamodb.ts";

const db = useTables();

async function describeTable(name: string): Promise<TableDescription> {
  const { Table } = await db.clients.dynamodb.send(new DescribeTableCommand({ TableName: name }));
  if (Table === undefined) throw new Error(`no table ${name}`);
  return Table;
}

const keys = (table: { KeySchema?: { AttributeName?: string; KeyType?: string }[] }) =>
  (table.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`);

describe("createTables", () => {
  it("creates every table with its keys, indexes and stream as defined", async () => {
    expect(Object.values(db.names).sort()).toEqual(TABLES.map((t) => `${db.prefix}${t.name}`).sort());
    for (const def of TABLES as readonly TableDefinition[]) {
      const table = await describeTable(`${db.prefix}${def.name}`);
      expect(table.TableStatus).toBe("ACTIVE");
      expect(table.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
      expect(keys(table)).toEqual([
        `${def.partitionKey.name}:HASH`,
        ...(def.sortKey ? [`${def.sortKey.name}:RANGE`] : []),
      ]);
      if (def.stream) {
        expect(table.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: def.stream });
        expect(table.LatestStreamArn).toMatch(/\/stream\//);
      } else expect(table.StreamSpecification?.StreamEnabled ?? false).toBe(false);
      const indexes = (table.GlobalSecondaryIndexes ?? []).map((i) => ({
        name: i.IndexName,
        keys: keys(i),
        projection: i.Projection?.ProjectionType,
        include: [...(i.Projection?.NonKeyAttributes ?? [])].sort(),
      }));
      expect(indexes.sort((x, y) => String(x.name).localeCompare(String(y.name)))).toEqual(
        def.indexes
          .map((i) => ({
            name: i.indexName,
            keys: [`${i.partitionKey.name}:HASH`, ...(i.sortKey ? [`${i.sortKey.name}:RANGE`] : [])],
            projection: i.include ? "INCLUDE" : "KEYS_ONLY",
            include: [...(i.include ?? [])].sort(),
          }))
          .sort((x, y) => x.name.localeCompare(y.name)),
      );
    }
  });

  it("is idempotent: existing tables are accepted", async () => {
    await expect(createTables(db.clients.dynamodb, db.prefix)).resolves.toEqual(db.names);
  });

  it("adds the indexes an existing table (kept from an older version) lacks, and keeps its items", async () => {
    const name = `${db.prefix}old-audit-log`;
    const input = createTableInput(AUDIT_LOG, name);
    // the table as an older version created it: same keys, no index
    await db.clients.dynamodb.send(
      new CreateTableCommand({
        ...input,
        GlobalSecondaryIndexes: undefined,
        AttributeDefinitions: input.AttributeDefinitions?.filter((a) => a.AttributeName !== "atMin"),
      }),
    );
    await db.clients.dynamodb.send(
      new PutItemCommand({ TableName: name, Item: { chain: { S: "chain#0" }, seq: { N: "1" } } }),
    );
    await createTable(db.clients.dynamodb, AUDIT_LOG, name);
    const table = await describeTable(name);
    expect((table.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i.IndexStatus, keys(i)])).toEqual([
      ["byTime", "ACTIVE", ["chain:HASH", "atMin:RANGE"]],
    ]);
    const kept = await db.clients.dynamodb.send(
      new GetItemCommand({ TableName: name, Key: { chain: { S: "chain#0" }, seq: { N: "1" } } }),
    );
    expect(kept.Item).toEqual({ chain: { S: "chain#0" }, seq: { N: "1" } });
    // and a second start finds nothing to add
    await createTable(db.clients.dynamodb, AUDIT_LOG, name);
    expect((await describeTable(name)).GlobalSecondaryIndexes).toHaveLength(1);
  });

  it("refuses an existing table whose keys differ", async () => {
    const prefix = `${db.prefix}x-`;
    await db.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: `${prefix}records`,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "other", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "other", KeyType: "HASH" }],
      }),
    );
    try {
      const error = await createTables(db.clients.dynamodb, prefix).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TableSetupError);
      expect(error).toMatchObject({ code: "table_mismatch", tableName: `${prefix}records` });
    } finally {
      await deleteTables(db.clients.dynamodb, prefix);
    }
    await expect(describeTable(`${prefix}records`)).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    await expect(deleteTables(db.clients.dynamodb, prefix)).resolves.toBeUndefined();
  });

  it("turns on TTL where a definition has a ttlAttribute, also when run again", async () => {
    const def: TableDefinition = { ...POLICY_VERSIONS, name: "with-ttl", ttlAttribute: "expiresAt" };
    const name = `${db.prefix}with-ttl`;
    await createTable(db.clients.dynamodb, def, name);
    await createTable(db.clients.dynamodb, def, name);
    const { TimeToLiveDescription } = await db.clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: name }),
    );
    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: "expiresAt" });
  });
});

describe("createTableInput", () => {
  it("is the CreateTable request of a definition", () => {
    expect(createTableInput(RECORDS, "p-records")).toEqual({
      TableName: "p-records",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    });
    expect(createTableInput(RECORD_REVISIONS, "p-record-revisions")).toEqual({
      TableName: "p-record-revisions",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "rev", AttributeType: "N" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "rev", KeyType: "RANGE" },
      ],
    });
    expect(createTableInput(RECORD_HEADS, "h").GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual([
      "byNextCheck",
      "byReceived",
    ]);
    expect(createTableInput(VIOLATIONS, "v").GlobalSecondaryIndexes?.[0]?.Projection).toEqual({
      ProjectionType: "INCLUDE",
      NonKeyAttributes: [...(VIOLATIONS.indexes[0].include ?? [])],
    });
    for (const def of TABLES) {
      const input = createTableInput(def, def.name);
      // every key attribute is defined exactly once (DynamoDB rejects duplicates and unused ones)
      const names = input.AttributeDefinitions?.map((a) => a.AttributeName) ?? [];
      expect(new Set(names).size).toBe(names.length);
      expect(input.GlobalSecondaryIndexes === undefined).toBe(def.indexes.length === 0);
    }
  });
});
