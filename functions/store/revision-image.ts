/**
 * The records table's stream images, decoded (unmarshalled) and validated with zod: an image comes
 * from outside this process (the table's stream), so it is checked, never cast. The evaluator and
 * the audit-trail consumer decode revisions here; violation images are decoded without zod
 * (stream-images.ts), so the events function's bundle stays without it.
 */
import { recordSchema } from "../../schemas/record.ts";
import * as z from "../../schemas/zod.ts";
import { formatPath, toIssues } from "../core/issues.ts";
import type { StoredRevision } from "./repositories.ts";
import { itemOfImage, type StreamImage, StreamImageError } from "./stream-images.ts";

/** A revision item of the records table (store/records.ts writes them). */
const revisionItemSchema = z.object({
  pk: z.string(),
  rev: z.number().check(z.int()).check(z.gte(1)),
  record: recordSchema,
  bodyHash: z.string(),
  receivedAt: z.string(),
  clientId: z.string(),
});

/** The revision a records-table stream image holds; a StreamImageError names what does not fit. */
export function revisionFromImage(image: StreamImage | undefined): StoredRevision {
  if (image === undefined) throw new StreamImageError("a records stream record without its new image");
  const item = itemOfImage(image);
  const parsed = revisionItemSchema.safeParse(item);
  if (parsed.success) return parsed.data;
  const problems = toIssues(parsed.error, item).map((i) => `${formatPath(i.path) || "(item)"}: ${i.message}`);
  throw new StreamImageError(`not a revision of the records table: ${problems.join("; ")}`);
}
