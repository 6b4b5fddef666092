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

export function createTableClients(endpoint?: string): TableClients {
  const dynamodb = new DynamoDBClient(clientConfig(endpoint));
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
