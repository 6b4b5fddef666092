/**
 * Everything a handler needs, built once per process (a Lambda container, or `npm start`) from
 * the environment:
 *   COMPLIANCE_DYNAMODB_ENDPOINT  DynamoDB to use (DynamoDB Local); unset on AWS
 *   COMPLIANCE_TABLE_PREFIX       physical table names are `${prefix}records` …
 *   COMPLIANCE_POLICIES_DIR       policies folder (default ./policies)
 *   COMPLIANCE_CURSOR_KEY         key that signs pagination cursors
 *   COMPLIANCE_WEBHOOK_SECRETS, COMPLIANCE_AUDITOR_TOKEN, COMPLIANCE_CASE_HANDLER_TOKEN, COMPLIANCE_AUTH_MODE
 * Tests build a Runtime directly with their own tables.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { formatDiagnostic } from "../core/diagnostics.ts";
import { loadPolicies } from "../core/policy/loader.ts";
import type { PolicySet } from "../core/policy/model.ts";
import { type Credentials, credentialsFromEnv } from "../http/credentials.ts";
import { createClients } from "../local/aws-clients.ts";
import { policiesDir, readPolicyFiles } from "../local/policy-files.ts";
import { createPlatform, type Platform } from "../service/platform.ts";
import { tableNames } from "../store/tables.ts";

export interface Runtime {
  readonly platform: Platform;
  readonly credentials: Credentials;
  readonly logger: Logger;
  /** Signs pagination cursors. */
  readonly cursorKey: string;
}

export class ConfigurationError extends Error {
  readonly code = "configuration_error";
}

export function loadPolicySet(dir = policiesDir()): PolicySet {
  const result = loadPolicies(readPolicyFiles(dir));
  if (!result.ok)
    throw new ConfigurationError(
      `policies in ${dir} are invalid:\n${result.diagnostics.map(formatDiagnostic).join("\n")}`,
    );
  return result.set;
}

export const logger = new Logger({ serviceName: "compliance" });

let cached: Runtime | undefined;

export function runtimeFromEnv(env: NodeJS.ProcessEnv = process.env): Runtime {
  if (cached) return cached;
  const cursorKey = env.COMPLIANCE_CURSOR_KEY;
  if (!cursorKey) throw new ConfigurationError("COMPLIANCE_CURSOR_KEY is not set");
  const { doc } = createClients(env.COMPLIANCE_DYNAMODB_ENDPOINT);
  cached = {
    platform: createPlatform({
      set: loadPolicySet(),
      doc,
      tables: tableNames(env.COMPLIANCE_TABLE_PREFIX ?? ""),
    }),
    credentials: credentialsFromEnv(env),
    logger,
    cursorKey,
  };
  return cached;
}

/** A handler's way to get its runtime: a fixed one (tests) or the environment's (deployments). */
export type RuntimeSource = () => Runtime;
export const fromEnv: RuntimeSource = () => runtimeFromEnv();
