/**
 * Request shapes of the HTTP API (CONTRACT §2–§3): path parameters, queries and bodies. The
 * handlers validate with these; the answers' shapes are in api-responses.ts, which only the OpenAPI
 * document (schemas/openapi.json), the console's types and tests read, so a Lambda bundle builds
 * the schemas of what it validates, not of everything it documents.
 */
import * as z from "zod";
import { VIOLATION_STATUSES } from "../functions/core/engine/violation-identity.ts";
import { listFilter } from "./list-filter.ts";
import { AREAS, SEVERITIES } from "./policy-terms.ts";
import { RECORD_TYPES } from "./record.ts";
import { DEFAULT_TIME_ZONE, instant, lowerBound, upperBound } from "./time.ts";

export {
  caseActionSchema,
  caseActionSchemaIn,
  violationIdSchema,
  violationPathSchema,
} from "./violation-api.ts";
export { listFilter, VIOLATION_STATUSES };

/** GET /v1/policies/{id}/versions/{n}: a version number that cannot exist is a 404, like an unknown id. */
export const policyVersionPathSchema = z.object({
  id: z.string().min(1).max(128),
  n: z.string().regex(/^[1-9][0-9]{0,8}$/),
});

const id = z.string().min(1).max(128);

/**
 * GET /v1/violations query: strict, so a misspelt filter is an error rather than ignored.
 * Times follow CONTRACT §8: a date is a day in the company's time zone (`timeZone`, from org.yaml,
 * which is loaded at runtime: handlers call `…In(tz)`; the constant uses the default zone).
 */
export const violationQuerySchemaIn = (tz: string) =>
  z.strictObject({
    status: listFilter("status", VIOLATION_STATUSES)
      .optional()
      .meta({
        description: `only these statuses: ${VIOLATION_STATUSES.join(", ")} (one or a comma-separated list)`,
      }),
    severity: listFilter("severity", SEVERITIES)
      .optional()
      .meta({ description: `only these severities: ${SEVERITIES.join(", ")}` }),
    area: listFilter("area", AREAS)
      .optional()
      .meta({ description: `only these policy areas: ${AREAS.join(", ")}` }),
    policyId: listFilter("policyId")
      .optional()
      .meta({ description: "only these policies (ids of loaded policies)" }),
    ruleId: listFilter("ruleId")
      .optional()
      .meta({ description: "only these rules (ids of the loaded policies' rules)" }),
    recordType: listFilter("recordType", RECORD_TYPES)
      .optional()
      .meta({ description: `only records of these types: ${RECORD_TYPES.join(", ")}` }),
    recordId: id.optional().meta({ description: "only violations of this record (the caller's id)" }),
    department: listFilter("department")
      .optional()
      .meta({ description: "only violations of records whose `data.department` is one of these" }),
    assigneeRole: listFilter("assigneeRole")
      .optional()
      .meta({ description: "only violations assigned to one of these roles (roles of org.yaml)" }),
    assignee: id.optional().meta({
      description:
        "only violations assigned to this person (escalations included); `me`: the signed-in person",
    }),
    overdue: z
      .enum(["true", "false"])
      .optional()
      .meta({ description: "`true`: only open or acknowledged violations whose `dueAt` has passed" }),
    from: lowerBound(tz).optional().meta({ description: "detectedAt ≥ from" }),
    to: upperBound(tz).optional().meta({ description: "detectedAt ≤ to" }),
    occurredFrom: lowerBound(tz).optional().meta({ description: "the record's occurredAt ≥ occurredFrom" }),
    occurredTo: upperBound(tz).optional().meta({ description: "the record's occurredAt ≤ occurredTo" }),
    resolvedFrom: lowerBound(tz)
      .optional()
      .meta({ description: "resolvedAt ≥ resolvedFrom (resolved violations)" }),
    resolvedTo: upperBound(tz)
      .optional()
      .meta({ description: "resolvedAt ≤ resolvedTo (resolved violations)" }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(500)
      .default(100)
      .meta({ description: "page size, 1–500 (100)" }),
    cursor: z.string().max(8192).optional(),
    format: z.enum(["json", "csv", "xlsx"]).optional(),
  });
export const violationQuerySchema = violationQuerySchemaIn(DEFAULT_TIME_ZONE);

/** The from/to pairs of the violation list (any pair with its start after its end is a 400). */
export const VIOLATION_RANGES = [
  ["from", "to"],
  ["occurredFrom", "occurredTo"],
  ["resolvedFrom", "resolvedTo"],
] as const;

export const evaluateQuerySchemaIn = (tz: string) =>
  z.strictObject({
    at: instant(tz).optional().meta({ description: "evaluation time (default: now)" }),
    explain: z
      .enum(["true", "false"])
      .optional()
      .meta({ description: "`true`: each entry of `policies` also explains every rule (`rules`)" }),
  });
export const evaluateQuerySchema = evaluateQuerySchemaIn(DEFAULT_TIME_ZONE);

export const complaintReportQuerySchemaIn = (tz: string) =>
  z.strictObject({
    from: lowerBound(tz).meta({ description: "receivedAt ≥ from" }),
    to: upperBound(tz).meta({ description: "receivedAt ≤ to" }),
    format: z.enum(["json", "csv"]).optional().meta({ description: "`csv`: the counted complaints as CSV" }),
  });
export const complaintReportQuerySchema = complaintReportQuerySchemaIn(DEFAULT_TIME_ZONE);

/** GET /v1/audit/entries query (CONTRACT §2): strict, like every list. */
export const auditEntriesQuerySchemaIn = (tz: string) =>
  z.strictObject({
    subject: z
      .string()
      .min(1)
      .max(300)
      .optional()
      .meta({ description: "a record `type/id`, or a violation id: that subject's entries only" }),
    actor: z.string().min(1).max(300).optional().meta({
      description: "a person id, `system`, or `client:<id>` (an ingest client)",
    }),
    from: lowerBound(tz).optional().meta({ description: "entry `at` ≥ from" }),
    to: upperBound(tz).optional().meta({ description: "entry `at` ≤ to" }),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(8192).optional(),
  });
export const auditEntriesQuerySchema = auditEntriesQuerySchemaIn(DEFAULT_TIME_ZONE);

/** POST /local/sign-in (development issuer, npm start only) */
export const signInRequestSchema = z
  .strictObject({ person: z.string().min(1).max(128).meta({ description: "a person id of the directory" }) })
  .meta({ id: "SignInRequest" });
