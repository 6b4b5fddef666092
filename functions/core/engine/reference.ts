/**
 * The reference semantics: each policy version compiled once into a json-rules-engine `Engine`
 * (cached per process). The compiled closures of compile.ts must agree with it on every record,
 * which test/engine/differential.test.ts checks with random records. It is also the engine a
 * policy owner can select (`COMPLIANCE_ENGINE=json-rules-engine`) to rule out the compiler when
 * a result surprises them.
 */
import { type Almanac, Engine, type EngineOptions, type RuleProperties } from "json-rules-engine";
import type { RecordEnvelope } from "../../../schemas/record.ts";
import { computeFact, DERIVED_FACTS, type FactInput } from "../policy/facts.ts";
import type { PolicySet, PolicyVersion } from "../policy/model.ts";
import { OPERATORS } from "../policy/operators.ts";
import { parsePath, resolvePath } from "../policy/path.ts";
import { toIso } from "../time.ts";
import {
  type EvaluateOptions,
  type Evaluation,
  type PolicyRef,
  toEpochMs,
  versionsInForce,
} from "./evaluate.ts";
import { type EngineCondition, fromEngineConditions, type RuleExplanation } from "./explanation.ts";
import { buildViolation, type Violation } from "./violation.ts";

export interface ReferenceOptions {
  /** Replace JSONPath with our simple-path resolver (same results for the paths policies may use). */
  readonly simplePaths?: boolean;
}

/** Resolves simple paths without JSONPath; falls back to undefined on paths it cannot parse. */
export function simplePathResolver(value: object, path: string): unknown {
  const segments = parsePath(path);
  return segments ? resolvePath(value, segments) : undefined;
}

async function baseInput(almanac: Almanac): Promise<Omit<FactInput, "fact">> {
  const [data, record, now] = await Promise.all([
    almanac.factValue("data"),
    almanac.factValue("record"),
    almanac.factValue("now"),
  ]);
  return { data, record: record as RecordEnvelope, now: now as string, nowMs: Date.parse(now as string) };
}

/** A json-rules-engine Engine for one policy version, with our facts and operators added. */
export function buildEngine(version: PolicyVersion, options: ReferenceOptions = {}): Engine {
  const engineOptions: EngineOptions = { allowUndefinedFacts: false };
  if (options.simplePaths) engineOptions.pathResolver = simplePathResolver;
  const engine = new Engine([], engineOptions);
  for (const op of OPERATORS) if (!op.builtin) engine.addOperator(op.name, (a, b) => op.test(a, b));
  for (const fact of DERIVED_FACTS)
    engine.addFact(fact.name, async (params, almanac) =>
      computeFact(fact.name, params, await baseInput(almanac)),
    );
  for (const rule of version.rules) {
    const properties: RuleProperties = {
      name: rule.id,
      conditions: rule.when as RuleProperties["conditions"],
      event: { type: rule.id },
    };
    engine.addRule(properties);
  }
  return engine;
}

export interface ReferenceEvaluator {
  evaluate(record: RecordEnvelope, options: EvaluateOptions): Promise<Evaluation>;
  evaluateVersions(
    versions: readonly PolicyVersion[],
    record: RecordEnvelope,
    options: EvaluateOptions,
  ): Promise<Evaluation>;
}

export function createReferenceEvaluator(set: PolicySet, options: ReferenceOptions = {}): ReferenceEvaluator {
  const engines = new Map<PolicyVersion, Engine>();
  const engineFor = (v: PolicyVersion) => {
    let engine = engines.get(v);
    if (!engine) {
      engine = buildEngine(v, options);
      engines.set(v, engine);
    }
    return engine;
  };
  const evaluateVersions: ReferenceEvaluator["evaluateVersions"] = async (versions, record, opts) => {
    const nowMs = toEpochMs(opts.now);
    const now = toIso(nowMs);
    const violations: Violation[] = [];
    const policies: PolicyRef[] = [];
    for (const policy of versions) {
      const { events, almanac, results, failureResults } = await engineFor(policy).run({
        data: record.data,
        record,
        now,
      });
      const fired = new Set(events.map((e) => e.type));
      if (opts.explain) {
        // json-rules-engine leaves each condition's result, fact and value on the RuleResult
        const byName = new Map([...results, ...failureResults].map((r) => [r.name, r]));
        const rules: RuleExplanation[] = policy.rules.map((rule) => {
          const ruleResult = byName.get(rule.id);
          // the engine keeps the top group's result on the RuleResult, not on the group
          // (its typings intersect condition arrays in a way no plain interface matches: read as ours)
          const conditions = ruleResult?.conditions as EngineCondition | undefined;
          const evaluated = { ...conditions, result: ruleResult?.result === true };
          const explanation = fromEngineConditions(rule.when, evaluated, rule.whenAsWritten);
          return { id: rule.id, fired: fired.has(rule.id), explanation };
        });
        policies.push({ id: policy.id, version: policy.version, rules });
      } else policies.push({ id: policy.id, version: policy.version });
      for (const rule of policy.rules) {
        if (!fired.has(rule.id)) continue;
        const evidence: Record<string, unknown> = {};
        for (const spec of rule.evidence)
          evidence[spec.key] = await almanac.factValue(
            spec.fact,
            spec.params as Record<string, unknown>,
            spec.path,
          );
        violations.push(buildViolation({ policy, rule, record, org: set.org, nowMs, evidence }));
      }
    }
    return {
      evaluatedAt: now,
      policies,
      violations,
      nextCheckAt: null,
    };
  };
  return {
    evaluateVersions,
    evaluate: (record, opts) =>
      evaluateVersions(versionsInForce(set, record.type, Date.parse(record.occurredAt)), record, opts),
  };
}
