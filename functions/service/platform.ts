/**
 * What the use cases need, assembled once per process (a Lambda container or `npm start`): the
 * repositories (store/repositories.ts: small interfaces; the DynamoDB implementation owns keys,
 * index shards and pagination), the compiled policies and a clock. Handlers and the local runtime
 * build it the same way.
 */
import type { RecordType } from "../../schemas/record.ts";
import { violationId } from "../core/engine/violation-identity.ts";
import type { PolicySet } from "../core/policy/model.ts";
import type { Storage } from "../store/repositories.ts";
import { type CompileRules, createPolicyPlatform, type PolicyPlatform } from "./policy-platform.ts";

export { maxWaiverDaysFromEnv } from "./policy-platform.ts";

/** The little logging the use cases do (Powertools Logger satisfies it). */
export interface Log {
  error(message: string, extra: Record<string, string | number | boolean>): void;
}

/** The policies' part (policy-platform.ts: the set, its evaluator, a clock) and the repositories. */
export interface Platform extends PolicyPlatform, Storage {}

export function createPlatform(args: {
  set: PolicySet;
  storage: Storage;
  now?: () => Date;
  maxWaiverDays?: number;
  /** The rule engine (createEvaluator), for a platform that evaluates. */
  compile?: CompileRules;
}): Platform {
  const policies = createPolicyPlatform(args);
  // not a spread: it would compile the rules now (the evaluator is a getter)
  return Object.defineProperties(
    {
      records: args.storage.records,
      violations: args.storage.violations,
      policyVersions: args.storage.policyVersions,
      stats: args.storage.stats,
    },
    Object.getOwnPropertyDescriptors(policies),
  ) as Platform;
}

/** Ids of every violation a record could have: derived, so no index is needed to find them. */
export function candidateViolationIds(platform: Platform, type: RecordType, id: string): string[] {
  return (platform.rulesByType.get(type) ?? []).map((r) => violationId(type, id, r.policyId, r.ruleId));
}
