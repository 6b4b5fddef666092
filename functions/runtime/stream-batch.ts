/**
 * Processes a DynamoDB stream batch the way Lambda's parallelization factor does: different keys
 * in parallel, each key's records in order. A failure fails that record and every later record of
 * the same key (so order holds on retry); they are reported as partial batch failures.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord } from "aws-lambda";

/**
 * The error behind each failed record, by sequence number, on the response (a non-enumerable
 * symbol: Lambda sees only batchItemFailures). The local stream reader puts it in its dead
 * letters, which would otherwise only say "the handler reported a failure".
 */
export const FAILURE_CAUSES = Symbol.for("compliance.failureCauses");
export type FailureCauses = ReadonlyMap<string, unknown>;

export async function processByKey(
  records: readonly DynamoDBRecord[],
  concurrency: number,
  handle: (record: DynamoDBRecord) => Promise<void>,
  onError: (record: DynamoDBRecord, error: unknown) => void,
): Promise<DynamoDBBatchResponse> {
  const groups = new Map<string, DynamoDBRecord[]>();
  for (const r of records) {
    const key = JSON.stringify(r.dynamodb?.Keys ?? r.eventID);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const failures: string[] = [];
  const causes = new Map<string, unknown>();
  const queue = [...groups.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const [i, record] of group.entries()) {
        try {
          await handle(record);
        } catch (error) {
          onError(record, error);
          for (const later of group.slice(i)) {
            const seq = later.dynamodb?.SequenceNumber;
            if (!seq) continue;
            failures.push(seq);
            causes.set(
              seq,
              later === record
                ? error
                : new Error(`an earlier record of the same key (${record.dynamodb?.SequenceNumber}) failed`),
            );
          }
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  const response: DynamoDBBatchResponse = {
    batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })),
  };
  Object.defineProperty(response, FAILURE_CAUSES, { value: causes, enumerable: false });
  return response;
}
