/**
 * The audit trail's dependencies for a handler's Runtime: its own tables, the source tables (for
 * verify's completeness), the digest signing key and the digest anchor.
 *   COMPLIANCE_AUDIT_LOG_TABLE, COMPLIANCE_AUDIT_DIGESTS_TABLE   physical names (AWS); else
 *                                  COMPLIANCE_TABLE_PREFIX + logical name (handlers/runtime.ts)
 *   COMPLIANCE_AUDIT_KEY_ARN / COMPLIANCE_AUDIT_KEY              digest signing key (Secrets Manager / env)
 *   COMPLIANCE_AUDIT_BUCKET        the Object Lock bucket digests are anchored in (AWS)
 *   COMPLIANCE_AUDIT_ANCHOR_DIR    a folder for the digest file instead (local tools)
 *   COMPLIANCE_DIGEST_INTERVAL_S   the digester's interval (300)
 * The local runtime and tests attach theirs with `attachAudit` (the local runtime alone falls back
 * to a development key, and says so). Only `auditWithAnchorOf` (digester, verify) loads the S3
 * client, so the stream consumer's bundle stays without it.
 */
import { readSecret } from "../http/secrets.ts";
import type { AuditDeps } from "../service/audit.ts";
import { type DigestAnchor, fileAnchor } from "../store/audit-anchor.ts";
import { AuditLogStore } from "../store/audit-log.ts";
import { auditSources } from "../store/audit-sources.ts";
import { ConfigurationError, type Runtime, tablesFromEnv } from "./runtime.ts";

const attached = new WeakMap<Runtime, AuditDeps>();

export function attachAudit(rt: Runtime, deps: AuditDeps): AuditDeps {
  attached.set(rt, deps);
  return deps;
}

/** The key that signs digests, from the environment (read on first use, cached by readSecret). */
export function auditKeyFromEnv(env: NodeJS.ProcessEnv = process.env): () => Promise<string> {
  return async () => {
    const arn = env.COMPLIANCE_AUDIT_KEY_ARN;
    const key = arn ? await readSecret(arn) : env.COMPLIANCE_AUDIT_KEY;
    if (!key) throw new ConfigurationError("set COMPLIANCE_AUDIT_KEY_ARN or COMPLIANCE_AUDIT_KEY");
    return key;
  };
}

export function digestEveryMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.COMPLIANCE_DIGEST_INTERVAL_S ?? 300) * 1000;
}

/** The audit dependencies of a runtime: attached ones, else built from the environment (Lambda). */
export function auditOf(rt: Runtime, env: NodeJS.ProcessEnv = process.env): AuditDeps {
  let deps = attached.get(rt);
  if (!deps) {
    const tables = tablesFromEnv(env);
    deps = {
      store: new AuditLogStore(rt.platform.records.doc, tables),
      key: auditKeyFromEnv(env),
      now: rt.platform.now,
      sources: auditSources(rt.platform.records.doc, tables),
      digestEveryMs: digestEveryMsFromEnv(env),
    };
    attached.set(rt, deps);
  }
  return deps;
}

/** The anchor the environment names: the Object Lock bucket (AWS) or a folder (local tools). */
export async function anchorFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<DigestAnchor | undefined> {
  if (env.COMPLIANCE_AUDIT_BUCKET) {
    const [{ S3Client }, { s3Anchor }] = await Promise.all([
      import("@aws-sdk/client-s3"),
      import("../store/audit-anchor-s3.ts"),
    ]);
    return s3Anchor(new S3Client({}), env.COMPLIANCE_AUDIT_BUCKET);
  }
  if (env.COMPLIANCE_AUDIT_ANCHOR_DIR) return fileAnchor(env.COMPLIANCE_AUDIT_ANCHOR_DIR);
  return undefined;
}

/** auditOf, with the anchor (digester and verify): an attached one, else the environment's. */
export async function auditWithAnchorOf(
  rt: Runtime,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AuditDeps> {
  const deps = auditOf(rt, env);
  if (deps.anchor) return deps;
  const anchor = await anchorFromEnv(env);
  return anchor ? attachAudit(rt, { ...deps, anchor }) : deps;
}
