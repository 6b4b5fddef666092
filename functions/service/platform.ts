/**
 * What the use cases need, assembled once per process (a Lambda container or `npm start`):
 * repositories (service/repositories.ts; here their DynamoDB implementations), the compiled
 * policies and a clock. Handlers and the local runtime build it the same way.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { RecordType } from "../../schemas/record.ts";
import { createEvaluator, type Evaluator } from "../core/engine/evaluate.ts";
import { violationId } from "../core/engine/violation.ts";
import type { LoadedRule, PolicySet } from "../core/policy/model.ts";
import { PolicyVersionsStore } from "../store/policy-versions.ts";
import { RecordsStore } from "../store/records.ts";
import type { TableNames } from "../store/tables.ts";
import { ViolationsStore } from "../store/violations.ts";
import type { PolicyVersionRepository, RecordRepository, ViolationRepository } from "./repositories.ts";

/** The little logging the use cases do (Powertools Logger satisfies it). */
export interface Log {
  error(message: string, extra: Record<string, string | number | boolean>): void;
}

export interface Platform {
  readonly set: PolicySet;
  readonly evaluator: Evaluator;
  /**
   * `doc`, the DynamoDB client under the stores, is read only to build the audit trail's store
   * (handlers/audit-runtime.ts, its tests); it goes when the audit branch gives that a repository.
   */
  readonly records: RecordRepository & { readonly doc: DynamoDBDocumentClient };
  readonly violations: ViolationRepository;
  readonly policyVersions: PolicyVersionRepository;
  readonly now: () => Date;
  /** The rule a violation belongs to (its policy version's), if that version is loaded. */
  ruleOf(policyId: string, version: number, ruleId: string): LoadedRule | undefined;
  /** Every (policyId, ruleId) that can ever judge a record type, over all versions. */
  readonly rulesByType: ReadonlyMap<RecordType, readonly { policyId: string; ruleId: string }[]>;
}

export function createPlatform(args: {
  set: PolicySet;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  now?: () => Date;
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
    records: new RecordsStore(args.doc, args.tables.records, args.tables.recordHeads),
    violations: new ViolationsStore(args.doc, args.tables.violations),
    policyVersions: new PolicyVersionsStore(args.doc, args.tables.policyVersions),
    now: args.now ?? (() => new Date()),
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
