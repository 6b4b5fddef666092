/**
 * What the use cases need, assembled once per process (a Lambda container or `npm start`): the
 * repositories (store/repositories.ts: small interfaces; the DynamoDB implementation owns keys,
 * index shards and pagination), the compiled policies and a clock. Handlers and the local runtime
 * build it the same way.
 */
import type { RecordType } from "../../schemas/record.ts";
import { DEFAULT_MAX_WAIVER_DAYS } from "../core/case-actions.ts";
import { createEvaluator, type Evaluator } from "../core/engine/evaluate.ts";
import { violationId } from "../core/engine/violation.ts";
import type { LoadedRule, PolicySet } from "../core/policy/model.ts";
import type {
  PolicyVersionRepository,
  RecordRepository,
  StatsRepository,
  Storage,
  ViolationRepository,
} from "../store/repositories.ts";

/** The little logging the use cases do (Powertools Logger satisfies it). */
export interface Log {
  error(message: string, extra: Record<string, string | number | boolean>): void;
}

export interface Platform {
  readonly set: PolicySet;
  readonly evaluator: Evaluator;
  readonly records: RecordRepository;
  readonly violations: ViolationRepository;
  readonly policyVersions: PolicyVersionRepository;
  /** The counters GET /v1/stats answers from. */
  readonly stats: StatsRepository;
  readonly now: () => Date;
  /** The longest waiver in days unless a policy sets `maxWaiverDays` (COMPLIANCE_MAX_WAIVER_DAYS, 365). */
  readonly maxWaiverDays: number;
  /** The rule a violation belongs to (its policy version's), if that version is loaded. */
  ruleOf(policyId: string, version: number, ruleId: string): LoadedRule | undefined;
  /** Every (policyId, ruleId) that can ever judge a record type, over all versions. */
  readonly rulesByType: ReadonlyMap<RecordType, readonly { policyId: string; ruleId: string }[]>;
}

export function createPlatform(args: {
  set: PolicySet;
  storage: Storage;
  now?: () => Date;
  maxWaiverDays?: number;
}): Platform {
  const rulesByType = new Map<RecordType, { policyId: string; ruleId: string }[]>();
  for (const v of args.set.versions) {
    const list = rulesByType.get(v.appliesTo) ?? [];
    for (const rule of v.rules)
      if (!list.some((r) => r.policyId === v.id && r.ruleId === rule.id))
        list.push({ policyId: v.id, ruleId: rule.id });
    rulesByType.set(v.appliesTo, list);
  }
  return {
    set: args.set,
    evaluator: createEvaluator(args.set),
    records: args.storage.records,
    violations: args.storage.violations,
    policyVersions: args.storage.policyVersions,
    stats: args.storage.stats,
    now: args.now ?? (() => new Date()),
    maxWaiverDays: args.maxWaiverDays ?? DEFAULT_MAX_WAIVER_DAYS,
    rulesByType,
    ruleOf: (policyId, version, ruleId) =>
      args.set.versions
        .find((v) => v.id === policyId && v.version === version)
        ?.rules.find((r) => r.id === ruleId),
  };
}

/** Ids of every violation a record could have: derived, so no index is needed to find them. */
export function candidateViolationIds(platform: Platform, type: RecordType, id: string): string[] {
  return (platform.rulesByType.get(type) ?? []).map((r) => violationId(type, id, r.policyId, r.ruleId));
}

/** COMPLIANCE_MAX_WAIVER_DAYS: a positive number of days, else the default (one year). */
export function maxWaiverDaysFromEnv(env: NodeJS.ProcessEnv): number {
  const value = Number(env.COMPLIANCE_MAX_WAIVER_DAYS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_WAIVER_DAYS;
}
