/** Shard iterators of DynamoDB Streams, as the local stream readers take them (stream-reader.ts, stream-tap.ts). */
import { type DynamoDBStreamsClient, GetShardIteratorCommand } from "@aws-sdk/client-dynamodb-streams";
import { errorName } from "./stream-poller-error.ts";

/** An iterator after `after` (a sequence number), or at the shard's trim horizon without one. */
export async function shardIterator(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  shardId: string,
  after: string | undefined,
): Promise<string | undefined> {
  const out = await streams.send(
    new GetShardIteratorCommand(
      after === undefined
        ? { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }
        : {
            StreamArn: streamArn,
            ShardId: shardId,
            ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
            SequenceNumber: after,
          },
    ),
  );
  return out.ShardIterator;
}

/**
 * A GetRecords error that asks for a new iterator at the same position: AWS expires an iterator
 * after 15 min, and DynamoDB Local answers TrimmedDataAccessException for one that idled on an
 * empty stream. Take a new one once; a failing iterator is never reused.
 */
export function iteratorWentStale(error: unknown): boolean {
  const name = errorName(error);
  return name === "ExpiredIteratorException" || name === "TrimmedDataAccessException";
}

/**
 * A GetShardIterator error for a position older than the stream's retention (24 h): nothing can be
 * read there any more, whatever iterator is asked for; reading can only go on from the oldest record.
 */
export function positionTrimmed(error: unknown): boolean {
  return errorName(error) === "TrimmedDataAccessException";
}
