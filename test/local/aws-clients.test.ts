/**
 * The clients every process builds: no SDK logger middleware (it redacts a copy of every input and
 * output for a logger we never set), and they still talk to DynamoDB Local.
 */
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { createClients } from "../../functions/local/aws-clients.ts";
import { createTableClients } from "../../functions/store/clients.ts";
import { useTables } from "../support/dynamodb.ts";

const db = useTables();

describe("AWS clients", () => {
  it("carry no logger middleware, where a plain SDK client has one", async () => {
    const plain = createTableClients(db.endpoint);
    const names = (stack: { identify(): string[] }) => stack.identify().map((s) => s.split(" - ")[0]);
    const clients = createClients(db.endpoint);
    for (const stack of [clients.dynamodb, clients.doc, clients.streams, plain.doc].map(
      (c) => c.middlewareStack,
    ))
      expect(names(stack)).not.toContain("loggerMiddleware");
    // the middleware exists to be removed: a client built without our helper has it
    const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
    expect(names(new DynamoDBClient({ region: "local" }).middlewareStack)).toContain("loggerMiddleware");
    const out = await clients.dynamodb.send(new ListTablesCommand({}));
    expect(out.TableNames).toEqual(expect.any(Array));
  });
});
