/**
 * Everything a handler needs, built once per process (a Lambda container, or `npm start`) from
 * the environment:
 *   COMPLIANCE_DYNAMODB_ENDPOINT   DynamoDB to use (DynamoDB Local); unset on AWS
 *   COMPLIANCE_RECORDS_TABLE, COMPLIANCE_VIOLATIONS_TABLE, COMPLIANCE_POLICY_VERSIONS_TABLE
 *                                  physical table names (AWS); else COMPLIANCE_TABLE_PREFIX + logical name
 *   COMPLIANCE_WEBHOOK_SECRETS_ARN / COMPLIANCE_WEBHOOK_SECRETS   ingest secrets (Secrets Manager / env)
 *   COMPLIANCE_CURSOR_KEY_ARN / COMPLIANCE_CURSOR_KEY             key that signs pagination cursors
 *   COMPLIANCE_AUDITOR_TOKEN (the machine reader), COMPLIANCE_OIDC_ISSUER / _AUDIENCES / _JWKS_URL (sign-in)
 *   COMPLIANCE_POLICIES_DIR        policies folder (local; Lambda bundles carry the compiled set)
 * Tests build a Runtime directly with their own tables.
 */

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createPlatform, maxWaiverDaysFromEnv, type Platform } from "../service/platform.ts";
import { createTableClients } from "../store/clients.ts";
import { dynamoDbStorage } from "../store/dynamodb-storage.ts";
import { type TableNames, tablesFromEnv } from "../store/tables.ts";
import { logger } from "./logger.ts";
import { onFirstUse } from "./on-first-use.ts";
import { buildRuntime, type RuntimeOf, type RuntimeOptions, type RuntimeSourceOf } from "./policy-runtime.ts";

/** The runtime of every function with tables: the platform with its stores. */
export type Runtime = RuntimeOf<Platform> & {
  /**
   * The DynamoDB client and table names the platform's repositories are built on: for what
   * composes its own stores beside them (the audit trail) and tells the tables apart (stream consumers).
   */
  readonly dynamodb: { readonly doc: DynamoDBDocumentClient; readonly tables: TableNames };
};

export { ConfigurationError } from "./policy-runtime.ts";

// tablesFromEnv lives with the tables, so a bundle that needs only table names (the notifier's)
// does not import the whole runtime
export { logger, tablesFromEnv };

let runtime: ((env: NodeJS.ProcessEnv, options: RuntimeOptions) => Promise<Runtime>) | undefined;

/**
 * The process's runtime, built on first use (with the first call's options: policy-runtime.ts
 * RuntimeOptions); a failed build is retried on the next call.
 */
export function runtimeFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  runtime ??= onFirstUse(async (e: NodeJS.ProcessEnv, o: RuntimeOptions): Promise<Runtime> => {
    const dynamodb = {
      doc: createTableClients(e.COMPLIANCE_DYNAMODB_ENDPOINT).doc,
      tables: tablesFromEnv(e),
    };
    const built = await buildRuntime(e, o, (set) =>
      createPlatform({
        set,
        storage: dynamoDbStorage(dynamodb.doc, dynamodb.tables),
        maxWaiverDays: maxWaiverDaysFromEnv(e),
        ...(o.compile ? { compile: o.compile } : {}),
      }),
    );
    return { ...built, dynamodb };
  });
  return runtime(env, options);
}

/** A handler's way to get its runtime: a fixed one (tests, `npm start`) or the environment's (Lambda). */
export type RuntimeSource<R = Runtime> = RuntimeSourceOf<R>;
export const fromEnv: RuntimeSource = () => runtimeFromEnv();
