/** Stores a validated record revision (CONTRACT §2 POST /v1/records). Evaluation follows from the stream. */
import type { RecordEnvelope } from "../../schemas/record.ts";
import { canonicalHash } from "../core/canonical.ts";
import type { PutOutcome } from "../store/repositories.ts";
import type { Platform } from "./platform.ts";

export interface IngestResult {
  readonly outcome: PutOutcome;
  /** For `not_owner`: the client the record belongs to. */
  readonly owner?: string;
  readonly key: string;
  readonly revision: number;
}

export function recordPath(type: string, id: string): string {
  return `${type}/${id}`;
}

export async function ingestRecord(
  platform: Platform,
  record: RecordEnvelope,
  clientId: string,
): Promise<IngestResult> {
  const { outcome, owner } = await platform.records.putRevision({
    record,
    bodyHash: canonicalHash(record),
    receivedAt: platform.now().toISOString(),
    clientId,
  });
  return { outcome, owner, key: recordPath(record.type, record.id), revision: record.revision };
}
