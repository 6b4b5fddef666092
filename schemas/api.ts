/**
 * Request shapes of the HTTP API (CONTRACT §2–§3): path parameters, queries and bodies. The
 * handlers validate with these; the answers' shapes are in api-responses.ts, which only the OpenAPI
 * document (schemas/openapi.json), the console's types and tests read, so a Lambda bundle builds
 * the schemas of what it validates, not of everything it documents.
 */
import { VIOLATION_STATUSES } from "../functions/core/engine/violation-identity.ts";
import { listFilter } from "./list-filter.ts";
import { AREAS, SEVERITIES } from "./policy-terms.ts";
import { RECORD_ID_PATTERN, RECORD_TYPES } from "./record-types.ts";
import { DEFAULT_TIME_ZONE, instant, lowerBound, upperBound } from "./time.ts";
import * as z from "./zod.ts";

export {
  caseActionSchema,
  caseActionSchemaIn,
  violationIdSchema,
  violationPathSchema,
} from "./violation-api.ts";
export { listFilter, VIOLATION_STATUSES };

/** GET /v1/policies/{id}/versions/{n}: a version number that cannot exist is a 404, like an unknown id. */
export const policyVersionPathSchema = z.object({
  id: z.string().check(z.minLength(1)).check(z.maxLength(128)),
  n: z.string().check(z.regex(/^[1-9][0-9]{0,8}$/)),
});

const id = z.string().check(z.minLength(1)).check(z.maxLength(128));

/**
 * The documented form of a query that reads dates (the default zone's): the route table's `query`,
 * which the OpenAPI document describes. The router validates with the company's zone (the routes'
 * `zoned`), so this form is built only when a document is generated (z.lazy), never by a request.
 */
const documented = <T extends z.ZodMiniType>(inZone: (tz: string) => T) =>
  z.lazy(() => inZone(DEFAULT_TIME_ZONE));

/** An optional query parameter, described (classic zod's `.optional().meta(meta)`). */
const optional = <T extends z.ZodMiniType>(schema: T, meta: z.core.GlobalMeta) =>
  z.withMeta(z.optional(schema), meta);

/** `limit`: a page size of 1–500, 100 when absent (query values are text: coerced). */
const pageSize = () => z._default(z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(500)), 100);

/** GET /v1/records/{type}/{id}/revisions/{n}: a revision number that cannot exist names nothing (404). */
export const recordRevisionPathSchema = z.object({
  type: z.enum(RECORD_TYPES),
  id: z.string().check(z.regex(RECORD_ID_PATTERN)),
  n: z.string().check(z.regex(/^[1-9][0-9]{0,8}$/)),
});

/**
 * GET /v1/violations query: strict, so a misspelt filter is an error rather than ignored.
 * Times follow CONTRACT §8: a date is a day in the company's time zone (`timeZone`, from org.yaml,
 * which is loaded at runtime: handlers call `…In(tz)`; the constant, the documented form, uses the
 * default zone).
 */
export const violationQuerySchemaIn = (tz: string) =>
  z.strictObject({
    status: optional(listFilter("status", VIOLATION_STATUSES), {
      description: `only these statuses: ${VIOLATION_STATUSES.join(", ")} (one or a comma-separated list)`,
    }),
    severity: optional(listFilter("severity", SEVERITIES), {
      description: `only these severities: ${SEVERITIES.join(", ")}`,
    }),
    area: optional(listFilter("area", AREAS), {
      description: `only these policy areas: ${AREAS.join(", ")}`,
    }),
    policyId: optional(listFilter("policyId"), {
      description: "only these policies (ids of loaded policies)",
    }),
    ruleId: optional(listFilter("ruleId"), {
      description: "only these rules (ids of the loaded policies' rules)",
    }),
    recordType: optional(listFilter("recordType", RECORD_TYPES), {
      description: `only records of these types: ${RECORD_TYPES.join(", ")}`,
    }),
    recordId: optional(id, { description: "only violations of this record (the caller's id)" }),
    department: optional(listFilter("department"), {
      description: "only violations of records whose `data.department` is one of these",
    }),
    assigneeRole: optional(listFilter("assigneeRole"), {
      description: "only violations assigned to one of these roles (roles of org.yaml)",
    }),
    assignee: optional(id, {
      description:
        "only violations assigned to this person (escalations included); `me`: the signed-in person",
    }),
    overdue: optional(z.enum(["true", "false"]), {
      description: "`true`: only open or acknowledged violations whose `dueAt` has passed",
    }),
    from: optional(lowerBound(tz), { description: "detectedAt ≥ from" }),
    to: optional(upperBound(tz), { description: "detectedAt ≤ to" }),
    occurredFrom: optional(lowerBound(tz), { description: "the record's occurredAt ≥ occurredFrom" }),
    occurredTo: optional(upperBound(tz), { description: "the record's occurredAt ≤ occurredTo" }),
    resolvedFrom: optional(lowerBound(tz), {
      description: "resolvedAt ≥ resolvedFrom (resolved violations)",
    }),
    resolvedTo: optional(upperBound(tz), { description: "resolvedAt ≤ resolvedTo (resolved violations)" }),
    limit: z.withMeta(pageSize(), { description: "page size, 1–500 (100)" }),
    cursor: z.optional(z.string().check(z.maxLength(8192))),
    format: z.optional(z.enum(["json", "csv", "xlsx"])),
  });
export const violationQuerySchema = documented(violationQuerySchemaIn);

/** The from/to pairs of the violation list (any pair with its start after its end is a 400). */
export const VIOLATION_RANGES = [
  ["from", "to"],
  ["occurredFrom", "occurredTo"],
  ["resolvedFrom", "resolvedTo"],
] as const;

export const evaluateQuerySchemaIn = (tz: string) =>
  z.strictObject({
    at: optional(instant(tz), { description: "evaluation time (default: now)" }),
    explain: optional(z.enum(["true", "false"]), {
      description: "`true`: each entry of `policies` also explains every rule (`rules`)",
    }),
  });
export const evaluateQuerySchema = documented(evaluateQuerySchemaIn);

export const complaintReportQuerySchemaIn = (tz: string) =>
  z.strictObject({
    from: z.withMeta(lowerBound(tz), { description: "receivedAt ≥ from" }),
    to: z.withMeta(upperBound(tz), { description: "receivedAt ≤ to" }),
    format: optional(z.enum(["json", "csv"]), { description: "`csv`: the counted complaints as CSV" }),
  });
export const complaintReportQuerySchema = documented(complaintReportQuerySchemaIn);

/** GET /v1/stats query: `from`/`to` bound `weeks` (dates per CONTRACT §8). */
export const statsQuerySchemaIn = (tz: string) =>
  z.strictObject({
    from: optional(lowerBound(tz), {
      description: "first week: the one holding this instant (default: 11 weeks before `to`)",
    }),
    to: optional(upperBound(tz), { description: "last week: the one holding this instant (default: now)" }),
  });
export const statsQuerySchema = documented(statsQuerySchemaIn);

/** GET /v1/audit/entries query (CONTRACT §2): strict, like every list. */
export const auditEntriesQuerySchemaIn = (tz: string) =>
  z.strictObject({
    subject: optional(z.string().check(z.minLength(1)).check(z.maxLength(300)), {
      description: "a record `type/id`, or a violation id: that subject's entries only",
    }),
    actor: optional(z.string().check(z.minLength(1)).check(z.maxLength(300)), {
      description: "a person id, `system`, or `client:<id>` (an ingest client)",
    }),
    from: optional(lowerBound(tz), { description: "entry `at` ≥ from" }),
    to: optional(upperBound(tz), { description: "entry `at` ≤ to" }),
    limit: pageSize(),
    cursor: z.optional(z.string().check(z.maxLength(8192))),
  });
export const auditEntriesQuerySchema = documented(auditEntriesQuerySchemaIn);

/** POST /local/sign-in (development issuer, npm start only) */
export const signInRequestSchema = z.withMeta(
  z.strictObject({
    person: z.withMeta(z.string().check(z.minLength(1)).check(z.maxLength(128)), {
      description: "a person id of the directory",
    }),
  }),
  { id: "SignInRequest" },
);
