/**
 * Lambda: the audit trail's stream consumer. Reads BOTH the records stream (stored revisions) and
 * the violations stream (status changes, case actions, escalations) and appends a batch's entries
 * to the audit trail: one block per chain, each a single conditional PutItem (service/audit.ts
 * appendAuditBatch). A redelivered record appends nothing (its entry's natural key is already in
 * its chain), whatever shape the redelivery takes (the whole batch, a bisected half, a retry from
 * the first failed record). On AWS: two event source mappings on this function. Which table a
 * record comes from is its event source's (store/stream-images.ts), and its images are checked,
 * not cast: a record that fits neither table fails loudly. (The auditors' HTTP reads are another
 * function: auditor.ts.)
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { type AuditTrail, auditTrailFromEnv } from "../runtime/audit-runtime.ts";
import { backgroundCorrelation, logger } from "../runtime/logger.ts";
import {
  appendAuditBatch,
  auditEntriesForViolationChange,
  auditEntryForRecordRevision,
} from "../service/audit.ts";
import { type AuditEntryInput, chainOf } from "../store/audit-log.ts";
import {
  revisionStampFromImage,
  StreamImageError,
  sourceTableOf,
  violationFromImage,
} from "../store/stream-images.ts";
import type { TableNames } from "../store/tables.ts";

/** What a stream record puts in the audit trail: a revision, a violation's new history entries, or nothing. */
export function auditEntriesOf(
  record: DynamoDBRecord,
  tables: Pick<TableNames, "records" | "violations">,
): AuditEntryInput[] {
  if (record.eventName !== "INSERT" && record.eventName !== "MODIFY") return [];
  const table = sourceTableOf(record);
  if (table === tables.records)
    return [auditEntryForRecordRevision(revisionStampFromImage(record.dynamodb?.NewImage))];
  if (table === tables.violations)
    return auditEntriesForViolationChange(
      violationFromImage(record.dynamodb?.OldImage),
      violationFromImage(record.dynamodb?.NewImage),
    );
  throw new StreamImageError(
    `a stream record of table ${table}: the audit trail reads only ${tables.records} and ${tables.violations}`,
  );
}

/** Where the consumer's audit trail comes from: a runtime's (auditTrailOf: tests, `npm start`) or the environment's. */
export type AuditTrailSource = () => AuditTrail | Promise<AuditTrail>;

let fromEnv: AuditTrail | undefined;

export function createAuditTrailConsumer(source: AuditTrailSource = () => (fromEnv ??= auditTrailFromEnv())) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    backgroundCorrelation("audit");
    const { deps, tables } = await source();
    const perRecord = event.Records.map((record) => ({ record, entries: auditEntriesOf(record, tables) }));
    const { chains, failed } = await appendAuditBatch(
      deps,
      perRecord.flatMap((r) => r.entries),
    );
    for (const c of chains) logger.debug("audited", { ...c });
    if (failed.size === 0) return { batchItemFailures: [] };
    // a chain that failed: every record with an entry for it is retried (with everything after it,
    // as Lambda retries from the first failure); entries that did land are skipped on the retry
    const failures: string[] = [];
    for (const { record, entries } of perRecord)
      if (entries.some((e) => failed.has(chainOf(e.content.subject))) && record.dynamodb?.SequenceNumber)
        failures.push(record.dynamodb.SequenceNumber);
    for (const [chain, error] of failed)
      logger.error("audit append failed", { chain, error: error as Error });
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export const handler = createAuditTrailConsumer();
