/**
 * The three AWS clients the platform uses, built one way for every entry point: against a local
 * endpoint (DynamoDB Local, tests, `npm start`) or against AWS itself (Lambda, when no endpoint is given).
 */
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly streams: DynamoDBStreamsClient;
}

/**
 * With an endpoint: region "local" and fixed dummy credentials, so the SDK never reads
 * ~/.aws, environment keys or instance metadata (a developer's real AWS profile must not leak into
 * local runs, and a machine without one must not fail). DynamoDB Local runs with `-sharedDb`, so
 * the key and region do not select a database. Without an endpoint: the SDK's defaults (the
 * Lambda role and region).
 */
export function createClients(endpoint?: string): AwsClients {
  const config: DynamoDBClientConfig =
    endpoint === undefined
      ? {}
      : {
          endpoint,
          region: "local",
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        };
  const dynamodb = new DynamoDBClient(config);
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: {
      // optional fields of our records are simply absent, not an error
      removeUndefinedValues: true,
      // class instances (Date, Big) must be converted by our code on purpose, never silently mapped
      convertClassInstanceToMap: false,
    },
  });
  // DynamoDB Local serves the streams API on the same port as the tables API
  const streams = new DynamoDBStreamsClient(config);
  return { dynamodb, doc, streams };
}
