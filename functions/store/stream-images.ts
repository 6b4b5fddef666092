/**
 * Stream images of the records table, decoded (unmarshalled) and validated with zod: an image comes
 * from outside this process (the table's stream), so it is checked, never cast. Only the evaluator
 * decodes here: the events function decodes violation images without zod (store/violations.ts
 * fromItem) because zod and the schemas would add ~100 KB to its 380 KB bundle.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import * as z from "zod";
import { recordSchema } from "../../schemas/record.ts";
import { DomainError } from "../core/errors.ts";
import { formatPath, toIssues } from "../core/issues.ts";
import type { StoredRevision } from "./records.ts";

/** A revision item of the records table (store/records.ts writes them). */
const revisionItemSchema = z.object({
  pk: z.string(),
  rev: z.number().int().min(1),
  record: recordSchema,
  bodyHash: z.string(),
  receivedAt: z.string(),
  clientId: z.string(),
});

export class StreamImageError extends DomainError<"invalid_stream_image"> {
  constructor(message: string) {
    super("invalid_stream_image", message);
  }
}

/** The revision a records-table stream image holds; a StreamImageError names what does not fit. */
export function revisionFromImage(image: Record<string, unknown>): StoredRevision {
  const item = unmarshall(image as Record<string, AttributeValue>);
  const parsed = revisionItemSchema.safeParse(item);
  if (parsed.success) return parsed.data;
  const problems = toIssues(parsed.error, item).map((i) => `${formatPath(i.path) || "(item)"}: ${i.message}`);
  throw new StreamImageError(`not a revision of the records table: ${problems.join("; ")}`);
}
