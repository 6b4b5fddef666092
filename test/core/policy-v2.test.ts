/**
 * The v2 policy files change wording only: on random records each v2 fires exactly the rules v1
 * fires, with the same assignees, due time and v1's evidence; and the compiled evaluator agrees
 * with json-rules-engine on v2 (its extra evidence and its messages included).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEvaluator } from "../../functions/core/engine/evaluate.ts";
import { createReferenceEvaluator } from "../../functions/core/engine/reference.ts";
import { now, record } from "../support/arbitraries.ts";
import { shippedPolicies } from "../support/policies.ts";

const set = shippedPolicies();
const compiled = createEvaluator(set);
const reference = createReferenceEvaluator(set);
const of = (version: number, type: string) =>
  set.versions.filter((v) => v.version === version && v.appliesTo === type);

describe("policy v2 (wording)", () => {
  it("fires the same rules as v1 with the same assignees, due time and v1's evidence", () => {
    let fired = 0;
    fc.assert(
      fc.property(record, now, (r, at) => {
        const v1 = compiled.evaluateVersions(of(1, r.type), r, { now: at }).violations;
        const v2 = compiled.evaluateVersions(of(2, r.type), r, { now: at }).violations;
        fired += v1.length;
        expect(v2.map((v) => [v.policyId, v.ruleId])).toEqual(v1.map((v) => [v.policyId, v.ruleId]));
        for (const [i, a] of v1.entries()) {
          const b = v2[i];
          expect(b?.id).toBe(a.id);
          expect(b?.assignees).toEqual(a.assignees);
          expect(b?.dueAt).toBe(a.dueAt);
          expect(b?.evidence).toMatchObject(a.evidence);
        }
      }),
      { numRuns: 1500 },
    );
    expect(fired).toBeGreaterThan(1000);
  });

  it("compiled evaluator and json-rules-engine agree on v2, messages and extra evidence included", async () => {
    await fc.assert(
      fc.asyncProperty(record, now, async (r, at) => {
        const fast = compiled.evaluateVersions(of(2, r.type), r, { now: at });
        const slow = await reference.evaluateVersions(of(2, r.type), r, { now: at });
        expect(fast.violations).toEqual(slow.violations);
      }),
      { numRuns: 800 },
    );
  });

  it("no message of any version shows an ISO duration, and no zh message an English code", () => {
    const codes =
      /\b(general|service|quality|legal|media|rejected|approved|price|delivery-date|customer-info|trade-secret|submitted|draft|reimbursed|amendment|termination)\b/;
    fc.assert(
      fc.property(record, now, (r, at) => {
        for (const version of [1, 2])
          for (const v of compiled.evaluateVersions(of(version, r.type), r, { now: at }).violations) {
            for (const text of [v.message.zh, v.message.en]) expect(text).not.toMatch(/\bP\d|\bPT\d/);
            expect(v.message.zh.replace(/\{[^}]*\}/g, "")).not.toMatch(codes);
          }
      }),
      { numRuns: 1000 },
    );
  });
});
