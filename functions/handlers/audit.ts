/**
 * Consumes BOTH the records stream (stored revisions, rev ≥ 1) and the violations stream (status
 * changes and escalations) and appends each to the audit trail. One subject's stream records are
 * appended in order (grouped by subject, runtime/stream-batch.ts); a redelivered record appends
 * nothing (its event key is already taken). On AWS: two event source mappings on this function,
 * the records one filtered to revision items (rev > 0), like the evaluator's.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { auditOf } from "../runtime/audit-runtime.ts";
import { fromEnv, logger, type Runtime, type RuntimeSource } from "../runtime/runtime.ts";
import { processByKey } from "../runtime/stream-batch.ts";
import { STREAM_BATCHING } from "../runtime/stream-settings.ts";
import {
  type AuditDeps,
  appendAudit,
  auditEntryForRecordRevision,
  auditEntryForViolationChange,
} from "../service/audit.ts";
import type { AuditEntryInput } from "../store/audit-log.ts";
import { HEAD_REV, type StoredRevision } from "../store/records.ts";
import { fromItem } from "../store/violations.ts";

/**
 * Subjects appended at once within a batch (each subject's records stay in order): all of a full
 * batch (STREAM_BATCHING.audit), so every first entry of every subject is queued before the first
 * commit and a chain's entries go in as few transactions as GROUP_MAX allows (AuditLogStore's
 * group commit). With 100 at a time, the rest trickled in behind the first commits: measured
 * ~5 entries per transaction instead of ~30.
 */
export const AUDIT_CONCURRENCY = STREAM_BATCHING.audit.batchSize;

const plain = (image: unknown) => unmarshall(image as Record<string, AttributeValue>);

/** What a stream record puts in the audit trail: a revision item, a violation change, or nothing. */
export function auditEntryOf(record: DynamoDBRecord): AuditEntryInput | undefined {
  if (record.eventName !== "INSERT" && record.eventName !== "MODIFY") return undefined;
  const image = record.dynamodb?.NewImage;
  if (!image) return undefined;
  const item = plain(image);
  if (typeof item.pk === "string" && typeof item.rev === "number") {
    // the records table: revision items only (head changes are not audited)
    return item.rev > HEAD_REV && item.record
      ? auditEntryForRecordRevision(item as StoredRevision)
      : undefined;
  }
  if (typeof item.id === "string" && Array.isArray(item.history)) {
    const old = record.dynamodb?.OldImage;
    return auditEntryForViolationChange(old ? fromItem(plain(old)) : undefined, fromItem(item));
  }
  return undefined;
}

/** The subject a stream record is about (grouping key: one subject's appends stay in order). */
function subjectKey(record: DynamoDBRecord): string {
  const keys = record.dynamodb?.Keys;
  const pk = keys?.pk?.S ?? keys?.id?.S;
  return pk ?? JSON.stringify(keys ?? record.eventID);
}

export function createAuditHandler(
  source: RuntimeSource = fromEnv,
  audit: (rt: Runtime) => AuditDeps = (rt) => auditOf(rt),
) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const deps = audit(await source());
    // grouped by subject, not by item key: a record's revisions are different items, one subject
    const bySubject = event.Records.map((r) => ({
      ...r,
      dynamodb: { ...r.dynamodb, Keys: { subject: { S: subjectKey(r) } } },
    }));
    return processByKey(
      bySubject,
      AUDIT_CONCURRENCY,
      async (record) => {
        const entry = auditEntryOf(record);
        if (!entry) return;
        const outcome = await appendAudit(deps, entry);
        logger.debug("audited", { eventKey: entry.eventKey, ...outcome });
      },
      (record, error) =>
        logger.error("audit append failed", {
          keys: JSON.stringify(record.dynamodb?.Keys),
          error: error as Error,
        }),
    );
  };
}

export const handler = createAuditHandler();
