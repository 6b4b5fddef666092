/**
 * Tables shaped like `records` (stream on), one per test, for the stream readers' tests: created on
 * the shared DynamoDB Local, deleted after the file; items `item#001`, `item#002`, … written in order.
 */
import { DeleteTableCommand, DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll } from "vitest";
import { createTable } from "../../functions/store/create-tables.ts";
import { RECORDS } from "../../functions/store/tables.ts";
import type { TestTables } from "./dynamodb.ts";

/** The key of item `i`: ordered as the numbers are. */
export const pk = (i: number) => `item#${String(i).padStart(3, "0")}`;

export function streamTables(db: TestTables, tag: string) {
  const tables: string[] = [];
  afterAll(async () => {
    await Promise.all(
      tables.map((TableName) => db.clients.dynamodb.send(new DeleteTableCommand({ TableName }))),
    );
  });
  return {
    /** A fresh table with a NEW_IMAGE stream: its name and stream ARN. */
    async create(): Promise<{ name: string; streamArn: string }> {
      const name = `${db.prefix}${tag}-${tables.length + 1}`;
      tables.push(name);
      await createTable(db.clients.dynamodb, RECORDS, name);
      const { Table } = await db.clients.dynamodb.send(new DescribeTableCommand({ TableName: name }));
      return { name, streamArn: Table?.LatestStreamArn ?? "" };
    },
    /** Writes items from..to one after the other (awaited), so stream order is item order. */
    async put(table: string, from: number, to: number): Promise<void> {
      for (let i = from; i <= to; i++)
        await db.clients.doc.send(new PutCommand({ TableName: table, Item: { pk: pk(i), rev: 1, n: i } }));
    },
  };
}
