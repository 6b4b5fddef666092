/**
 * The violation shape of CONTRACT §3, built from a rule that fired. One violation per
 * (record type, record id, policyId, ruleId): its id is derived from those four only.
 */
import type { RecordEnvelope, RecordType } from "../../../schemas/record.ts";
import { fieldCodeKind } from "../code-names.ts";
import { peopleFor, recordDepartment } from "../directory.ts";
import { DERIVED_FACT_BY_NAME } from "../policy/facts.ts";
import type {
  Bilingual,
  Citation,
  LoadedRule,
  OrgDirectory,
  PolicyVersion,
  Severity,
} from "../policy/model.ts";
import { parsePath, resolvePath } from "../policy/path.ts";
import { isoDurationInWords, toIso } from "../time.ts";
import { type Resolved, renderMessage, toEvidence, type ValueKind } from "./format.ts";
import { type ViolationStatus, violationId } from "./violation-identity.ts";

export { VIOLATION_STATUSES, type ViolationStatus, violationId } from "./violation-identity.ts";
export { peopleFor };

export interface Assignee {
  readonly role: string;
  readonly people: readonly string[];
}

export interface Violation {
  readonly id: string;
  readonly policyId: string;
  readonly policyVersion: number;
  readonly ruleId: string;
  readonly area: string;
  readonly severity: Severity;
  readonly record: { readonly type: RecordType; readonly id: string; readonly revision: number };
  readonly status: ViolationStatus;
  readonly message: Bilingual;
  readonly assignees: readonly Assignee[];
  readonly dueAt: string;
  readonly detectedAt: string;
  readonly resolvedAt: string | null;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly source: readonly Citation[];
}

export function buildViolation(args: {
  policy: PolicyVersion;
  rule: LoadedRule;
  record: RecordEnvelope;
  org: OrgDirectory;
  nowMs: number;
  evidence: Readonly<Record<string, unknown>>;
}): Violation {
  const { policy, rule, record, org, nowMs } = args;
  const evidence = toEvidence(args.evidence);
  // a policy's own text (a parameter, a value chosen from parameters) that is an ISO duration
  const policyValue = (value: unknown, kind?: ValueKind): Resolved => ({
    value,
    kind: kind ?? (typeof value === "string" && isoDurationInWords(value, "en") ? "duration" : undefined),
  });
  const resolve = (name: string): Resolved => {
    if (Object.hasOwn(args.evidence, name)) {
      const value = args.evidence[name];
      const spec = rule.evidence.find((e) => e.key === name);
      if (!spec) return { value };
      if (spec.fact === "data")
        return { value, kind: spec.path ? fieldCodeKind(record.type, spec.path) : undefined };
      if (spec.fact === "record") return { value, kind: spec.path === "$.type" ? "recordType" : undefined };
      return policyValue(value, DERIVED_FACT_BY_NAME.get(spec.fact)?.codes);
    }
    if (name.startsWith("params.")) {
      const param = name.slice(7);
      return policyValue(policy.parameters[param], policy.parameterCodes?.[param]);
    }
    if (name.startsWith("data.")) {
      const path = `$.${name.slice(5)}`;
      return {
        value: resolvePath(record.data, parsePath(path) ?? []),
        kind: fieldCodeKind(record.type, path),
      };
    }
    if (name.startsWith("record.")) {
      const field = name.slice(7);
      return {
        value: (record as unknown as Record<string, unknown>)[field],
        kind: field === "type" ? "recordType" : undefined,
      };
    }
    return { value: undefined };
  };
  const department = recordDepartment(record);
  return {
    id: violationId(record.type, record.id, policy.id, rule.id),
    policyId: policy.id,
    policyVersion: policy.version,
    ruleId: rule.id,
    area: policy.area,
    severity: rule.severity,
    record: { type: record.type, id: record.id, revision: record.revision },
    status: "open",
    message: {
      zh: renderMessage(rule.message.zh, "zh", resolve, org),
      en: renderMessage(rule.message.en, "en", resolve, org),
    },
    assignees: rule.assign.map((role) => ({ role, people: peopleFor(org, role, department) })),
    dueAt: toIso(nowMs + rule.dueMs),
    detectedAt: toIso(nowMs),
    resolvedAt: null,
    evidence,
    source: rule.source,
  };
}
