/**
 * Response shapes of the HTTP API (CONTRACT §2–§3): what the routes answer. The OpenAPI document
 * (functions/api/openapi.ts → schemas/openapi.json) is generated from them, the console's types are
 * inferred from them and tests check real answers against that document. Route docs name them by
 * their OpenAPI id (`ref("ViolationList")`, RESPONSES below), so no Lambda bundle builds them:
 * request shapes are in api.ts.
 */
import * as z from "zod";
import { VIOLATION_STATUSES } from "../functions/core/engine/violation-identity.ts";
import { SEVERITIES } from "./policy-terms.ts";
import { RECORD_TYPES, recordSchema } from "./record.ts";

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

/** A condition of an explanation (CONTRACT §2): what was read, compared with what, and the result. */
export const explainedConditionSchema = z
  .object({
    fact: z.string(),
    path: z.string().optional(),
    operator: z.string(),
    value: z
      .unknown()
      .meta({ description: "as the policy writes it (`{param: name}`, `{fact, path}` kept)" }),
    expected: z
      .unknown()
      .meta({ description: "what the operator compared with: parameters substituted, fact references read" }),
    actual: z.unknown().meta({ description: "the fact's value read from the record (null when absent)" }),
    result: z.boolean(),
  })
  .meta({ id: "ExplainedCondition" });

export type ExplainedCondition = z.output<typeof explainedConditionSchema>;
/** The rule's `when` as a tree of the same shape (a recursive type: zod cannot infer it). */
export type ExplanationNode =
  | { all: ExplanationNode[]; result: boolean }
  | { any: ExplanationNode[]; result: boolean }
  | { not: ExplanationNode; result: boolean }
  | ExplainedCondition;

/** The rule's `when` as a tree of the same shape, every condition evaluated (no short-circuit). */
export const explanationSchema: z.ZodType<ExplanationNode> = z
  .lazy(() =>
    z.union([
      z.object({ all: z.array(explanationSchema), result: z.boolean() }),
      z.object({ any: z.array(explanationSchema), result: z.boolean() }),
      z.object({ not: explanationSchema, result: z.boolean() }),
      explainedConditionSchema,
    ]),
  )
  .meta({
    id: "Explanation",
    description:
      "The rule's `when` as a tree of the same shape: groups `{all|any: […], result}`, `{not: {…}, result}`, leaves `{fact, path?, operator, value, expected, actual, result}`.",
  });

export const ruleExplanationSchema = z
  .object({
    id: z.string(),
    fired: z.boolean().meta({ description: "equals `explanation.result`" }),
    explanation: explanationSchema,
  })
  .meta({ id: "RuleExplanation" });

export const evaluationSchema = z
  .object({
    evaluatedAt: z.string(),
    policies: z.array(
      z.object({
        id: z.string(),
        version: z.number().int(),
        rules: z.array(ruleExplanationSchema).optional().meta({
          description:
            "with `?explain=true` only: every rule of the version, in order, and why it did or did not fire",
        }),
      }),
    ),
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

/** GET /v1/records/{type}/{id}/revisions/{n}: one stored revision, as received. */
export const recordRevisionSchema = z
  .object({
    record: recordSchema,
    receivedAt: z.string().meta({ description: "when the platform stored this revision (UTC)" }),
    clientId: z.string().meta({ description: "the ingest client that sent it" }),
  })
  .meta({ id: "RecordRevision" });

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

/** GET /v1/policies/{id}/versions/{n}: one version as its file writes it, each rule also in words. */
export const policyVersionSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    effectiveFrom: z.string().meta({ description: "date from which this version is in force" }),
    effectiveUntil: z.string().nullable().meta({
      description:
        "the next version's effectiveFrom (this one is in force before it); null: no later version",
    }),
    area: z.string(),
    appliesTo: z.enum(RECORD_TYPES),
    title: bilingual,
    owner: z.string(),
    source: z.array(z.object({ document: z.string(), clause: z.string() })),
    parameters: z.record(z.string(), z.unknown()),
    rules: z.array(
      z.object({
        id: z.string(),
        severity: z.enum(SEVERITIES),
        when: z
          .unknown()
          .meta({ description: "json-rules-engine conditions as written (`{param: name}` kept)" }),
        words: bilingual.meta({ description: "the condition in words, zh and en" }),
        assign: z.array(z.string()),
        due: z.string().meta({ description: "ISO 8601 duration, from detection" }),
        escalate: z.array(z.string()).optional(),
        message: bilingual,
        source: z.array(z.object({ document: z.string(), clause: z.string() })),
      }),
    ),
    sha256: z.string().meta({ description: "of the file's bytes" }),
  })
  .meta({ id: "PolicyVersion" });

const countMap = z.record(z.string(), z.number().int().min(0));

/** GET /v1/stats */
export const statsSchema = z
  .object({
    open: z.object({ byArea: countMap, bySeverity: countMap, byRole: countMap }).meta({
      description: "violations in status `open`, by area, severity and assigned role (escalations included)",
    }),
    overdue: z
      .number()
      .int()
      .min(0)
      .meta({ description: "open or acknowledged violations past their dueAt" }),
    weeks: z
      .array(
        z.object({
          week: z.string().meta({ description: "ISO week in the company's time zone, e.g. 2026-W10" }),
          opened: z.number().int().min(0).meta({ description: "violations first detected that week" }),
          resolved: z.number().int().min(0).meta({ description: "resolutions that week" }),
        }),
      )
      .meta({ description: "every week from `from` to `to`, in order" }),
    meanHoursToResolve: z.record(z.string(), z.number().min(0)).meta({
      description: "per policyId: mean hours from (re)opening to resolution, over every resolution",
    }),
  })
  .meta({ id: "Stats" });

/** GET /openapi.json: this document's own schema (OpenAPI 3.1). */
export const openApiDocumentSchema = z
  .looseObject({
    openapi: z.literal("3.1.0"),
    info: z.looseObject({ title: z.string(), version: z.string() }),
  })
  .meta({ id: "OpenApiDocument", description: "This document (OpenAPI 3.1)." });

export const healthSchema = z.object({ status: z.literal("ok") }).meta({ id: "Health" });

export const healthUnavailableSchema = z
  .object({
    status: z.literal("unavailable"),
    dependencies: z
      .record(z.string(), z.enum(["ok", "unavailable"]))
      .meta({ description: "each dependency checked, e.g. dynamodb" }),
  })
  .meta({ id: "HealthUnavailable" });

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
    items: z
      .array(
        z.object({
          type: z.literal("complaint"),
          id: z.string(),
          category: z.string(),
          receivedAt: z.string(),
        }),
      )
      .meta({ description: "the counted complaints, by receivedAt" }),
    deduction: z.number().min(0).meta({
      description:
        "percentage points deducted: 0.2 per full 10 ordinary complaints (general, service, quality) + 50 per legal or media complaint (seed regulation 003, 4.1.3)",
    }),
  })
  .meta({ id: "ComplaintReport" });

/** One audit entry as listed: what happened, to which subject, by whom, and where it is chained. */
export const auditEntrySchema = z
  .looseObject({
    at: z.string().meta({ description: "when it happened (a revision's receipt, a status change)" }),
    kind: z.string().meta({ description: "`record.revision`, `violation.<status>`, `violation.escalated`" }),
    subject: z.string().meta({ description: "`type/id` for a record, the id for a violation" }),
    actor: z.string().meta({ description: "a person id, `system`, or `client:<id>`" }),
    chain: z.number().int().min(0),
    seq: z.number().int().min(1),
  })
  .meta({ id: "AuditEntry" });

export const auditEntryListSchema = z
  .object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() })
  .meta({ id: "AuditEntryList" });

/** GET /v1/audit/verify (CONTRACT §2): the whole audit trail checked, the first bad entry named. */
export const auditVerifySchema = z
  .object({
    ok: z.boolean(),
    entries: z.number().int().min(0).meta({ description: "audit entries checked" }),
    chains: z.number().int().min(0).optional(),
    digests: z.number().int().min(0).optional().meta({
      description: "signed digests checked (those in the table and those in the anchor, once each)",
    }),
    events: z.number().int().min(0).optional().meta({
      description:
        "completeness: stored record revisions and violation status changes (history entries) that must each have an audit entry",
    }),
    pending: z.number().int().min(0).optional().meta({
      description:
        "of `events`, those without an entry that the audit consumer has not reached yet (not a problem: they are appended within seconds)",
    }),
    missing: z.number().int().min(0).optional().meta({
      description:
        "of `events`, those without an entry that the consumer has passed: the trail is incomplete (ok is false)",
    }),
    firstMissing: z.object({ key: z.string(), at: z.string() }).optional().meta({
      description:
        "the oldest missing source event: `record:<type>#<id>@<revision>` or `violation:<id>@<history position>`, and its time",
    }),
    anchored: z.number().int().min(0).optional().meta({
      description:
        "digests found in the anchor outside the audit tables (a local file; an S3 Object Lock bucket on AWS)",
    }),
    anchor: z.string().optional().meta({ description: "where the digests are anchored" }),
    lastDigest: z
      .object({ seq: z.number().int(), at: z.string() })
      .optional()
      .meta({ description: "the latest signed digest that verified, if any" }),
    verifiedAt: z.string().optional(),
    firstBad: z
      .object({
        chain: z.union([z.string(), z.number()]),
        // not always an integer: an entry inserted under a fractional key is named by that key
        seq: z.number().meta({
          description:
            "the entry's (or digest's) sequence number; 0 for a source event with no entry at all (expected names it)",
        }),
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
        description:
          "present when ok is false: the first modified, missing, inserted or reordered entry; chain `digests` for a digest that is missing (deleted from the table but anchored, or none sealed an entry within two intervals), altered or unsigned",
      }),
  })
  .meta({ id: "AuditVerification" });

/** A person as GET /v1/me, GET /local/people and POST /local/sign-in show them (CONTRACT §6). */
export const personViewSchema = z
  .object({
    id: z.string().meta({ description: "the person's id (what assignees and history carry)" }),
    name: bilingual,
    email: z.string(),
    department: z.string(),
    roles: z.array(z.string()).meta({ description: "every role of policies/org.yaml the person holds" }),
  })
  .meta({ id: "PersonView" });

export const signInSchema = z
  .object({
    token: z.string().meta({ description: "an ID token (JWT): send it as `Authorization: Bearer <token>`" }),
    expiresAt: z.string().meta({ description: "when the token expires (UTC)" }),
    person: personViewSchema,
  })
  .meta({ id: "SignIn" });

export const peopleListSchema = z.object({ items: z.array(personViewSchema) }).meta({ id: "PeopleList" });

/** Every response shape a route's doc names, by its OpenAPI id (`ref("…")` in functions/api/*-routes.ts). */
export const RESPONSES = {
  Error: errorSchema,
  StoredViolation: storedViolationSchema,
  IngestAccepted: ingestAcceptedSchema,
  IngestStale: ingestStaleSchema,
  Evaluation: evaluationSchema,
  ViolationList: violationListSchema,
  RecordWithRevisions: recordResponseSchema,
  RecordRevision: recordRevisionSchema,
  Stats: statsSchema,
  PolicyList: policyListSchema,
  PolicyVersion: policyVersionSchema,
  Health: healthSchema,
  OpenApiDocument: openApiDocumentSchema,
  HealthUnavailable: healthUnavailableSchema,
  ComplaintReport: complaintReportSchema,
  AuditEntryList: auditEntryListSchema,
  AuditVerification: auditVerifySchema,
  PersonView: personViewSchema,
  SignIn: signInSchema,
  PeopleList: peopleListSchema,
} as const;

export type ResponseName = keyof typeof RESPONSES;
