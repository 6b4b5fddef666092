/** The tables of tables.ts, as DynamoDB Local actually creates them. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
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
  POLICY_VERSIONS,
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
    expect(db.names).toEqual({
      records: `${db.prefix}records`,
      violations: `${db.prefix}violations`,
      policyVersions: `${db.prefix}policy-versions`,
    });

    const records = await describeTable(db.names.records);
    expect(records.TableStatus).toBe("ACTIVE");
    expect(records.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    expect(keys(records)).toEqual(["pk:HASH", "rev:RANGE"]);
    expect(records.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_IMAGE" });
    expect(records.LatestStreamArn).toMatch(/\/stream\//);
    expect(records.GlobalSecondaryIndexes?.map((i) => [i.IndexName, keys(i), i.Projection])).toEqual([
      ["byNextCheck", ["dueShard:HASH", "nextCheckAt:RANGE"], { ProjectionType: "KEYS_ONLY" }],
    ]);
    expect(
      new Set(records.AttributeDefinitions?.map((a) => `${a.AttributeName}:${a.AttributeType}`)),
    ).toEqual(new Set(["pk:S", "rev:N", "dueShard:S", "nextCheckAt:S"]));

    const violations = await describeTable(db.names.violations);
    expect(keys(violations)).toEqual(["id:HASH"]);
    expect(violations.StreamSpecification).toMatchObject({
      StreamEnabled: true,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    });
    const [byStatus, ...others] = violations.GlobalSecondaryIndexes ?? [];
    expect(others).toEqual([]);
    expect(byStatus?.IndexName).toBe("byStatus");
    expect(keys(byStatus ?? {})).toEqual(["statusShard:HASH", "detectedAt:RANGE"]);
    expect(byStatus?.Projection?.ProjectionType).toBe("INCLUDE");
    expect([...(byStatus?.Projection?.NonKeyAttributes ?? [])].sort()).toEqual(
      [...(VIOLATIONS.indexes[0].include ?? [])].sort(),
    );

    const versions = await describeTable(db.names.policyVersions);
    expect(keys(versions)).toEqual(["policyId:HASH", "version:RANGE"]);
    expect(versions.GlobalSecondaryIndexes ?? []).toEqual([]);
  });

  it("is idempotent: existing tables are accepted", async () => {
    await expect(createTables(db.clients.dynamodb, db.prefix)).resolves.toEqual(db.names);
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
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "rev", AttributeType: "N" },
        { AttributeName: "dueShard", AttributeType: "S" },
        { AttributeName: "nextCheckAt", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "rev", KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "byNextCheck",
          KeySchema: [
            { AttributeName: "dueShard", KeyType: "HASH" },
            { AttributeName: "nextCheckAt", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "KEYS_ONLY" },
        },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    });
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
