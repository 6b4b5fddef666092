/**
 * Vitest global setup: ONE DynamoDB Local for the whole run (Java takes seconds to start; every
 * test file shares it, each under its own table prefix, see `useTables()`), or the DynamoDB named by
 * COMPLIANCE_DYNAMODB_ENDPOINT. If it cannot start (no Java), the run still goes on: test files
 * that need DynamoDB fail with the one-line fix, the others are unaffected.
 */
import type { TestProject } from "vitest/node";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../functions/local/dynamodb-local.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the tests' DynamoDB answers; null when it could not be started (see `dynamodbUnavailable`). */
    dynamodbEndpoint: string | null;
    /** Why there is no DynamoDB for this run (one line), or null. */
    dynamodbUnavailable: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.COMPLIANCE_DYNAMODB_ENDPOINT;
  if (given !== undefined && given !== "") {
    project.provide("dynamodbEndpoint", given);
    project.provide("dynamodbUnavailable", null);
    return async () => {};
  }
  let local: DynamoDbLocal | undefined;
  try {
    local = await startDynamoDbLocal({});
    project.provide("dynamodbEndpoint", local.endpoint);
    project.provide("dynamodbUnavailable", null);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`DynamoDB tests cannot run: ${message}`);
    project.provide("dynamodbEndpoint", null);
    project.provide("dynamodbUnavailable", message);
  }
  return async () => {
    await local?.stop();
  };
}
