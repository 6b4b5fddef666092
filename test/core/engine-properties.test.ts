/**
 * Properties of evaluation on random schema-valid records (fast-check):
 * - the compiled evaluator agrees with json-rules-engine (the reference semantics) on which
 *   rules fire and on every violation field, and on every node of the explanations (`explain`);
 * - evaluation is deterministic and never throws.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEvaluator } from "../../functions/core/engine/evaluate.ts";
import type { ExplainedLeaf, Explanation } from "../../functions/core/engine/explanation.ts";
import { createReferenceEvaluator } from "../../functions/core/engine/reference.ts";
import { now, record } from "../support/arbitraries.ts";
import { shippedPolicies } from "../support/policies.ts";

const set = shippedPolicies();
const LEAF_KEYS = ["fact", "operator", "value", "expected", "actual", "result"];

/** Every leaf of an explanation, checking on the way that each group's result follows from its children. */
function leaves(node: Explanation): ExplainedLeaf[] {
  if ("all" in node) {
    expect(node.result).toBe(node.all.every((c) => c.result));
    return node.all.flatMap(leaves);
  }
  if ("any" in node) {
    expect(node.result).toBe(node.any.some((c) => c.result));
    return node.any.flatMap(leaves);
  }
  if ("not" in node) {
    expect(node.result).toBe(!node.not.result);
    return leaves(node.not);
  }
  return [node];
}
const compiled = createEvaluator(set);
const reference = createReferenceEvaluator(set);
const referenceSimplePaths = createReferenceEvaluator(set, { simplePaths: true });

describe("compiled evaluator vs json-rules-engine (differential)", () => {
  it("fires the same rules with the same violations on random records", async () => {
    let fired = 0;
    await fc.assert(
      fc.asyncProperty(record, now, async (r, at) => {
        const fast = compiled.evaluate(r, { now: at });
        const slow = await reference.evaluate(r, { now: at });
        fired += fast.violations.length;
        expect(fast.policies).toEqual(slow.policies);
        expect(fast.violations).toEqual(slow.violations);
      }),
      { numRuns: 1500 },
    );
    // the generators must actually exercise the rules, or the comparison proves little
    expect(fired).toBeGreaterThan(1500);
  });

  it("agrees with json-rules-engine using the simple path resolver too", async () => {
    await fc.assert(
      fc.asyncProperty(record, now, async (r, at) => {
        const fast = compiled.evaluate(r, { now: at });
        const slow = await referenceSimplePaths.evaluate(r, { now: at });
        expect(fast.violations).toEqual(slow.violations);
      }),
      { numRuns: 300 },
    );
  });

  it("explains every rule the same way: each condition's result, actual and expected values, and fired", async () => {
    let firedRules = 0;
    let falseLeaves = 0;
    await fc.assert(
      fc.asyncProperty(record, now, async (r, at) => {
        const fast = compiled.evaluate(r, { now: at, explain: true });
        const slow = await reference.evaluate(r, { now: at, explain: true });
        const plain = compiled.evaluate(r, { now: at });
        // explaining changes nothing else
        expect(fast.violations).toEqual(plain.violations);
        expect(fast.nextCheckAt).toEqual(plain.nextCheckAt);
        expect(fast.policies.map(({ id, version }) => ({ id, version }))).toEqual(plain.policies);
        expect(fast.policies).toEqual(slow.policies);
        for (const policy of fast.policies) {
          const version = set.versions.find((v) => v.id === policy.id && v.version === policy.version);
          expect(policy.rules?.map((rule) => rule.id)).toEqual(version?.rules.map((rule) => rule.id));
          for (const rule of policy.rules ?? []) {
            expect(rule.fired).toBe(rule.explanation.result);
            const violated = fast.violations.some((v) => v.policyId === policy.id && v.ruleId === rule.id);
            expect(rule.fired).toBe(violated);
            if (rule.fired) firedRules++;
            for (const leaf of leaves(rule.explanation)) {
              expect(Object.keys(leaf)).toEqual(expect.arrayContaining(LEAF_KEYS));
              if (!leaf.result) falseLeaves++;
            }
          }
        }
      }),
      { numRuns: 400 },
    );
    expect(firedRules).toBeGreaterThan(200);
    expect(falseLeaves).toBeGreaterThan(400);
  });

  it("every shipped rule fires on some random record (the generators reach them all)", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(record, now, (r, at) => {
        for (const v of compiled.evaluate(r, { now: at }).violations) seen.add(`${v.policyId}/${v.ruleId}`);
      }),
      { numRuns: 3000, seed: 42 },
    );
    const all = set.versions.flatMap((v) => v.rules.map((rule) => `${v.id}/${rule.id}`));
    expect(all.filter((id) => !seen.has(id))).toEqual([]);
  });
});

describe("evaluation properties", () => {
  it("is deterministic: same record and time, same result", () => {
    fc.assert(
      fc.property(record, now, (r, at) => {
        const a = compiled.evaluate(r, { now: at });
        const b = createEvaluator(set).evaluate(structuredClone(r), { now: at });
        expect(b).toEqual(a);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws and returns well-formed violations for any schema-valid record", () => {
    fc.assert(
      fc.property(record, now, (r, at) => {
        const result = compiled.evaluate(r, { now: at });
        for (const v of result.violations) {
          expect(v.id).toMatch(/^[0-9a-f]{32}$/);
          expect(v.record).toEqual({ type: r.type, id: r.id, revision: r.revision });
          expect(Date.parse(v.dueAt)).toBeGreaterThan(Date.parse(at));
          expect(v.message.zh).not.toMatch(/\{[^}]+\}/);
          expect(v.message.en).not.toMatch(/\{[^}]+\}/);
          expect(() => JSON.stringify(v)).not.toThrow();
        }
        if (result.nextCheckAt !== null)
          expect(Date.parse(result.nextCheckAt)).toBeGreaterThan(Date.parse(at));
      }),
      { numRuns: 2000 },
    );
  });

  it("gives one violation per record and rule, whose id depends only on type, record id, policy and rule", () => {
    fc.assert(
      fc.property(record, now, now, (r, at1, at2) => {
        const first = compiled.evaluate(r, { now: at1 }).violations;
        const later = compiled.evaluate({ ...r, revision: r.revision + 1 }, { now: at2 }).violations;
        expect(new Set(first.map((v) => v.id)).size).toBe(first.length);
        for (const v of later) {
          const same = first.find((f) => f.ruleId === v.ruleId && f.policyId === v.policyId);
          if (same) expect(v.id).toBe(same.id);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("uses no policy before its first effectiveFrom", () => {
    fc.assert(
      fc.property(record, now, (r, at) => {
        const early = { ...r, occurredAt: "2025-12-31T23:59:59.999Z" };
        const result = compiled.evaluate(early, { now: at });
        expect(result.policies).toEqual([]);
        expect(result.violations).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
