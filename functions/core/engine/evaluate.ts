/**
 * evaluate(record, { now }): picks, for each policy of the record's type, the version in force at
 * `record.occurredAt`, runs its compiled rules and returns the violations (CONTRACT §3) plus the
 * next moment at which a pending deadline can change the outcome (`nextCheckAt`).
 *
 * Pure: no I/O, no clock reads. Policies are compiled once per evaluator (one per process).
 */
import type { RecordEnvelope, RecordType } from "../../../schemas/record.ts";
import type { PolicySet, PolicyVersion } from "../policy/model.ts";
import { toIso } from "../time.ts";
import { type CompiledRule, compileRule, nextDeadline } from "./compile.ts";
import { EvalContext } from "./context.ts";
import type { RuleExplanation } from "./explanation.ts";
import { buildViolation, type Violation } from "./violation.ts";

export interface EvaluateOptions {
  /** Evaluation time: deadlines are judged against it. */
  readonly now: string | Date | number;
  /** Also explain every rule of every policy evaluated (CONTRACT §2 `?explain=true`). */
  readonly explain?: boolean;
}

export interface PolicyRef {
  readonly id: string;
  readonly version: number;
  /** With `explain`: each rule of the version, in order, with why it did or did not fire. */
  readonly rules?: readonly RuleExplanation[];
}

export interface Evaluation {
  readonly evaluatedAt: string;
  readonly policies: readonly PolicyRef[];
  readonly violations: readonly Violation[];
  /** Earliest time a deadline still pending can fire a rule; null when none is pending. */
  readonly nextCheckAt: string | null;
}

export function toEpochMs(now: EvaluateOptions["now"]): number {
  const ms = typeof now === "number" ? now : typeof now === "string" ? Date.parse(now) : now.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`invalid evaluation time: ${String(now)}`);
  return ms;
}

/** For each policy of a type, the version in force at a moment (none before its first effectiveFrom). */
export function versionsInForce(set: PolicySet, type: RecordType, atMs: number): PolicyVersion[] {
  const chosen = new Map<string, PolicyVersion>();
  for (const v of set.versions) {
    if (v.appliesTo !== type || v.effectiveFromMs > atMs) continue;
    const current = chosen.get(v.id);
    if (!current || v.version > current.version) chosen.set(v.id, v);
  }
  return [...chosen.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export interface Evaluator {
  readonly set: PolicySet;
  evaluate(record: RecordEnvelope, options: EvaluateOptions): Evaluation;
  /** Evaluates against given versions, whatever is in force (policy tests, impact analysis). */
  evaluateVersions(
    versions: readonly PolicyVersion[],
    record: RecordEnvelope,
    options: EvaluateOptions,
  ): Evaluation;
}

export function createEvaluator(set: PolicySet): Evaluator {
  const compiled = new Map<PolicyVersion, CompiledRule[]>();
  const rulesOf = (v: PolicyVersion) => {
    let rules = compiled.get(v);
    if (!rules) {
      rules = v.rules.map(compileRule);
      compiled.set(v, rules);
    }
    return rules;
  };
  for (const v of set.versions) rulesOf(v); // compile eagerly: errors surface at start, not per record

  const evaluateVersions: Evaluator["evaluateVersions"] = (versions, record, options) => {
    const nowMs = toEpochMs(options.now);
    const ctx = new EvalContext(record, nowMs);
    const violations: Violation[] = [];
    const policies: PolicyRef[] = [];
    let next: number | undefined;
    for (const policy of versions) {
      const compiledRules = rulesOf(policy);
      policies.push(
        options.explain
          ? {
              id: policy.id,
              version: policy.version,
              rules: compiledRules.map((c) => {
                const explanation = c.explain(ctx);
                return { id: c.rule.id, fired: explanation.result, explanation };
              }),
            }
          : { id: policy.id, version: policy.version },
      );
      for (const c of compiledRules) {
        if (c.test(ctx)) {
          const evidence: Record<string, unknown> = {};
          for (const e of c.evidence) evidence[e.key] = e.read(ctx);
          violations.push(buildViolation({ policy, rule: c.rule, record, org: set.org, nowMs, evidence }));
        }
        const at = nextDeadline(c, ctx);
        if (at !== undefined && (next === undefined || at < next)) next = at;
      }
    }
    return {
      evaluatedAt: toIso(nowMs),
      policies,
      violations,
      nextCheckAt: next === undefined ? null : toIso(next),
    };
  };

  return {
    set,
    evaluateVersions,
    evaluate(record, options) {
      return evaluateVersions(
        versionsInForce(set, record.type, Date.parse(record.occurredAt)),
        record,
        options,
      );
    },
  };
}
