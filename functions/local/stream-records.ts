/** Stream records as Lambda delivers them to a handler, from what the DynamoDB Streams API returns. */
import type { _Record, AttributeValue as SdkAttributeValue } from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue, StreamRecord } from "aws-lambda";

/**
 * The record as Lambda delivers it: same fields, same order, binary values in base64, time in
 * epoch seconds. Frozen, all the way down: one record goes to every reader of a stream, and again
 * on every retry, so a handler must not edit it (one that tries fails loudly, with a TypeError,
 * and is retried and dead-lettered like any failure). Freezing once is cheaper than a copy per
 * delivery (a structuredClone per record per reader was ~2 % of the local runtime's main thread
 * under load).
 */
export function toLambdaRecord(record: _Record, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const dynamodb: StreamRecord = {};
  if (stream.ApproximateCreationDateTime !== undefined)
    dynamodb.ApproximateCreationDateTime = stream.ApproximateCreationDateTime.getTime() / 1000;
  if (stream.Keys !== undefined) dynamodb.Keys = toLambdaMap(stream.Keys);
  if (stream.NewImage !== undefined) dynamodb.NewImage = toLambdaMap(stream.NewImage);
  if (stream.OldImage !== undefined) dynamodb.OldImage = toLambdaMap(stream.OldImage);
  if (stream.SequenceNumber !== undefined) dynamodb.SequenceNumber = stream.SequenceNumber;
  if (stream.SizeBytes !== undefined) dynamodb.SizeBytes = stream.SizeBytes;
  if (stream.StreamViewType !== undefined) dynamodb.StreamViewType = stream.StreamViewType;

  Object.freeze(dynamodb);
  const lambda: DynamoDBRecord = {};
  if (record.eventID !== undefined) lambda.eventID = record.eventID;
  if (record.eventName !== undefined) lambda.eventName = record.eventName;
  if (record.eventVersion !== undefined) lambda.eventVersion = record.eventVersion;
  lambda.eventSource = record.eventSource ?? "aws:dynamodb";
  if (record.awsRegion !== undefined) lambda.awsRegion = record.awsRegion;
  lambda.dynamodb = dynamodb;
  lambda.eventSourceARN = streamArn;
  // only TTL deletions carry an identity; Lambda spells its fields in camel case
  if (record.userIdentity !== undefined) {
    lambda.userIdentity = Object.freeze({
      type: record.userIdentity.Type,
      principalId: record.userIdentity.PrincipalId,
    });
  }
  return Object.freeze(lambda);
}

function toLambdaMap(map: Record<string, SdkAttributeValue>): Record<string, LambdaAttributeValue> {
  const out: Record<string, LambdaAttributeValue> = {};
  for (const [name, value] of Object.entries(map)) out[name] = toLambdaValue(value);
  return Object.freeze(out);
}

function toLambdaValue(value: SdkAttributeValue): LambdaAttributeValue {
  return Object.freeze(lambdaValue(value));
}

function lambdaValue(value: SdkAttributeValue): LambdaAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString("base64") };
  if (value.SS !== undefined) return { SS: Object.freeze([...value.SS]) as string[] };
  if (value.NS !== undefined) return { NS: Object.freeze([...value.NS]) as string[] };
  if (value.BS !== undefined)
    return { BS: Object.freeze(value.BS.map((b) => Buffer.from(b).toString("base64"))) as string[] };
  if (value.L !== undefined)
    return { L: Object.freeze(value.L.map(toLambdaValue)) as LambdaAttributeValue[] };
  if (value.M !== undefined) return { M: toLambdaMap(value.M) };
  throw new Error(`unknown DynamoDB attribute value type: ${Object.keys(value).join(",")}`);
}
