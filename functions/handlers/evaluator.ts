/**
 * Consumes the records table's stream: evaluates every new revision and updates its violations.
 * Different records in parallel, each record's revisions in order (runtime/stream-batch.ts).
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { fromEnvEvaluating } from "../runtime/evaluating-runtime.ts";
import { backgroundCorrelation } from "../runtime/logger.ts";
import { logger, type RuntimeSource } from "../runtime/runtime.ts";
import { processByKey } from "../runtime/stream-batch.ts";
import { evaluateStoredRevision } from "../service/evaluate-revision.ts";
import type { StoredRevision } from "../store/repositories.ts";
import { revisionFromImage } from "../store/revision-image.ts";

/**
 * How many records (keys) are evaluated at once within a batch: most of a full batch (100), so
 * the records judged side by side ask for their heads and newest revision numbers together and
 * those reads go out as one BatchGetItem (store/records.ts). Measured under load on the local
 * platform (head reads alone, before the revision numbers joined them): 0.07 BatchGetItem per
 * record at 64 against 0.22 at 16.
 */
export const KEY_CONCURRENCY = 64;

function revisionOf(record: DynamoDBRecord): StoredRevision | undefined {
  if (record.eventName !== "INSERT" && record.eventName !== "MODIFY") return undefined;
  const image = record.dynamodb?.NewImage;
  if (!image) return undefined;
  return revisionFromImage(image); // the records table holds only revisions: each record's newest
}

export function createEvaluatorHandler(source: RuntimeSource = fromEnvEvaluating) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { platform } = await source();
    backgroundCorrelation("evaluator");
    return processByKey(
      event.Records,
      KEY_CONCURRENCY,
      async (record) => {
        const revision = revisionOf(record);
        if (!revision) return;
        logger.setCorrelationId(`${revision.pk}@${revision.rev}`);
        const outcome = await evaluateStoredRevision(platform, revision, { inStreamOrder: true });
        logger.debug("evaluated", { pk: revision.pk, rev: revision.rev, ...outcome });
      },
      (record, error) =>
        logger.error("evaluation failed", {
          keys: JSON.stringify(record.dynamodb?.Keys),
          error: error as Error,
        }),
    );
  };
}

export const handler = createEvaluatorHandler();
