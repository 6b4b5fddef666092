/**
 * The violation shape of CONTRACT §3, built from a rule that fired. One violation per
 * (record type, record id, policyId, ruleId): its id is derived from those four only.
 */
import { createHash } from "node:crypto";
import type { RecordEnvelope, RecordType } from "../../../schemas/record.ts";
import type {
  Bilingual,
  Citation,
  LoadedRule,
  OrgDirectory,
  PolicyVersion,
  Severity,
} from "../policy/model.ts";
import { parsePath, resolvePath } from "../policy/path.ts";
import { toIso } from "../time.ts";
import { interpolate, toEvidence } from "./format.ts";

export const VIOLATION_STATUSES = ["open", "acknowledged", "waived", "resolved"] as const;
export type ViolationStatus = (typeof VIOLATION_STATUSES)[number];

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

/** 32 hex characters of sha256 over the four identifying fields. */
export function violationId(type: string, recordId: string, policyId: string, ruleId: string): string {
  return createHash("sha256")
    .update(JSON.stringify([type, recordId, policyId, ruleId]))
    .digest("hex")
    .slice(0, 32);
}

/** People holding a role; department-scoped roles resolve by the record's department ("*" = any other). */
export function peopleFor(org: OrgDirectory, role: string, department: unknown): string[] {
  const entry = org.roles[role];
  if (!entry) return [];
  if (entry.people) return [...entry.people];
  const byDepartment = entry.byDepartment ?? {};
  const dept = typeof department === "string" ? department.trim() : "";
  return [...(byDepartment[dept] ?? byDepartment["*"] ?? [])];
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
  const lookup = (name: string): unknown => {
    if (Object.hasOwn(args.evidence, name)) return args.evidence[name];
    if (name.startsWith("params.")) return policy.parameters[name.slice(7)];
    if (name.startsWith("data.")) return resolvePath(record.data, parsePath(`$.${name.slice(5)}`) ?? []);
    if (name.startsWith("record.")) return (record as unknown as Record<string, unknown>)[name.slice(7)];
    return undefined;
  };
  const department = (record.data as { department?: unknown }).department;
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
      zh: interpolate(rule.message.zh, "zh", lookup),
      en: interpolate(rule.message.en, "en", lookup),
    },
    assignees: rule.assign.map((role) => ({ role, people: peopleFor(org, role, department) })),
    dueAt: toIso(nowMs + rule.dueMs),
    detectedAt: toIso(nowMs),
    resolvedAt: null,
    evidence,
    source: rule.source,
  };
}
