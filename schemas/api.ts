/**
 * Request and response shapes of the HTTP API (CONTRACT §2–§3). The handlers validate with these,
 * the OpenAPI document (schemas/openapi.json) is generated from them, and tests check real
 * answers against that document.
 */
import * as z from "zod";
import { VIOLATION_STATUSES } from "../functions/core/engine/violation.ts";
import { RECORD_TYPES, recordSchema } from "./record.ts";
import { DEFAULT_TIME_ZONE, instant, lowerBound, until, upperBound } from "./time.ts";

export { VIOLATION_STATUSES };

const bilingual = z.object({ zh: z.string(), en: z.string() });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "stable, machine-readable: validation_failed, unauthorized, …" }),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: "Error" });

export const historyEntrySchema = z
  .object({
    status: z.enum(VIOLATION_STATUSES),
    at: z.string(),
    by: z.string().meta({ description: '"system" for automatic changes, else the person' }),
    reason: z.string().nullable(),
  })
  .meta({ id: "HistoryEntry" });

export const violationSchema = z
  .object({
    id: z.string().meta({ description: "derived from record type, record id, policyId and ruleId" }),
    policyId: z.string(),
    policyVersion: z.number().int(),
    ruleId: z.string(),
    area: z.string(),
    severity: z.enum(["low", "medium", "high", "critical"]),
    record: z.object({ type: z.enum(RECORD_TYPES), id: z.string(), revision: z.number().int() }),
    status: z.enum(VIOLATION_STATUSES),
    message: bilingual,
    assignees: z.array(z.object({ role: z.string(), people: z.array(z.string()) })),
    dueAt: z.string(),
    detectedAt: z.string(),
    resolvedAt: z.string().nullable(),
    evidence: z.record(z.string(), z.unknown()),
    source: z.array(z.object({ document: z.string(), clause: z.string() })),
  })
  .meta({ id: "Violation" });

export const storedViolationSchema = violationSchema
  .extend({
    history: z.array(historyEntrySchema),
    waivedUntil: z.string().nullable().meta({ description: "while waived: when the waiver expires" }),
    escalationLevel: z
      .number()
      .int()
      .min(0)
      .meta({ description: "how many roles of the rule's escalate list it has climbed" }),
    updatedAt: z
      .string()
      .meta({ description: "last time an evaluation or a person changed or confirmed it" }),
  })
  .meta({ id: "StoredViolation" });

export const ingestAcceptedSchema = z
  .object({ key: z.string(), revision: z.number().int(), duplicate: z.boolean() })
  .meta({ id: "IngestAccepted" });

export const ingestStaleSchema = z
  .object({
    key: z.string(),
    revision: z.number().int(),
    duplicate: z.literal(false),
    stale: z.literal(true),
  })
  .meta({ id: "IngestStale" });

export const evaluationSchema = z
  .object({
    evaluatedAt: z.string(),
    policies: z.array(z.object({ id: z.string(), version: z.number().int() })),
    violations: z.array(violationSchema),
    nextCheckAt: z
      .string()
      .nullable()
      .meta({ description: "when a pending deadline can next change the outcome" }),
  })
  .meta({ id: "Evaluation" });

export const violationListSchema = z
  .object({ items: z.array(storedViolationSchema), nextCursor: z.string().nullable() })
  .meta({ id: "ViolationList" });

export const recordResponseSchema = z
  .object({ record: recordSchema, revisions: z.array(z.number().int()) })
  .meta({ id: "RecordWithRevisions" });

export const policyListSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        version: z.number().int(),
        area: z.string(),
        appliesTo: z.enum(RECORD_TYPES),
        effectiveFrom: z.string(),
        sha256: z.string(),
      }),
    ),
  })
  .meta({ id: "PolicyList" });

export const healthSchema = z.object({ status: z.literal("ok") }).meta({ id: "Health" });

/** A violation id: 32 lowercase hex digits (of a SHA-256, see functions/core/engine/violation.ts). */
export const violationIdSchema = z.string().regex(/^[0-9a-f]{32}$/);

/** Path parameters of the routes on one violation (another id names nothing: 404). */
export const violationPathSchema = z.object({ id: violationIdSchema });

const id = z.string().min(1).max(128);

/**
 * GET /v1/violations query: strict, so a misspelt filter is an error rather than ignored.
 * Times follow CONTRACT §8: a date is a day in the company's time zone (`timeZone`, from org.yaml,
 * which is loaded at runtime: handlers call `…In(tz)`; the constants use the default zone).
 */
export const violationQuerySchemaIn = (tz: string) =>
  z.strictObject({
    status: z.enum(VIOLATION_STATUSES).optional(),
    area: id.optional(),
    policyId: id.optional(),
    ruleId: id.optional(),
    recordType: z.enum(RECORD_TYPES).optional(),
    recordId: id.optional(),
    assigneeRole: id.optional(),
    from: lowerBound(tz).optional().meta({ description: "detectedAt ≥ from" }),
    to: upperBound(tz).optional().meta({ description: "detectedAt ≤ to" }),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(8192).optional(),
    format: z.enum(["json", "csv"]).optional(),
  });
export const violationQuerySchema = violationQuerySchemaIn(DEFAULT_TIME_ZONE);

export const evaluateQuerySchemaIn = (tz: string) =>
  z.strictObject({
    at: instant(tz).optional().meta({ description: "evaluation time (default: now)" }),
  });
export const evaluateQuerySchema = evaluateQuerySchemaIn(DEFAULT_TIME_ZONE);

/** POST /v1/violations/{id}/acknowledge | waive | reopen */
export const caseActionSchemaIn = (tz: string) =>
  z.strictObject({
    by: z
      .string()
      .trim()
      .min(1)
      .max(128)
      .meta({ description: "the person acting (a person id of the org directory)" }),
    reason: z.string().trim().min(1, "a reason is required").max(2000),
    until: until(tz).optional().meta({
      description: "waive only: when the waiver expires (in the future); a date = the end of that day",
    }),
  });
// the id names the schema in the OpenAPI document; only this instance carries it (ids are unique)
export const caseActionSchema = caseActionSchemaIn(DEFAULT_TIME_ZONE).meta({ id: "CaseAction" });

export const complaintReportQuerySchemaIn = (tz: string) =>
  z.strictObject({
    from: lowerBound(tz).meta({ description: "receivedAt ≥ from" }),
    to: upperBound(tz).meta({ description: "receivedAt ≤ to" }),
  });
export const complaintReportQuerySchema = complaintReportQuerySchemaIn(DEFAULT_TIME_ZONE);

export const complaintReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    counts: z.object({
      general: z.number().int(),
      service: z.number().int(),
      quality: z.number().int(),
      legal: z.number().int(),
      media: z.number().int(),
    }),
    total: z.number().int(),
    deduction: z.number().min(0).meta({
      description:
        "percentage points deducted: 0.2 per full 10 ordinary complaints (general, service, quality) + 50 per legal or media complaint (CATALOGUE Figures; 003 4.1.3)",
    }),
  })
  .meta({ id: "ComplaintReport" });

/** GET /v1/audit/verify (CONTRACT §2): the whole audit trail checked, the first bad entry named. */
export const auditVerifySchema = z
  .object({
    ok: z.boolean(),
    entries: z.number().int().min(0).meta({ description: "audit entries checked" }),
    chains: z.number().int().min(0).optional(),
    digests: z.number().int().min(0).optional(),
    lastDigest: z
      .object({ seq: z.number().int(), at: z.string() })
      .optional()
      .meta({ description: "the latest signed digest that verified, if any" }),
    verifiedAt: z.string().optional(),
    firstBad: z
      .object({
        chain: z.union([z.string(), z.number()]),
        // not always an integer: an entry inserted under a fractional key is named by that key
        seq: z.number(),
        kind: z.enum([
          "modified",
          "missing",
          "inserted",
          "reordered",
          "digest_mismatch",
          "signature_invalid",
        ]),
        expected: z.unknown().optional(),
        found: z.unknown().optional(),
      })
      .optional()
      .meta({
        description: "present when ok is false: the first modified, missing, inserted or reordered entry",
      }),
  })
  .meta({ id: "AuditVerification" });
