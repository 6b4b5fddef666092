/**
 * The audit trail's dependencies for a handler's Runtime: its own tables, the source tables (for
 * verify's completeness), the digest signing key and the digest anchor.
 *   COMPLIANCE_AUDIT_LOG_TABLE, COMPLIANCE_AUDIT_DIGESTS_TABLE   physical names (AWS); else
 *                                  COMPLIANCE_TABLE_PREFIX + logical name (runtime/runtime.ts)
 *   COMPLIANCE_AUDIT_KEY_ARN / COMPLIANCE_AUDIT_KEY              digest signing key (Secrets Manager / env)
 *   COMPLIANCE_AUDIT_BUCKET        the Object Lock bucket digests are anchored in (AWS)
 *   COMPLIANCE_AUDIT_ANCHOR_DIR    a folder for the digest file instead (local tools)
 *   COMPLIANCE_DIGEST_INTERVAL_S   the digester's interval (300)
 * The local runtime and tests attach theirs with `attachAudit` (the local runtime alone falls back
 * to a development key, and says so). The anchor is audit-anchor-runtime.ts's (digester and
 * verify only, so the stream consumer's bundle stays without the S3 client).
 */

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AuditDeps } from "../service/audit.ts";
import { AuditLogStore } from "../store/audit-log.ts";
import { auditSources } from "../store/audit-sources.ts";
import { createTableClients } from "../store/clients.ts";
import type { TableNames } from "../store/tables.ts";
import { ConfigurationError, type Runtime, tablesFromEnv } from "./runtime.ts";
import { secretFromEnv } from "./secrets.ts";

const attached = new WeakMap<Runtime, AuditDeps>();

export function attachAudit(rt: Runtime, deps: AuditDeps): AuditDeps {
  attached.set(rt, deps);
  return deps;
}

/** The key that signs digests, from the environment (read on first use, cached by secrets.ts). */
export function auditKeyFromEnv(env: NodeJS.ProcessEnv = process.env): () => Promise<string> {
  return async () => {
    const key = await secretFromEnv(env, "COMPLIANCE_AUDIT_KEY");
    if (!key) throw new ConfigurationError("set COMPLIANCE_AUDIT_KEY_ARN or COMPLIANCE_AUDIT_KEY");
    return key;
  };
}

export function digestEveryMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.COMPLIANCE_DIGEST_INTERVAL_S ?? 300) * 1000;
}

function auditDepsFromEnv(doc: DynamoDBDocumentClient, now: () => Date, env: NodeJS.ProcessEnv): AuditDeps {
  const tables = tablesFromEnv(env);
  return {
    store: new AuditLogStore(doc, tables),
    key: auditKeyFromEnv(env),
    now,
    sources: auditSources(doc, tables),
    digestEveryMs: digestEveryMsFromEnv(env),
  };
}

/** The audit dependencies of a runtime: attached ones, else built from the environment (Lambda). */
export function auditOf(rt: Runtime, env: NodeJS.ProcessEnv = process.env): AuditDeps {
  let deps = attached.get(rt);
  if (!deps) {
    deps = auditDepsFromEnv(rt.dynamodb.doc, rt.platform.now, env);
    attached.set(rt, deps);
  }
  return deps;
}

/** What the audit trail's stream consumer works with: the trail, and which tables its streams are. */
export interface AuditTrail {
  readonly deps: AuditDeps;
  readonly tables: Pick<TableNames, "records" | "violations">;
}

/** A runtime's audit trail (tests, `npm start`: the attached one). */
export function auditTrailOf(rt: Runtime): AuditTrail {
  return { deps: auditOf(rt), tables: rt.dynamodb.tables };
}

/**
 * The audit trail from the environment alone (the consumer's Lambda): it evaluates nothing and
 * serves no HTTP, so it builds no Runtime and its bundle carries neither policies nor credentials.
 */
export function auditTrailFromEnv(env: NodeJS.ProcessEnv = process.env): AuditTrail {
  const { doc } = createTableClients(env.COMPLIANCE_DYNAMODB_ENDPOINT);
  return { deps: auditDepsFromEnv(doc, () => new Date(), env), tables: tablesFromEnv(env) };
}
