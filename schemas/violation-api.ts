/**
 * What the routes on one violation validate: its id in the path, and the body of a case action
 * (acknowledge, waive, reopen). Apart from api.ts, which builds every record schema for its list
 * filters, so the cases function validates its requests without them.
 */
import { DEFAULT_TIME_ZONE, until } from "./time.ts";
import * as z from "./zod.ts";

/** A violation id: 32 lowercase hex digits (of a SHA-256, see functions/core/engine/violation.ts). */
export const violationIdSchema = z.string().check(z.regex(/^[0-9a-f]{32}$/));

/** Path parameters of the routes on one violation (another id names nothing: 404). */
export const violationPathSchema = z.object({ id: violationIdSchema });

/** POST /v1/violations/{id}/acknowledge | waive | reopen */
export const caseActionSchemaIn = (tz: string) =>
  z.strictObject({
    by: z.withMeta(z.optional(z.string().check(z.maxLength(128))), {
      description:
        "optional: the person acting, which must be exactly the signed-in person's id (else 403 actor_mismatch); history names the caller either way",
    }),
    reason: z.string().check(z.trim()).check(z.minLength(1, "a reason is required")).check(z.maxLength(2000)),
    until: z.withMeta(z.optional(until(tz)), {
      description: "waive only: when the waiver expires (in the future); a date = the end of that day",
    }),
  });
// the id names the schema in the OpenAPI document; only this instance carries it (ids are unique).
// The documented form (default zone): the router validates with the company's zone (the routes'
// `zoned`), so this one is built only when a document is generated (z.lazy).
export const caseActionSchema = z.withMeta(
  z.lazy(() => caseActionSchemaIn(DEFAULT_TIME_ZONE)),
  { id: "CaseAction" },
);
