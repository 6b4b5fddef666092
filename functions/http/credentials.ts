/**
 * Who may call what. Ingest clients sign with a per-client secret; auditors and case handlers
 * present bearer tokens locally, or come through API Gateway's IAM authorizer on AWS.
 * Secrets are read once per process (a Lambda container) and never logged.
 */

export interface Credentials {
  /** client id → HMAC secret */
  webhookSecrets(): Promise<ReadonlyMap<string, string>>;
  /** Local bearer tokens; on AWS (mode "iam") the IAM authorizer has already decided. */
  readonly mode: "bearer" | "iam";
  readonly auditorToken?: string;
  readonly caseHandlerToken?: string;
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

/** Credentials from the environment (the local runtime sets its fallbacks before this runs). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials {
  const secrets = parseSecrets(env.COMPLIANCE_WEBHOOK_SECRETS ?? "");
  return {
    mode: env.COMPLIANCE_AUTH_MODE === "iam" ? "iam" : "bearer",
    auditorToken: env.COMPLIANCE_AUDITOR_TOKEN || undefined,
    caseHandlerToken: env.COMPLIANCE_CASE_HANDLER_TOKEN || undefined,
    webhookSecrets: async () => secrets,
  };
}
