/**
 * POST /v1/records — the signed webhook (CONTRACT §2). Stores the revision; evaluation follows
 * from the table's stream (handlers/evaluator.ts). Nothing is stored on any refusal.
 */
import { recordSchema } from "../../schemas/record.ts";
import { json } from "../http/api.ts";
import { HttpError } from "../http/errors.ts";
import { assertRecordTypeAllowed, notRecordOwner } from "../http/ingest-access.ts";
import { httpHandler } from "../http/pipeline.ts";
import { parseOr400 } from "../http/validate.ts";
import { ingestRecord } from "../service/ingest.ts";
import { fromEnv, type RuntimeSource } from "./runtime.ts";
import { signedJson } from "./signed-json.ts";

export function createIngestHandler(source: RuntimeSource = fromEnv) {
  return httpHandler(
    async (event) => {
      const { platform, credentials } = await source();
      const record = parseOr400(recordSchema, event.jsonBody, "record");
      const clientId = event.principal?.id ?? "unknown";
      assertRecordTypeAllowed(credentials, clientId, record.type);
      const result = await ingestRecord(platform, record, clientId);
      const base = { key: result.key, revision: result.revision };
      switch (result.outcome) {
        case "created":
          return json(202, { ...base, duplicate: false });
        case "duplicate":
          return json(200, { ...base, duplicate: true });
        case "stale":
          return json(200, { ...base, duplicate: false, stale: true });
        case "not_owner":
          throw notRecordOwner(result.key);
        case "conflict":
          throw new HttpError(
            409,
            "revision_conflict",
            `${result.key} revision ${result.revision} is already stored with a different body; send a new revision`,
          );
      }
    },
    ...signedJson(source),
  );
}

export const handler = createIngestHandler();
