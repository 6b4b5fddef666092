/** GET /v1/records/{type}/{id}/revisions/{n} (CONTRACT §2): its path and its answer. */
import * as z from "zod";
import { RECORD_ID_PATTERN, RECORD_TYPES, recordSchema } from "./record.ts";

/** GET /v1/records/{type}/{id}/revisions/{n}: one stored revision, as received. */
export const recordRevisionSchema = z
  .object({
    record: recordSchema,
    receivedAt: z.string().meta({ description: "when the platform stored this revision (UTC)" }),
    clientId: z.string().meta({ description: "the ingest client that sent it" }),
  })
  .meta({ id: "RecordRevision" });

/** Path of one revision: a revision number that cannot exist names nothing (404). */
export const recordRevisionPathSchema = z.object({
  type: z.enum(RECORD_TYPES),
  id: z.string().regex(RECORD_ID_PATTERN),
  n: z.string().regex(/^[1-9][0-9]{0,8}$/),
});
