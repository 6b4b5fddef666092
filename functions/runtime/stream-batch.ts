/**
 * Processes a DynamoDB stream batch the way Lambda's parallelization factor does: different keys
 * in parallel, each key's records in order. A failure fails that record and every later record of
 * the same key (so order holds on retry); they are reported as partial batch failures.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord } from "aws-lambda";

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
  const queue = [...groups.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const [i, record] of group.entries()) {
        try {
          await handle(record);
        } catch (error) {
          onError(record, error);
          for (const later of group.slice(i))
            if (later.dynamodb?.SequenceNumber) failures.push(later.dynamodb.SequenceNumber);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
