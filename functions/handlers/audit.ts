/**
 * Consumes BOTH the records stream (stored revisions, rev ≥ 1) and the violations stream (status
 * changes, case actions, escalations) and appends a batch's entries to the audit trail: one block
 * per chain, each a single conditional PutItem (service/audit.ts appendAuditBatch). A redelivered
 * record appends nothing (its entry's natural key is already in its chain), whatever shape the
 * redelivery takes (the whole batch, a bisected half, a retry from the first failed record). On
 * AWS: two event source mappings on this function, the records one filtered to revision items
 * (rev > 0), like the evaluator's.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { auditOf } from "../runtime/audit-runtime.ts";
import { backgroundCorrelation } from "../runtime/logger.ts";
import { fromEnv, logger, type Runtime, type RuntimeSource } from "../runtime/runtime.ts";
import {
  type AuditDeps,
  appendAuditBatch,
  auditEntriesForViolationChange,
  auditEntryForRecordRevision,
} from "../service/audit.ts";
import { type AuditEntryInput, chainOf } from "../store/audit-log.ts";
import { HEAD_REV, type StoredRevision } from "../store/records.ts";
import { fromItem } from "../store/violations.ts";

const plain = (image: unknown) => unmarshall(image as Record<string, AttributeValue>);

/** What a stream record puts in the audit trail: a revision, a violation's new history entries, or nothing. */
export function auditEntriesOf(record: DynamoDBRecord): AuditEntryInput[] {
  if (record.eventName !== "INSERT" && record.eventName !== "MODIFY") return [];
  const image = record.dynamodb?.NewImage;
  if (!image) return [];
  const item = plain(image);
  if (typeof item.pk === "string" && typeof item.rev === "number") {
    // the records table: revision items only (head changes are not audited)
    return item.rev > HEAD_REV && item.record ? [auditEntryForRecordRevision(item as StoredRevision)] : [];
  }
  if (typeof item.id === "string" && Array.isArray(item.history)) {
    const old = record.dynamodb?.OldImage;
    return auditEntriesForViolationChange(old ? fromItem(plain(old)) : undefined, fromItem(item));
  }
  return [];
}

/** The last entry a stream record puts in the trail (kept for callers of the one-entry form). */
export function auditEntryOf(record: DynamoDBRecord): AuditEntryInput | undefined {
  return auditEntriesOf(record).at(-1);
}

export function createAuditHandler(
  source: RuntimeSource = fromEnv,
  audit: (rt: Runtime) => AuditDeps = (rt) => auditOf(rt),
) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    backgroundCorrelation("audit");
    const deps = audit(await source());
    const perRecord = event.Records.map((record) => ({ record, entries: auditEntriesOf(record) }));
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

export const handler = createAuditHandler();
