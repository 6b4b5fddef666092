/**
 * Consumes the records table's stream: evaluates every new revision and updates its violations.
 * Different records are processed in parallel, each record's revisions in order (what Lambda's
 * parallelization factor does per key); a failure fails that revision and every later one of the
 * same record (so order holds on retry) and is reported as a partial batch failure.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { evaluateStoredRevision } from "../service/evaluation.ts";
import type { StoredRevision } from "../store/records.ts";
import { HEAD_REV } from "../store/records.ts";
import { fromEnv, logger, type RuntimeSource } from "./runtime.ts";

/** How many records (keys) are evaluated at once within a batch. */
export const KEY_CONCURRENCY = 16;

function revisionOf(record: DynamoDBRecord): StoredRevision | undefined {
  if (record.eventName !== "INSERT" && record.eventName !== "MODIFY") return undefined;
  const image = record.dynamodb?.NewImage;
  if (!image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>) as StoredRevision;
  return item.rev > HEAD_REV && item.record ? item : undefined; // head items change too: not ours
}

export function createEvaluatorHandler(source: RuntimeSource = fromEnv) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { platform } = source();
    const groups = new Map<string, DynamoDBRecord[]>();
    for (const r of event.Records) {
      const key = JSON.stringify(r.dynamodb?.Keys?.pk ?? r.eventID);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const failures: string[] = [];
    const queue = [...groups.values()];
    const worker = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        for (const [i, r] of group.entries()) {
          const revision = revisionOf(r);
          if (!revision) continue;
          try {
            logger.setCorrelationId(`${revision.pk}@${revision.rev}`);
            const outcome = await evaluateStoredRevision(platform, revision);
            logger.debug("evaluated", { pk: revision.pk, rev: revision.rev, ...outcome });
          } catch (error) {
            logger.error("evaluation failed", { pk: revision.pk, rev: revision.rev, error: error as Error });
            for (const later of group.slice(i))
              if (later.dynamodb?.SequenceNumber) failures.push(later.dynamodb.SequenceNumber);
            break;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(KEY_CONCURRENCY, queue.length) }, worker));
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export const handler = createEvaluatorHandler();
