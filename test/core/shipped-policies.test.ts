/**
 * The shipped catalogue: every rule of ../shared/CATALOGUE.md exists with its id, and every rule
 * has test cases beside its policy that pass (one firing, one not, and the boundaries).
 */
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../functions/core/diagnostics.ts";
import { createEvaluator } from "../../functions/core/engine/evaluate.ts";
import { runPolicyTests } from "../../functions/core/policy/tests.ts";
import { parseYaml } from "../../functions/core/policy/yaml-source.ts";
import { shippedFiles, shippedPolicies } from "../support/policies.ts";

// The catalogue's ids (CATALOGUE.md), which violations, tests and auditors' queries rely on.
const CATALOGUE: Record<string, string[]> = {
  "expense-approval": [
    "approval-chain",
    "approval-limit",
    "self-approval",
    "over-budget",
    "major-budget-adjustment",
    "supporting-documents",
  ],
  "quote-approval": ["manager-review", "discount-authority"],
  "confidential-access": [
    "authorized-personnel",
    "confidentiality-agreement",
    "encryption",
    "external-disclosure",
    "bulk-customer-export",
  ],
  "contract-clauses": [
    "mandatory-clauses",
    "default-liability",
    "legal-review",
    "credit-safeguard",
    "archive-deadline",
    "copies-distributed",
    "change-approval",
  ],
  "complaint-response": ["record-completeness", "assignment", "first-response", "resolution", "escalation"],
};

const set = shippedPolicies();
const files = shippedFiles();

describe("shipped policies", () => {
  it("hold exactly the catalogue's 25 rules, at version 1 from 2026-01-01 and version 2 (wording) from 2027-01-01", () => {
    for (const version of [1, 2]) {
      const at = set.versions.filter((v) => v.version === version);
      const shipped = Object.fromEntries(at.map((v) => [v.id, v.rules.map((r) => r.id)]));
      expect(shipped).toEqual(CATALOGUE);
      for (const v of at) {
        expect(v.effectiveFrom).toBe(version === 1 ? "2026-01-01" : "2027-01-01");
        for (const rule of v.rules) expect(rule.source.length).toBeGreaterThan(0);
      }
    }
    expect(set.versions).toHaveLength(10);
  });

  it("v2 keeps v1's rules: the same conditions, parameters, assignees, due, escalation and sources", () => {
    for (const v2 of set.versions.filter((v) => v.version === 2)) {
      const v1 = set.versions.find((v) => v.id === v2.id && v.version === 1);
      expect(v2.parameters).toEqual(v1?.parameters);
      expect(v2.rules.map(({ message: _m, evidence: _e, ...rule }) => rule)).toEqual(
        v1?.rules.map(({ message: _m, evidence: _e, ...rule }) => rule),
      );
      // evidence only grows: every v1 key is still reported, with the same fact
      for (const [i, rule] of v2.rules.entries())
        expect(rule.evidence).toEqual(expect.arrayContaining([...(v1?.rules[i]?.evidence ?? [])]));
    }
  });

  it("every policy and org file names its JSON Schema for editors", () => {
    for (const f of files) expect(f.text.split("\n")[0]).toMatch(/^# yaml-language-server: \$schema=/);
  });

  it("pass their test files", () => {
    const summary = runPolicyTests(set, createEvaluator(set), files);
    expect(summary.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(summary.files).toBe(set.versions.length);
    expect(summary.failed).toBe(0);
  });

  it("test every rule with at least one firing and one non-firing case", () => {
    for (const v of set.versions) {
      const file = files.find((f) => f.path === v.file.replace(/\.yaml$/, ".test.yaml"));
      expect(file, `${v.file} has a test file`).toBeDefined();
      const parsed = parseYaml(file?.display ?? "", file?.text ?? "").source?.value as {
        cases: { expect: (string | { ruleId: string })[] }[];
      };
      for (const rule of v.rules) {
        const fires = parsed.cases.filter((c) =>
          c.expect.some((e) => (typeof e === "string" ? e : e.ruleId) === rule.id),
        ).length;
        expect(fires, `${v.id}/${rule.id} fires in some case`).toBeGreaterThanOrEqual(1);
        expect(
          parsed.cases.length - fires,
          `${v.id}/${rule.id} stays quiet in some case`,
        ).toBeGreaterThanOrEqual(1);
      }
    }
  });
});
