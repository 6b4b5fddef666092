/**
 * One policy version as people read it (GET /v1/policies/{id}/versions/{n}, the rule reference):
 * its fields, parameters and rules as written, each rule's condition also in words (zh, en), and
 * until when it is in force (the next version's effectiveFrom). Pure.
 */
import type { Condition } from "../../../schemas/policy.ts";
import type { Bilingual, Citation, PolicySet, PolicyVersion, Severity } from "./model.ts";
import { conditionWordsBoth } from "./words.ts";

export interface RuleView {
  readonly id: string;
  readonly severity: Severity;
  /** As written: `{param: name}` kept (the parameters are listed beside the rules). */
  readonly when: Condition;
  readonly words: Bilingual;
  readonly assign: readonly string[];
  readonly due: string;
  readonly escalate?: readonly string[];
  readonly message: Bilingual;
  readonly source: readonly Citation[];
}

export interface PolicyVersionView {
  readonly id: string;
  readonly version: number;
  readonly effectiveFrom: string;
  /** The next version's effectiveFrom; null while no later version exists. */
  readonly effectiveUntil: string | null;
  readonly area: string;
  readonly appliesTo: PolicyVersion["appliesTo"];
  readonly title: Bilingual;
  readonly owner: string;
  readonly source: readonly Citation[];
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly rules: readonly RuleView[];
  readonly sha256: string;
}

export function policyVersionView(set: PolicySet, v: PolicyVersion): PolicyVersionView {
  const next = set.versions.find((w) => w.id === v.id && w.version === v.version + 1);
  return {
    id: v.id,
    version: v.version,
    effectiveFrom: v.effectiveFrom,
    effectiveUntil: next ? next.effectiveFrom : null,
    area: v.area,
    appliesTo: v.appliesTo,
    title: v.title,
    owner: v.owner,
    source: v.source,
    parameters: v.parameters,
    rules: v.rules.map((r) => ({
      id: r.id,
      severity: r.severity,
      when: r.whenAsWritten,
      words: conditionWordsBoth(r.whenAsWritten),
      assign: r.assign,
      due: r.due,
      ...(r.escalate ? { escalate: r.escalate } : {}),
      message: r.message,
      source: r.source,
    })),
    sha256: v.sha256,
  };
}
