/**
 * The AWS clients of the local runtime and the tests: the table clients every process uses plus
 * the DynamoDB Streams client that stands in for Lambda's event source mapping.
 */
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { clientConfig, createTableClients, type TableClients, withoutSdkLogging } from "../store/clients.ts";

export interface AwsClients extends TableClients {
  readonly streams: DynamoDBStreamsClient;
}

export function createClients(endpoint?: string): AwsClients {
  // DynamoDB Local serves the streams API on the same port as the tables API
  return {
    ...createTableClients(endpoint),
    streams: withoutSdkLogging(new DynamoDBStreamsClient(clientConfig(endpoint))),
  };
}
