/**
 * The parts of every handler's runtime that need no table — credentials, the compiled policy set,
 * the logger, the cursor key — and the runtime of the functions that read only the compiled
 * policies (evaluate: the dry run and the rule reference), built on them alone, so their bundle
 * carries no DynamoDB client. runtime.ts builds the full Runtime (with the stores) on the same
 * parts. What the environment says is listed in runtime.ts.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { PolicySet } from "../core/policy/model.ts";
import { type Credentials, credentialsFromEnv, type SignInFromEnv } from "../http/credentials.ts";
import { type CompileRules, createPolicyPlatform, type PolicyPlatform } from "../service/policy-platform.ts";
import type { DevIssuer } from "./dev-issuer.ts";
import { logger } from "./logger.ts";
import { onFirstUse } from "./on-first-use.ts";
import { loadPolicySetForProcess } from "./policy-set.ts";
import { secretFromEnv, webhookSecretsFrom } from "./secrets.ts";

/** Everything a handler needs, around the platform its function is built on. */
export interface RuntimeOf<P extends PolicyPlatform> {
  readonly platform: P;
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

/** The runtime of a function that reads only the compiled policies: no store. */
export type PolicyRuntime = RuntimeOf<PolicyPlatform>;

/** A handler's way to get its runtime: a fixed one (tests, `npm start`) or the environment's (Lambda). */
export type RuntimeSourceOf<R> = () => R | Promise<R>;

export class ConfigurationError extends Error {
  readonly code = "configuration_error";
}

/**
 * What a function adds to its runtime beyond the environment, each only where it is needed so the
 * other bundles stay without it (the handler is where its function says what it carries):
 */
export interface RuntimeOptions {
  /** the functions that check sign-in tokens: the verifier (sign-in-runtime.ts; jose) */
  readonly signIn?: SignInFromEnv;
  /** the functions that evaluate: the rule engine (core/engine/evaluate.ts createEvaluator) */
  readonly compile?: CompileRules;
  /**
   * the functions that take signed records (ingest, evaluate): the record types, against which
   * COMPLIANCE_INGEST_RECORD_TYPES is checked (schemas/record.ts: the other bundles need no zod)
   */
  readonly recordTypes?: readonly string[];
}

/** A runtime from the environment, with the platform `platformOf` builds on the policy set. */
export async function buildRuntime<P extends PolicyPlatform>(
  env: NodeJS.ProcessEnv,
  options: RuntimeOptions,
  platformOf: (set: PolicySet) => P,
): Promise<RuntimeOf<P>> {
  const credentials = credentialsFromEnv(env, options.signIn, options.recordTypes);
  const secretsArn = env.COMPLIANCE_WEBHOOK_SECRETS_ARN;
  return {
    platform: platformOf(await loadPolicySetForProcess()),
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

let policyRuntime: ((env: NodeJS.ProcessEnv, options: RuntimeOptions) => Promise<PolicyRuntime>) | undefined;

/** The process's policy runtime, built on first use (with the first call's options). */
export function policyRuntimeFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: RuntimeOptions = {},
): Promise<PolicyRuntime> {
  policyRuntime ??= onFirstUse((e: NodeJS.ProcessEnv, o: RuntimeOptions) =>
    buildRuntime(e, o, (set) => createPolicyPlatform({ set, ...(o.compile ? { compile: o.compile } : {}) })),
  );
  return policyRuntime(env, options);
}
