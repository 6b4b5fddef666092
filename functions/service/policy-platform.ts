/**
 * What the use cases that read only the compiled policies need: the set, its evaluator, a clock,
 * and what the set tells about rules. No table: the evaluate function (the dry run and the rule
 * reference) is built on it alone, so its bundle carries no DynamoDB client. Platform
 * (platform.ts) is this plus the stores.
 */
import type { RecordType } from "../../schemas/record.ts";
import { DEFAULT_MAX_WAIVER_DAYS } from "../core/case-actions.ts";
import type { Evaluator } from "../core/engine/evaluate.ts";
import { DomainError } from "../core/errors.ts";
import type { LoadedRule, PolicySet } from "../core/policy/model.ts";

export interface PolicyPlatform {
  readonly set: PolicySet;
  /**
   * The set's rules compiled, on first use, by the `compile` the platform was given (the engine's
   * createEvaluator): only the functions that evaluate carry the engine and pay for compiling. A
   * platform without one, or a set that leaves the rules out (`leftOut`, infra/policies.ts), is a
   * configuration error here.
   */
  readonly evaluator: Evaluator;
  readonly now: () => Date;
  /** The longest waiver in days unless a policy sets `maxWaiverDays` (COMPLIANCE_MAX_WAIVER_DAYS, 365). */
  readonly maxWaiverDays: number;
  /** The rule a violation belongs to (its policy version's), if that version is loaded. */
  ruleOf(policyId: string, version: number, ruleId: string): LoadedRule | undefined;
  /** Every (policyId, ruleId) that can ever judge a record type, over all versions. */
  readonly rulesByType: ReadonlyMap<RecordType, readonly { policyId: string; ruleId: string }[]>;
}

/** The rule engine's compiler (core/engine/evaluate.ts createEvaluator), handed in by who evaluates. */
export type CompileRules = (set: PolicySet) => Evaluator;

export function createPolicyPlatform(args: {
  set: PolicySet;
  now?: () => Date;
  maxWaiverDays?: number;
  compile?: CompileRules;
}): PolicyPlatform {
  const { set } = args;
  const rulesByType = new Map<RecordType, { policyId: string; ruleId: string }[]>();
  for (const v of set.versions) {
    const list = rulesByType.get(v.appliesTo) ?? [];
    for (const rule of v.rules)
      if (!list.some((r) => r.policyId === v.id && r.ruleId === rule.id))
        list.push({ policyId: v.id, ruleId: rule.id });
    rulesByType.set(v.appliesTo, list);
  }
  let evaluator: Evaluator | undefined;
  return {
    set,
    get evaluator() {
      if (!args.compile)
        throw new DomainError(
          "configuration_error",
          "this function's runtime has no rule engine: it does not evaluate (runtime/evaluating-runtime.ts)",
        );
      if (set.leftOut)
        throw new DomainError(
          "configuration_error",
          `this function's policy set leaves out ${set.leftOut}: it cannot evaluate (infra/policies.ts)`,
        );
      evaluator ??= args.compile(set);
      return evaluator;
    },
    now: args.now ?? (() => new Date()),
    maxWaiverDays: args.maxWaiverDays ?? DEFAULT_MAX_WAIVER_DAYS,
    rulesByType,
    ruleOf: (policyId, version, ruleId) =>
      set.versions
        .find((v) => v.id === policyId && v.version === version)
        ?.rules.find((r) => r.id === ruleId),
  };
}

/** COMPLIANCE_MAX_WAIVER_DAYS: a positive number of days, else the default (one year). */
export function maxWaiverDaysFromEnv(env: NodeJS.ProcessEnv): number {
  const value = Number(env.COMPLIANCE_MAX_WAIVER_DAYS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_WAIVER_DAYS;
}
