/**
 * Request and response shapes of the HTTP API (CONTRACT §2–§3). The handlers validate with these,
 * the OpenAPI document (schemas/openapi.json) is generated from them, and tests check real
 * answers against that document.
 */
import * as z from "zod";
import { VIOLATION_STATUSES } from "../functions/core/engine/violation-identity.ts";
import { listFilter } from "./list-filter.ts";
import { AREAS, SEVERITIES } from "./policy-terms.ts";
import { RECORD_TYPES, recordSchema } from "./record.ts";
import { DEFAULT_TIME_ZONE, instant, lowerBound, until, upperBound } from "./time.ts";

export { listFilter, VIOLATION_STATUSES };

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

export const healthSchema = z.object({ status: z.literal("ok") }).meta({ id: "Health" });

export const healthUnavailableSchema = z
  .object({
    status: z.literal("unavailable"),
    dependencies: z
      .record(z.string(), z.enum(["ok", "unavailable"]))
      .meta({ description: "each dependency checked, e.g. dynamodb" }),
  })
  .meta({ id: "HealthUnavailable" });

/** A violation id: 32 lowercase hex digits (of a SHA-256, see functions/core/engine/violation.ts). */
export const violationIdSchema = z.string().regex(/^[0-9a-f]{32}$/);

/** Path parameters of the routes on one violation (another id names nothing: 404). */
export const violationPathSchema = z.object({ id: violationIdSchema });

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

/** POST /v1/violations/{id}/acknowledge | waive | reopen */
export const caseActionSchemaIn = (tz: string) =>
  z.strictObject({
    by: z.string().max(128).optional().meta({
      description:
        "optional: the person acting, which must be exactly the signed-in person's id (else 403 actor_mismatch); history names the caller either way",
    }),
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
    format: z.enum(["json", "csv"]).optional().meta({ description: "`csv`: the counted complaints as CSV" }),
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

/** POST /local/sign-in (development issuer, npm start only) */
export const signInRequestSchema = z
  .strictObject({ person: z.string().min(1).max(128).meta({ description: "a person id of the directory" }) })
  .meta({ id: "SignInRequest" });

export const signInSchema = z
  .object({
    token: z.string().meta({ description: "an ID token (JWT): send it as `Authorization: Bearer <token>`" }),
    expiresAt: z.string().meta({ description: "when the token expires (UTC)" }),
    person: personViewSchema,
  })
  .meta({ id: "SignIn" });

export const peopleListSchema = z.object({ items: z.array(personViewSchema) }).meta({ id: "PeopleList" });
