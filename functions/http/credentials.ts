/**
 * Who may call what. Ingest clients sign with a per-client secret; auditors and case handlers
 * present bearer tokens locally, or come through API Gateway's IAM authorizer on AWS.
 * Secrets are read once per process (a Lambda container) and never logged.
 */
import { RECORD_TYPES } from "../../schemas/record.ts";

export interface Credentials {
  /** client id → HMAC secret */
  webhookSecrets(): Promise<ReadonlyMap<string, string>>;
  /** Local bearer tokens; on AWS (mode "iam") the IAM authorizer has already decided. */
  readonly mode: "bearer" | "iam";
  readonly auditorToken?: string;
  readonly caseHandlerToken?: string;
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

/** Credentials from the environment (the local runtime sets its fallbacks before this runs). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials {
  const secrets = parseSecrets(env.COMPLIANCE_WEBHOOK_SECRETS ?? "");
  return {
    mode: env.COMPLIANCE_AUTH_MODE === "iam" ? "iam" : "bearer",
    auditorToken: env.COMPLIANCE_AUDITOR_TOKEN || undefined,
    caseHandlerToken: env.COMPLIANCE_CASE_HANDLER_TOKEN || undefined,
    requireSignatureV2: /^(1|true|yes)$/i.test(env.COMPLIANCE_REQUIRE_SIGNATURE_V2 ?? ""),
    recordTypes: parseRecordTypes(env.COMPLIANCE_INGEST_RECORD_TYPES ?? "", RECORD_TYPES),
    webhookSecrets: async () => secrets,
  };
}
