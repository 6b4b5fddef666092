/**
 * DynamoDB for one test file: its own tables, under a random prefix, in the run's shared DynamoDB
 * (see global-setup.ts). Files run in parallel without seeing each other's data.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import { type AwsClients, createClients } from "../../functions/local/aws-clients.ts";
import { createTables, deleteTables } from "../../functions/store/create-tables.ts";
import { type TableNames, tableNames } from "../../functions/store/tables.ts";

export interface TestTables {
  readonly endpoint: string;
  /** `t<8 hex>-`: unique per file (and a valid table-name start). */
  readonly prefix: string;
  readonly names: TableNames;
  readonly clients: AwsClients;
}

export class DynamoDbUnavailableError extends Error {
  readonly code = "dynamodb_unavailable";
  constructor(reason: string) {
    super(reason);
    this.name = "DynamoDbUnavailableError";
  }
}

/**
 * Call at the top of a test file. Everything it returns is usable at once; the tables exist from
 * the first `beforeAll` on (this one is registered first, so it runs before the file's own hooks)
 * and are deleted after the file's own `afterAll` hooks (after-hooks run in reverse order).
 */
export function useTables(): TestTables {
  const endpoint = inject("dynamodbEndpoint");
  // no DynamoDB for this run: fail this file with the reason (one line), not with connection errors
  if (endpoint === null)
    throw new DynamoDbUnavailableError(inject("dynamodbUnavailable") ?? "no DynamoDB endpoint");
  const prefix = `t${randomBytes(4).toString("hex")}-`;
  const clients = createClients(endpoint);
  beforeAll(async () => {
    await createTables(clients.dynamodb, prefix);
  });
  afterAll(async () => {
    try {
      await deleteTables(clients.dynamodb, prefix);
    } finally {
      clients.streams.destroy();
      clients.dynamodb.destroy();
    }
  });
  return { endpoint, prefix, names: tableNames(prefix), clients };
}

/**
 * Clients on `endpoint` whose document client notes the name of every command it sends (in
 * order, `sent`): for tests that count what a store asks DynamoDB for.
 */
export function countingClients(endpoint: string): ReturnType<typeof createClients> & { sent: string[] } {
  const clients = createClients(endpoint);
  const sent: string[] = [];
  clients.doc.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? "");
      return next(args);
    },
    { step: "initialize", name: "countCommands" },
  );
  return { ...clients, sent };
}
