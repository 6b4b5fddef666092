/**
 * What the use cases need, assembled once per process (a Lambda container or `npm start`):
 * the DynamoDB stores (they own keys, index shards and pagination), the compiled policies and a
 * clock. Handlers and the local runtime build it the same way.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { RecordType } from "../../schemas/record.ts";
import { violationId } from "../core/engine/violation-identity.ts";
import type { PolicySet } from "../core/policy/model.ts";
import { PolicyVersionsStore } from "../store/policy-versions.ts";
import { RecordsStore } from "../store/records.ts";
import { StatsStore } from "../store/stats.ts";
import type { TableNames } from "../store/tables.ts";
import { ViolationsStore } from "../store/violations.ts";
import { type CompileRules, createPolicyPlatform, type PolicyPlatform } from "./policy-platform.ts";

export { maxWaiverDaysFromEnv } from "./policy-platform.ts";

/** The little logging the use cases do (Powertools Logger satisfies it). */
export interface Log {
  error(message: string, extra: Record<string, string | number | boolean>): void;
}

/** The policies' part (policy-platform.ts: the set, its evaluator, a clock) and the stores. */
export interface Platform extends PolicyPlatform {
  readonly records: RecordsStore;
  readonly violations: ViolationsStore;
  readonly policyVersions: PolicyVersionsStore;
  /** The counters GET /v1/stats answers from. */
  readonly stats: StatsStore;
}

export function createPlatform(args: {
  set: PolicySet;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  now?: () => Date;
  maxWaiverDays?: number;
  /** The rule engine (createEvaluator), for a platform that evaluates. */
  compile?: CompileRules;
}): Platform {
  const policies = createPolicyPlatform(args);
  // not a spread: it would compile the rules now (the evaluator is a getter)
  return Object.defineProperties(
    {
      records: new RecordsStore(args.doc, args.tables.records, args.tables.recordHeads),
      violations: new ViolationsStore(args.doc, args.tables.violations),
      policyVersions: new PolicyVersionsStore(args.doc, args.tables.policyVersions),
      stats: new StatsStore(args.doc, args.tables.stats),
    },
    Object.getOwnPropertyDescriptors(policies),
  ) as Platform;
}

/** Ids of every violation a record could have: derived, so no index is needed to find them. */
export function candidateViolationIds(platform: Platform, type: RecordType, id: string): string[] {
  return (platform.rulesByType.get(type) ?? []).map((r) => violationId(type, id, r.policyId, r.ruleId));
}
