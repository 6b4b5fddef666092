/**
 * The API's answers, as the console reads them. Every shape that schemas/api-responses.ts defines is taken
 * from there (`import type` of the zod schemas that also generate the OpenAPI document), so the
 * console never restates it; `import type` is erased, so no zod enters the console's bundle.
 *
 * The shapes below "PROVISIONAL" are CONTRACT 1.1 endpoints whose schemas the `answers` branch is
 * adding to schemas/api.ts (stats, revisions, the complaint report's items). Each is written from the
 * contract's words and is to be replaced by an `import type` of its schema once that branch is merged.
 */
import type * as z from "zod";
import type {
  auditEntryListSchema,
  auditVerifySchema,
  complaintReportSchema,
  ExplainedCondition,
  ExplanationNode,
  errorSchema,
  evaluationSchema,
  historyEntrySchema,
  peopleListSchema,
  personViewSchema,
  policyListSchema,
  policyVersionSchema,
  recordResponseSchema,
  signInSchema,
  storedViolationSchema,
  violationListSchema,
} from "../../schemas/api-responses.ts";

export type { ExplanationNode };

export type ApiErrorBody = z.output<typeof errorSchema>;
export type Violation = z.output<typeof storedViolationSchema>;
export type HistoryEntry = z.output<typeof historyEntrySchema>;
export type ViolationList = z.output<typeof violationListSchema>;
/** POST /v1/evaluate, with `?explain=true` each policy's `rules` and their explanation trees */
export type Evaluation = z.output<typeof evaluationSchema>;
export type ExplainedEvaluation = Evaluation;
export type ExplanationLeaf = ExplainedCondition;
/** GET /v1/policies/{id}/versions/{n}: the version, each rule also in words */
export type PolicyVersionDetail = z.output<typeof policyVersionSchema>;
export type PolicyList = z.output<typeof policyListSchema>;
export type PolicyListItem = PolicyList["items"][number];
export type RecordWithRevisions = z.output<typeof recordResponseSchema>;
export type RecordEnvelope = RecordWithRevisions["record"];
export type AuditVerification = z.output<typeof auditVerifySchema>;
/** GET /v1/audit/entries */
export type AuditEntryList = z.output<typeof auditEntryListSchema>;
export type AuditEntry = AuditEntryList["items"][number];
/** GET /v1/me, and `person` of POST /local/sign-in (CONTRACT §6) */
export type Person = z.output<typeof personViewSchema>;
/** POST /local/sign-in (CONTRACT §6) */
export type LocalSignIn = z.output<typeof signInSchema>;
/** GET /local/people (CONTRACT §6): the directory, for a sign-in picker */
export type PeopleList = z.output<typeof peopleListSchema>;
export type ComplaintReport = z.output<typeof complaintReportSchema> & {
  /** PROVISIONAL (CONTRACT §2): the counted complaints */
  items?: { type: string; id: string; category: string; receivedAt: string }[];
};

export type ViolationStatus = Violation["status"];
export type Severity = Violation["severity"];
export type RecordType = Violation["record"]["type"];
export type Bilingual = Violation["message"];

// ---- PROVISIONAL: CONTRACT 1.1 shapes not yet in schemas/api.ts ----

/** GET /v1/records/{type}/{id}/revisions/{n} (CONTRACT §2) */
export interface RecordRevision {
  record: RecordEnvelope;
  receivedAt: string;
  clientId: string;
}

/** GET /v1/stats (CONTRACT §2) */
export interface Stats {
  open: {
    byArea: Record<string, number>;
    bySeverity: Record<string, number>;
    byRole: Record<string, number>;
  };
  overdue: number;
  weeks: { week: string; opened: number; resolved: number }[];
  meanHoursToResolve: Record<string, number>;
}
