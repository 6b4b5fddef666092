/**
 * The DynamoDB clients every process uses, built one way: against a local endpoint (DynamoDB
 * Local: tests, `npm start`) or against AWS itself (Lambda, when no endpoint is given). Lambda
 * bundles import only this; the streams client lives with the local runtime.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface TableClients {
  readonly dynamodb: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
}

/**
 * With an endpoint: region "local" and fixed dummy credentials, so the SDK never reads ~/.aws,
 * environment keys or instance metadata (a developer's real AWS profile must not leak into local
 * runs, and a machine without one must not fail). DynamoDB Local runs with `-sharedDb`, so the key
 * and region do not select a database. Without an endpoint: the SDK's defaults (the Lambda role and
 * region).
 */
export function clientConfig(endpoint?: string): DynamoDBClientConfig {
  return endpoint === undefined
    ? {}
    : { endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
}

/**
 * Removes the SDK's logger middleware from a client. We never give the SDK a logger (Powertools
 * logs what matters), yet the middleware still builds a redacted copy of every command's input
 * and output for the default no-op logger — its `logger?.info?.(…)` evaluates the arguments
 * because NoOpLogger has an `info` method. Profiled under ingest load (@aws-sdk/core 3.9x):
 * ~3 % of the event loop in `schemaLogFilter`, plus the garbage it leaves.
 */
export function withoutSdkLogging<T extends { middlewareStack: { remove(name: string): boolean } }>(
  client: T,
): T {
  client.middlewareStack.remove("loggerMiddleware");
  return client;
}

export function createTableClients(endpoint?: string): TableClients {
  const dynamodb = withoutSdkLogging(new DynamoDBClient(clientConfig(endpoint)));
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: {
      // optional fields of our records are simply absent, not an error
      removeUndefinedValues: true,
      // class instances (Date, Big) must be converted by our code on purpose, never silently mapped
      convertClassInstanceToMap: false,
    },
  });
  return { dynamodb, doc };
}
