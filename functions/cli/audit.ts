/**
 * `compliance audit verify [--json]`: checks the audit trail of a running local platform
 * (COMPLIANCE_DYNAMODB_ENDPOINT, tables under COMPLIANCE_TABLE_PREFIX, default "compliance-") or
 * of AWS (no endpoint: the SDK's credentials and region; table names from
 * COMPLIANCE_AUDIT_LOG_TABLE / COMPLIANCE_AUDIT_DIGESTS_TABLE, else the prefix).
 * The digest key: COMPLIANCE_AUDIT_KEY_ARN (Secrets Manager) or COMPLIANCE_AUDIT_KEY; against a
 * local endpoint the local platform's development key is the fallback, as in `npm start`.
 * The digest anchor: COMPLIANCE_AUDIT_BUCKET (the Object Lock bucket), else the digest file in
 * COMPLIANCE_AUDIT_ANCHOR_DIR or COMPLIANCE_DATA_DIR (where `npm start` writes it).
 * Completeness is checked against the records, record-revisions and violations tables of the same
 * prefix (or COMPLIANCE_RECORDS_TABLE / COMPLIANCE_RECORD_REVISIONS_TABLE / COMPLIANCE_VIOLATIONS_TABLE).
 * Exit 0 intact, 1 tampered or incomplete (the first bad entry named as `chain <n> seq <m>: <kind>`),
 * 2 when the trail cannot be read.
 */
import { type AwsConfigSource, anchorFromEnv } from "../runtime/audit-anchor-runtime.ts";
import { auditKeyFromEnv, digestEveryMsFromEnv } from "../runtime/audit-runtime.ts";
import { type AuditVerifyAnswer, verifyAudit } from "../service/audit.ts";
import { AuditLogStore } from "../store/audit-log.ts";
import { auditSources } from "../store/audit-sources.ts";
import { createTableClients } from "../store/clients.ts";
import { tableNames, tablesFromEnv } from "../store/tables.ts";
import type { Io } from "./io.ts";

const LOCAL_AUDIT_KEY = "local-audit-key";

/** `chain 3 seq 5: modified`, or `digest seq 2: signature_invalid`. */
export function describeBad(bad: NonNullable<AuditVerifyAnswer["firstBad"]>): string {
  const where = bad.chain === "digests" ? `digest seq ${bad.seq}` : `chain ${bad.chain} seq ${bad.seq}`;
  return `${where}: ${bad.kind}`;
}

function completenessLine(answer: AuditVerifyAnswer): string {
  const events =
    answer.events === undefined
      ? "completeness not checked"
      : `${answer.events} stored revisions and violation changes: ${answer.missing ?? 0} missing, ${answer.pending ?? 0} pending (not reached by the audit consumer yet)`;
  const anchor = answer.anchor ? `; ${answer.anchored} digests anchored in ${answer.anchor}` : "; no anchor";
  return `${events}${anchor}`;
}

export async function auditVerifyCommand(
  opts: { json: boolean; endpoint?: string; prefix?: string; anchorDir?: string },
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const endpoint = opts.endpoint ?? (env.COMPLIANCE_DYNAMODB_ENDPOINT || undefined);
  // --prefix names every table; else the runtime's variables, with `npm start`'s prefix by default
  const tables =
    opts.prefix === undefined
      ? tablesFromEnv({ ...env, COMPLIANCE_TABLE_PREFIX: env.COMPLIANCE_TABLE_PREFIX ?? "compliance-" })
      : tableNames(opts.prefix);
  const anchorDir = opts.anchorDir ?? env.COMPLIANCE_AUDIT_ANCHOR_DIR ?? env.COMPLIANCE_DATA_DIR;
  let keyEnv = env;
  if (!env.COMPLIANCE_AUDIT_KEY_ARN && !env.COMPLIANCE_AUDIT_KEY) {
    if (endpoint === undefined) {
      // Without an endpoint this command reads AWS; someone running `npm start` most likely
      // meant the local platform, whose key needs no setting: say that first.
      io.err(
        "audit verify: no DynamoDB endpoint given, so this reads the audit trail on AWS, which needs the key that signs its digests.\n" +
          "  the local platform (npm start)? give its DynamoDB endpoint: --endpoint http://127.0.0.1:<port> (npm start prints it) or COMPLIANCE_DYNAMODB_ENDPOINT\n" +
          "  AWS? set COMPLIANCE_AUDIT_KEY_ARN (Secrets Manager) or COMPLIANCE_AUDIT_KEY",
      );
      return 2;
    }
    keyEnv = { ...env, COMPLIANCE_AUDIT_KEY: LOCAL_AUDIT_KEY };
    if (!opts.json) io.err("notice: COMPLIANCE_AUDIT_KEY not set: using the local development value");
  }
  const { doc, dynamodb } = createTableClients(endpoint);
  let answer: AuditVerifyAnswer;
  try {
    const anchor = await anchorFromEnv(
      { ...env, COMPLIANCE_AUDIT_ANCHOR_DIR: anchorDir },
      dynamodb as unknown as AwsConfigSource,
    );
    if (!anchor && !opts.json)
      io.err(
        "notice: no digest anchor (COMPLIANCE_AUDIT_BUCKET, COMPLIANCE_AUDIT_ANCHOR_DIR or COMPLIANCE_DATA_DIR): checking the tables alone",
      );
    answer = await verifyAudit({
      store: new AuditLogStore(doc, tables),
      key: auditKeyFromEnv(keyEnv),
      now: () => new Date(),
      sources: auditSources(doc, tables),
      digestEveryMs: digestEveryMsFromEnv(env),
      ...(anchor ? { anchor } : {}),
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
    io.out(completenessLine(answer));
  } else if (answer.firstBad) {
    io.out(`TAMPERED: ${describeBad(answer.firstBad)}`);
    if (answer.firstBad.expected !== undefined) io.out(`  expected ${answer.firstBad.expected}`);
    if (answer.firstBad.found !== undefined) io.out(`  found    ${answer.firstBad.found}`);
    io.out(`(${answer.entries} entries in ${answer.chains} chains, ${answer.digests} digests read)`);
    io.out(completenessLine(answer));
  }
  return answer.ok ? 0 : 1;
}
