/**
 * `compliance audit verify [--json]`: checks the audit trail of a running local platform
 * (COMPLIANCE_DYNAMODB_ENDPOINT, tables under COMPLIANCE_TABLE_PREFIX, default "compliance-") or
 * of AWS (no endpoint: the SDK's credentials and region; table names from
 * COMPLIANCE_AUDIT_LOG_TABLE / COMPLIANCE_AUDIT_DIGESTS_TABLE, else the prefix).
 * The digest key: COMPLIANCE_AUDIT_KEY_ARN (Secrets Manager) or COMPLIANCE_AUDIT_KEY; against a
 * local endpoint the local platform's development key is the fallback, as in `npm start`.
 * Exit 0 intact, 1 tampered (the first bad entry named as `chain <n> seq <m>: <kind>`), 2 when
 * the trail cannot be read.
 */
import { readSecret } from "../runtime/secrets.ts";
import { type AuditVerifyAnswer, verifyAudit } from "../service/audit.ts";
import { AuditLogStore } from "../store/audit-log.ts";
import { createTableClients } from "../store/clients.ts";
import { tableNames } from "../store/tables.ts";
import type { Io } from "./io.ts";

const LOCAL_AUDIT_KEY = "local-audit-key";

/** `chain 3 seq 5: modified`, or `digest seq 2: signature_invalid`. */
export function describeBad(bad: NonNullable<AuditVerifyAnswer["firstBad"]>): string {
  const where = bad.chain === "digests" ? `digest seq ${bad.seq}` : `chain ${bad.chain} seq ${bad.seq}`;
  return `${where}: ${bad.kind}`;
}

export async function auditVerifyCommand(
  opts: { json: boolean; endpoint?: string; prefix?: string },
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const endpoint = opts.endpoint ?? (env.COMPLIANCE_DYNAMODB_ENDPOINT || undefined);
  const byPrefix = tableNames(opts.prefix ?? env.COMPLIANCE_TABLE_PREFIX ?? "compliance-");
  const tables = {
    auditLog: (opts.prefix === undefined && env.COMPLIANCE_AUDIT_LOG_TABLE) || byPrefix.auditLog,
    auditDigests: (opts.prefix === undefined && env.COMPLIANCE_AUDIT_DIGESTS_TABLE) || byPrefix.auditDigests,
  };
  const arn = env.COMPLIANCE_AUDIT_KEY_ARN;
  let key = env.COMPLIANCE_AUDIT_KEY;
  if (!arn && !key) {
    if (endpoint === undefined) {
      io.err(
        "audit verify: set COMPLIANCE_AUDIT_KEY_ARN or COMPLIANCE_AUDIT_KEY (the key that signs digests)",
      );
      return 2;
    }
    key = LOCAL_AUDIT_KEY;
    if (!opts.json) io.err("notice: COMPLIANCE_AUDIT_KEY not set: using the local development value");
  }
  const { doc, dynamodb } = createTableClients(endpoint);
  let answer: AuditVerifyAnswer;
  try {
    answer = await verifyAudit({
      store: new AuditLogStore(doc, tables),
      key: async () => (arn ? readSecret(arn) : (key as string)),
      now: () => new Date(),
    });
  } catch (error) {
    const where = endpoint ? `at ${endpoint}` : "on AWS";
    io.err(
      `audit verify: cannot read ${tables.auditLog} / ${tables.auditDigests} ${where}: ${(error as Error).message}`,
    );
    return 2;
  } finally {
    dynamodb.destroy();
  }
  if (opts.json) io.out(JSON.stringify(answer, null, 2));
  else if (answer.ok) {
    const sealed = answer.lastDigest
      ? `; last digest ${answer.lastDigest.seq} at ${answer.lastDigest.at}`
      : "";
    io.out(
      `ok: ${answer.entries} audit entries in ${answer.chains} chains and ${answer.digests} digests verified${sealed}`,
    );
  } else if (answer.firstBad) {
    io.out(`TAMPERED: ${describeBad(answer.firstBad)}`);
    if (answer.firstBad.expected !== undefined) io.out(`  expected ${answer.firstBad.expected}`);
    if (answer.firstBad.found !== undefined) io.out(`  found    ${answer.firstBad.found}`);
    io.out(`(${answer.entries} entries in ${answer.chains} chains, ${answer.digests} digests read)`);
  }
  return answer.ok ? 0 : 1;
}
