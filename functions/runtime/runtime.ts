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

import type { Logger } from "@aws-lambda-powertools/logger";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type Credentials, credentialsFromEnv, type SignInFromEnv } from "../http/credentials.ts";
import { createPlatform, maxWaiverDaysFromEnv, type Platform } from "../service/platform.ts";
import { createTableClients } from "../store/clients.ts";
import { dynamoDbStorage } from "../store/dynamodb-storage.ts";
import { type TableNames, tablesFromEnv } from "../store/tables.ts";
import type { DevIssuer } from "./dev-issuer.ts";
import { logger } from "./logger.ts";
import { loadPolicySetForProcess } from "./policy-set.ts";
import { secretFromEnv, webhookSecretsFrom } from "./secrets.ts";

export interface Runtime {
  readonly platform: Platform;
  /**
   * The DynamoDB client and table names the platform's repositories are built on: for what
   * composes its own stores beside them (the audit trail) and tells the tables apart (stream consumers).
   */
  readonly dynamodb: { readonly doc: DynamoDBDocumentClient; readonly tables: TableNames };
  readonly credentials: Credentials;
  readonly logger: Logger;
  /** The key that signs pagination cursors (read on first use: only the auditor needs it). */
  readonly cursorKey: () => Promise<string>;
  /** `npm start`'s development OpenID issuer (CONTRACT §6); Lambda has none. */
  readonly devIssuer?: DevIssuer;
  /**
   * Whether each dependency answers, for GET /health (the local runtime checks DynamoDB; on AWS the
   * health function has no runtime and checks nothing).
   */
  readonly readiness?: () => Promise<Record<string, "ok" | "unavailable">>;
}

export class ConfigurationError extends Error {
  readonly code = "configuration_error";
}

// tablesFromEnv lives with the tables, so a bundle that needs only table names (the notifier's)
// does not import the whole runtime
export { logger, tablesFromEnv };

async function build(env: NodeJS.ProcessEnv, signIn?: SignInFromEnv): Promise<Runtime> {
  const credentials = credentialsFromEnv(env, signIn);
  const secretsArn = env.COMPLIANCE_WEBHOOK_SECRETS_ARN;
  const { doc } = createTableClients(env.COMPLIANCE_DYNAMODB_ENDPOINT);
  const tables = tablesFromEnv(env);
  return {
    platform: createPlatform({
      set: await loadPolicySetForProcess(),
      storage: dynamoDbStorage(doc, tables),
      maxWaiverDays: maxWaiverDaysFromEnv(env),
    }),
    dynamodb: { doc, tables },
    credentials: secretsArn
      ? { ...credentials, webhookSecrets: () => webhookSecretsFrom(secretsArn) }
      : credentials,
    logger,
    cursorKey: async () => {
      const key = await secretFromEnv(env, "COMPLIANCE_CURSOR_KEY");
      if (!key) throw new ConfigurationError("set COMPLIANCE_CURSOR_KEY_ARN or COMPLIANCE_CURSOR_KEY");
      return key;
    },
  };
}

let cached: Promise<Runtime> | undefined;

/**
 * The process's runtime, built on first use; a failed build is retried on the next call.
 * `signIn`: the functions that check sign-in tokens pass theirs (sign-in-runtime.ts).
 */
export function runtimeFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  signIn?: SignInFromEnv,
): Promise<Runtime> {
  cached ??= build(env, signIn).catch((error) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

/** A handler's way to get its runtime: a fixed one (tests, `npm start`) or the environment's (Lambda). */
export type RuntimeSource = () => Runtime | Promise<Runtime>;
export const fromEnv: RuntimeSource = () => runtimeFromEnv();
