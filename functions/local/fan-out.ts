/**
 * Several consumers of one stream behind one reader. On AWS each consumer has its own event source
 * mapping; locally every extra reader of a DynamoDB Local stream slows writes to its table
 * markedly (measured: a read stream cut PutItem rates severalfold), so the local runtime reads each
 * stream once and hands every batch to all its consumers. A record any consumer fails is retried
 * for all of them — harmless, since each consumer is idempotent (evaluations re-judge, audit appends
 * de-duplicate, events carry a de-duplication key).
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

export function fanOut(...consumers: StreamHandler[]): StreamHandler {
  return async (event) => {
    const results = await Promise.allSettled(consumers.map((consume) => consume(event)));
    const failed = new Set<string>();
    for (const result of results) {
      // a consumer that threw failed the whole batch, as Lambda treats a thrown error
      if (result.status === "rejected") throw result.reason;
      for (const f of result.value?.batchItemFailures ?? []) failed.add(f.itemIdentifier);
    }
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
