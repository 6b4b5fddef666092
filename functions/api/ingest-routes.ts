/**
 * POST /v1/records — the signed webhook (CONTRACT §2). Stores the revision; evaluation follows
 * from the table's stream (handlers/evaluator.ts). Nothing is stored on any refusal.
 */
import { recordSchema } from "../../schemas/record.ts";
import { DomainError } from "../core/errors.ts";
import { assertRecordTypeAllowed, notRecordOwner } from "../http/ingest-access.ts";
import { ingestRecord } from "../service/ingest.ts";
import { type Route, route } from "./route.ts";

/** A validation failure exactly as the API answers it (zod's message for `amount: 0`). */
const ISSUES_EXAMPLE = [{ path: "data.amount", message: "Too small: expected number to be >0" }];

export const INGEST_ROUTES: readonly Route[] = [
  route({
    method: "POST",
    path: "/v1/records",
    fn: "ingest",
    access: "signed",
    body: recordSchema,
    bodyName: "record",
    doc: {
      operationId: "ingestRecord",
      summary: "Send a record revision (signed webhook)",
      description: [
        "Stores one revision of a business record; evaluation against the policies in force at its `occurredAt` follows asynchronously and its violations appear under `/v1/violations`.",
        "",
        "**Idempotent**: the key is (`type`, `id`, `revision`). Re-sending the same revision with the same body answers 200 `duplicate: true` and changes nothing, so retries after a timeout are safe. The same revision with a different body is a 409 `revision_conflict` (send a new revision). A revision lower than the latest stored one is stale: 200 `stale: true`, not stored, never overwrites. Bodies are compared after parsing (key order, whitespace, timestamp offsets and `null` optional fields do not make a difference).",
        "",
        "Nothing is stored on any refusal (400, 401, 403, 409, 413, 415). The signature covers the raw body bytes exactly as sent (`v2` also the method, path and query).",
      ].join("\n"),
      body: "One revision of a business record (schema `Record`).",
      responses: ({ ref, json, error }) => ({
        202: json("Accepted: a new revision, stored; evaluation follows.", ref("IngestAccepted"), {
          accepted: { key: "expense/EXP-2026-0001", revision: 3, duplicate: false },
        }),
        200: json(
          "Already known: the same revision with the same body (`duplicate: true`), or an older revision than the stored one (`stale: true`). Nothing changes.",
          { oneOf: [ref("IngestAccepted"), ref("IngestStale")] },
          {
            duplicate: { key: "expense/EXP-2026-0001", revision: 3, duplicate: true },
            stale: { key: "expense/EXP-2026-0001", revision: 2, duplicate: false, stale: true },
          },
        ),
        400: error(
          "`validation_failed` (the record does not fit schema `Record`; the problems in `issues`, at most 100), `invalid_json` or `duplicate_key` (a key appears twice in one object).",
          {
            code: "validation_failed",
            message: "record is invalid: 1 issue(s)",
            issues: ISSUES_EXAMPLE,
          },
        ),
        409: error("`revision_conflict`: this revision is already stored with a different body.", {
          code: "revision_conflict",
          message:
            "expense/EXP-2026-0001 revision 3 is already stored with a different body; send a new revision",
        }),
      }),
    },
    serve: async ({ body: record, event, runtime }) => {
      const { platform, credentials } = await runtime();
      const clientId = event.principal?.id ?? "unknown";
      assertRecordTypeAllowed(credentials, clientId, record.type);
      const result = await ingestRecord(platform, record, clientId);
      const base = { key: result.key, revision: result.revision };
      switch (result.outcome) {
        case "created":
          return { status: 202, json: { ...base, duplicate: false } };
        case "duplicate":
          return { status: 200, json: { ...base, duplicate: true } };
        case "stale":
          return { status: 200, json: { ...base, duplicate: false, stale: true } };
        case "not_owner":
          throw notRecordOwner(result.key);
        case "conflict":
          throw new DomainError(
            "revision_conflict",
            `${result.key} revision ${result.revision} is already stored with a different body; send a new revision`,
          );
      }
    },
  }),
];
