/**
 * Who may call what. Ingest clients sign with a per-client secret; people present a sign-in JWT
 * (verified against the configured issuer); the machine reader a static bearer token locally, or
 * a client-credentials access token. Secrets are read once per process and never logged.
 */

import type { TokenVerifier } from "./oidc.ts";

export interface Credentials {
  /** client id → HMAC secret */
  webhookSecrets(): Promise<ReadonlyMap<string, string>>;
  /** The machine reader's static bearer token (COMPLIANCE_AUDITOR_TOKEN); unset on AWS. */
  readonly readerToken?: string;
  /** Verifies sign-in JWTs; unset when no issuer is configured (then only the static token reads). */
  readonly verifyToken?: TokenVerifier;
  /**
   * Record types an ingest client may send (COMPLIANCE_INGEST_RECORD_TYPES); a client not listed
   * may send every type.
   */
  readonly recordTypes?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Refuse `v1=` ingest signatures, which cover the body only (COMPLIANCE_REQUIRE_SIGNATURE_V2=true). */
  readonly requireSignatureV2?: boolean;
}

export class CredentialsError extends Error {
  readonly code = "invalid_credentials_config";
}

/** `client=secret,client2=secret2` */
export function parseSecrets(text: string): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const part of text.split(",")) {
    if (part.trim() === "") continue;
    const at = part.indexOf("=");
    const client = part.slice(0, at).trim();
    const secret = part.slice(at + 1).trim();
    if (at <= 0 || client === "" || secret === "")
      throw new CredentialsError("COMPLIANCE_WEBHOOK_SECRETS must look like client=secret,client2=secret2");
    secrets.set(client, secret);
  }
  return secrets;
}

/**
 * `client=type|type,client2=type` (e.g. `erp=expense|contract,crm=quote|complaint`): which record
 * types each listed ingest client may send. Types are checked against `known`.
 */
export function parseRecordTypes(text: string, known: readonly string[]): Map<string, Set<string>> {
  const limits = new Map<string, Set<string>>();
  for (const part of text.split(",")) {
    if (part.trim() === "") continue;
    const at = part.indexOf("=");
    const client = part.slice(0, at).trim();
    const types = part
      .slice(at + 1)
      .split("|")
      .map((t) => t.trim())
      .filter((t) => t !== "");
    const unknown = types.filter((t) => !known.includes(t));
    if (at <= 0 || client === "" || types.length === 0 || unknown.length > 0)
      throw new CredentialsError(
        `COMPLIANCE_INGEST_RECORD_TYPES must look like erp=expense|contract,crm=quote (types: ${known.join(", ")})${
          unknown.length ? `; unknown: ${unknown.join(", ")}` : ""
        }`,
      );
    limits.set(client, new Set(types));
  }
  return limits;
}

/** The sign-in verifier of an environment (http/sign-in-env.ts's verifierFromEnv). */
export type SignInFromEnv = (env: NodeJS.ProcessEnv) => TokenVerifier | undefined;

/**
 * Credentials from the environment (the local runtime sets its fallbacks before this runs).
 * `signIn` is given by the functions that check sign-in tokens (runtime/sign-in-runtime.ts), so
 * the others' bundles carry no JWT library; `recordTypes` by the functions that take signed
 * records (ingest, evaluate), so the others' bundles build no record schema. A variable set for a
 * function that cannot use it (an issuer without the verifier, record type limits without the
 * types) is a configuration error, never silently ignored.
 */
export function credentialsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  signIn?: SignInFromEnv,
  recordTypes?: readonly string[],
): Credentials {
  const secrets = parseSecrets(env.COMPLIANCE_WEBHOOK_SECRETS ?? "");
  if (!signIn && env.COMPLIANCE_OIDC_ISSUER?.trim())
    throw new CredentialsError(
      "COMPLIANCE_OIDC_ISSUER is set for a function that checks no sign-in tokens (its handler must build its runtime with runtime/sign-in-runtime.ts)",
    );
  const limits = env.COMPLIANCE_INGEST_RECORD_TYPES ?? "";
  if (!recordTypes && limits.trim())
    throw new CredentialsError(
      "COMPLIANCE_INGEST_RECORD_TYPES is set for a function that takes no records (only ingest and evaluate read it: their handlers build the runtime with the record types)",
    );
  const verifyToken = signIn?.(env);
  return {
    readerToken: env.COMPLIANCE_AUDITOR_TOKEN || undefined,
    ...(verifyToken ? { verifyToken } : {}),
    requireSignatureV2: /^(1|true|yes)$/i.test(env.COMPLIANCE_REQUIRE_SIGNATURE_V2 ?? ""),
    ...(recordTypes ? { recordTypes: parseRecordTypes(limits, recordTypes) } : {}),
    webhookSecrets: async () => secrets,
  };
}
