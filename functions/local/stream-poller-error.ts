/** What goes wrong in the stream poller, as typed errors (functions/core/errors.ts), and how errors are described. */
import type { DynamoDBRecord } from "aws-lambda";
import { DomainError } from "../core/errors.ts";

export type StreamPollerErrorCode =
  | "invalid_options"
  | "table_not_found"
  | "stream_not_enabled"
  | "checkpoint_unreadable"
  | "checkpoint_write_failed"
  | "stream_read_failed"
  | "handler_failed"
  | "record_failed"
  | "invalid_batch_response"
  | "record_dead_lettered"
  | "dead_letter_write_failed"
  | "stream_poller_stopped";

export class StreamPollerError extends DomainError<StreamPollerErrorCode> {
  override readonly name: string = "StreamPollerError";
  readonly tableName: string;
  readonly shardId: string | undefined;
  /** The record concerned (for handler failures: the first record of the failed batch or the failed one). */
  readonly sequenceNumber: string | undefined;
  readonly attempts: number | undefined;
  constructor(
    code: StreamPollerErrorCode,
    message: string,
    context: {
      tableName: string;
      shardId?: string;
      sequenceNumber?: string;
      attempts?: number;
      cause?: unknown;
    },
  ) {
    super(code, message, { cause: context.cause });
    this.tableName = context.tableName;
    this.shardId = context.shardId;
    this.sequenceNumber = context.sequenceNumber;
    this.attempts = context.attempts;
  }
}

/** One line of the dead-letter file. */
export interface DeadLetter {
  readonly time: string;
  /** The consumer whose handler failed (several read the same table's stream). */
  readonly consumer?: string;
  readonly tableName: string;
  readonly shardId: string;
  readonly attempts: number;
  readonly error: { readonly name: string; readonly message: string; readonly code?: string };
  readonly record: DynamoDBRecord;
}

export function describeError(error: unknown): { name: string; message: string; code?: string } {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === "string"
    ? { name: error.name, message: error.message, code }
    : { name: error.name, message: error.message };
}

export function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | null)?.name;
}

export function defaultOnError(error: StreamPollerError): void {
  console.error(`stream poller: ${error.message}`);
}
