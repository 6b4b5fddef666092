/**
 * Explanations (CONTRACT §2 `?explain=true`) on the README's own example: a 12,000 expense against
 * 8,000 of budget fires only over-budget; the explanation says why approval-limit did not fire.
 * (The differential test in engine-properties.test.ts checks the reference agrees on random records.)
 */
import { describe, expect, it } from "vitest";
import { createEvaluator } from "../../functions/core/engine/evaluate.ts";
import type { Explanation } from "../../functions/core/engine/explanation.ts";
import { createReferenceEvaluator } from "../../functions/core/engine/reference.ts";
import { recordSchema } from "../../schemas/record.ts";
import { shippedPolicies } from "../support/policies.ts";
import { expense, unassignedComplaint } from "../support/records.ts";

const set = shippedPolicies();
const evaluator = createEvaluator(set);
const record = recordSchema.parse(expense("EXP-1", 1, { amount: 12000 }));
const now = "2026-03-02T00:00:00Z";

function rulesOf(evaluation: ReturnType<typeof evaluator.evaluate>) {
  const policy = evaluation.policies.find((p) => p.id === "expense-approval");
  return new Map((policy?.rules ?? []).map((r) => [r.id, r]));
}

describe("explain mode of the compiled evaluator", () => {
  it("adds nothing when not asked", () => {
    const plain = evaluator.evaluate(record, { now });
    expect(plain.policies).toEqual([{ id: "expense-approval", version: 1 }]);
    expect(plain.violations.map((v) => v.ruleId)).toEqual(["over-budget"]);
  });

  it("explains every rule, fired or not, with the tree of its when", () => {
    const evaluation = evaluator.evaluate(record, { now, explain: true });
    const rules = rulesOf(evaluation);
    const version = set.versions.find((v) => v.id === "expense-approval");
    expect([...rules.keys()]).toEqual(version?.rules.map((r) => r.id));
    expect(rules.get("over-budget")?.fired).toBe(true);
    expect(rules.get("approval-limit")).toEqual({
      id: "approval-limit",
      fired: false,
      explanation: {
        all: [
          {
            fact: "approverAuthority",
            operator: "present",
            value: true,
            expected: true,
            actual: null,
            result: false,
          },
          {
            fact: "approverAuthority",
            operator: "decimalLessThan",
            value: { fact: "data", path: "$.amount" },
            expected: 12000,
            actual: null,
            result: false,
          },
        ],
        result: false,
      },
    });
    // every condition is evaluated: over-budget's second condition too, though the first decides nothing
    const overBudget = rules.get("over-budget")?.explanation as Extract<Explanation, { all: unknown }>;
    expect(overBudget.all).toEqual([
      {
        fact: "data",
        path: "$.amount",
        operator: "decimalGreaterThan",
        value: { fact: "data", path: "$.budget.remaining" },
        expected: 8000,
        actual: 12000,
        result: true,
      },
      {
        fact: "approvedSteps",
        operator: "doesNotContain",
        value: "budget-adjustment",
        expected: "budget-adjustment",
        actual: [],
        result: true,
      },
    ]);
  });

  it("shows a parameter as written in value and resolved in expected, and explains not", () => {
    const rules = rulesOf(evaluator.evaluate(record, { now, explain: true }));
    expect(rules.get("major-budget-adjustment")?.explanation).toEqual({
      all: [
        {
          fact: "budgetAdjustmentShare",
          operator: "decimalGreaterThan",
          value: { param: "majorAdjustmentShare" },
          expected: 0.1,
          actual: null,
          result: false,
        },
        {
          not: {
            fact: "budgetAdjustmentApproverRoles",
            operator: "includesAllRoles",
            value: { param: "majorAdjustmentApprovers" },
            expected: ["marketing-director", "management"],
            actual: [],
            result: false,
          },
          result: true,
        },
      ],
      result: false,
    });
  });

  it("does not short-circuit any: every branch is evaluated", () => {
    const late = recordSchema.parse(unassignedComplaint());
    const evaluation = evaluator.evaluate(late, { now: "2026-03-20T00:00:00Z", explain: true });
    const policy = evaluation.policies.find((p) => p.id === "complaint-response");
    const count = (node: Explanation): number =>
      "all" in node
        ? node.all.reduce((n, c) => n + count(c), 0)
        : "any" in node
          ? node.any.reduce((n, c) => n + count(c), 0)
          : "not" in node
            ? count(node.not)
            : 1;
    const written = set.versions.find((v) => v.id === "complaint-response")?.rules ?? [];
    const leavesWritten = (c: unknown): number => {
      const o = c as Record<string, unknown>;
      if (Array.isArray(o.all)) return o.all.reduce((n: number, x) => n + leavesWritten(x), 0);
      if (Array.isArray(o.any)) return o.any.reduce((n: number, x) => n + leavesWritten(x), 0);
      if (o.not) return leavesWritten(o.not);
      return 1;
    };
    for (const rule of policy?.rules ?? []) {
      const loaded = written.find((r) => r.id === rule.id);
      expect(count(rule.explanation)).toBe(leavesWritten(loaded?.when));
      expect(rule.fired).toBe(rule.explanation.result);
    }
    expect(policy?.rules?.some((r) => r.fired)).toBe(true);
  });

  it("gives the same trees as the json-rules-engine reference", async () => {
    const fast = evaluator.evaluate(record, { now, explain: true });
    const slow = await createReferenceEvaluator(set).evaluate(record, { now, explain: true });
    expect(fast.policies).toEqual(slow.policies);
  });
});
