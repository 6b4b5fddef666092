/** `compliance policy diff` and the pure diff behind it, on a real v1 → v2 change of expense-approval. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  describeDiff,
  diffPolicies,
  parametersUsed,
  policyFileOf,
  summariseDiff,
} from "../../functions/core/policy/diff.ts";
import { conditionWords } from "../../functions/core/policy/words.ts";
import type { Condition, PolicyFile } from "../../schemas/policy.ts";
import { isLaterVersion, SHIPPED_DIR } from "../support/policies.ts";
import { EXPENSE_V1, EXPENSE_V2, nextVersion, run } from "./policy-repo.ts";

const tmp = mkdtempSync(join(tmpdir(), "compliance-diff-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const v1Text = readFileSync(join(SHIPPED_DIR, EXPENSE_V1), "utf8");

/** expense-approval v2: a raised authority, a stricter and escalating over-budget rule, … */
const v2Text = nextVersion(v1Text, 2, "2026-07-01", (doc) => {
  doc.setIn(["parameters", "approvalAuthority", "department-head"], 8000);
  doc.setIn(["parameters", "majorAdjustmentShare"], 0.15);
  doc.setIn(["parameters", "receiptThreshold"], 500);
  const rules = doc.get("rules") as { items: unknown[] };
  const index = (id: string) => (doc.toJS().rules as { id: string }[]).findIndex((r) => r.id === id);
  doc.setIn(["rules", index("over-budget"), "severity"], "critical");
  doc.setIn(["rules", index("over-budget"), "due"], "P1D");
  doc.setIn(
    ["rules", index("over-budget"), "escalate"],
    doc.createNode(["marketing-director", "management"]),
  );
  doc.setIn(["rules", index("approval-chain"), "assign"], doc.createNode(["finance"]));
  doc.setIn(
    ["rules", index("approval-limit"), "message", "en"],
    "Amount {amount} is above the approver's authority of {approverAuthority}",
  );
  (doc.getIn(["rules", index("supporting-documents"), "when", "all"]) as { add(v: unknown): void }).add(
    doc.createNode({
      fact: "data",
      path: "$.amount",
      operator: "greaterThan",
      value: { param: "receiptThreshold" },
    }),
  );
  rules.items.splice(index("self-approval"), 1);
  (doc.get("rules") as { add(v: unknown): void }).add(
    doc.createNode({
      id: "large-expense",
      severity: "medium",
      when: { all: [{ fact: "data", path: "$.amount", operator: "decimalGreaterThan", value: 100000 }] },
      assign: ["management"],
      due: "P3D",
      message: { zh: "大額費用 {amount}", en: "Large expense of {amount}" },
    }),
  );
});

const parse = (text: string, path: string) => {
  const file = policyFileOf({ path, display: path, text });
  if (!file) throw new Error(`${path} does not parse`);
  return file;
};

describe("diffPolicies / describeDiff", () => {
  const v1 = parse(v1Text, EXPENSE_V1);
  const v2 = parse(v2Text, EXPENSE_V2);

  it("says what changed, in words a policy owner reads", () => {
    const lines = describeDiff(diffPolicies(v1, v2));
    expect(lines).toEqual([
      "expense-approval v1 → v2",
      "In force from 2026-07-01 (v1 from 2026-01-01)",
      "Parameter approvalAuthority.department-head changed from 5000 to 8000",
      "Parameter majorAdjustmentShare changed from 0.1 to 0.15",
      "Parameter receiptThreshold added: 500",
      "Rule approval-chain: assigned to finance instead of finance, department-head",
      'Rule approval-limit: message (en) changed from "Amount {amount} exceeds the approver\'s authority of {approverAuthority}" to "Amount {amount} is above the approver\'s authority of {approverAuthority}"',
      "Rule approval-limit: reads the changed parameter approvalAuthority",
      "Rule over-budget: severity changed from high to critical",
      "Rule over-budget: due changed from P2D to P1D",
      "Rule over-budget: now escalates to marketing-director → management when overdue",
      "Rule major-budget-adjustment: reads the changed parameter majorAdjustmentShare",
      'Rule supporting-documents: condition added: "amount is more than parameter receiptThreshold"',
      "Rule supporting-documents: now fires when status is not draft and attachments is 0 and amount is more than parameter receiptThreshold",
      "Rule supporting-documents: reads the changed parameter receiptThreshold",
      "Rule large-expense added: medium, fires when amount is more than 100000; assigned to management, due P3D",
      "Rule self-approval removed (it was critical, fires when approvers contains applicant; assigned to finance, due P1D)",
    ]);
    expect(summariseDiff(diffPolicies(v1, v2))).toBe(
      "4 rules changed, 1 rule added, 1 rule removed, 3 parameters changed",
    );
  });

  it("gives the structured diff", () => {
    const diff = diffPolicies(v1, v2);
    expect(diff.from).toEqual({ version: 1, effectiveFrom: "2026-01-01" });
    expect(diff.to).toEqual({ version: 2, effectiveFrom: "2026-07-01" });
    expect(diff.parameters).toContainEqual(
      expect.objectContaining({
        path: "approvalAuthority.department-head",
        change: "changed",
        from: 5000,
        to: 8000,
      }),
    );
    const overBudget = diff.rules.find((r) => r.id === "over-budget");
    expect(overBudget?.status).toBe("changed");
    expect(overBudget?.changes.map((c) => c.field)).toEqual(["severity", "due", "escalate"]);
    expect(overBudget?.changes.find((c) => c.field === "due")).toMatchObject({ from: "P2D", to: "P1D" });
    expect(diff.rules.map((r) => [r.id, r.status])).toEqual([
      ["approval-chain", "changed"],
      ["approval-limit", "changed"],
      ["over-budget", "changed"],
      ["major-budget-adjustment", "unchanged"],
      ["supporting-documents", "changed"],
      ["large-expense", "added"],
      ["self-approval", "removed"],
    ]);
  });

  it("lists a new policy's rules as added, and no change as no change", () => {
    const lines = describeDiff(diffPolicies(undefined, v1));
    expect(lines[0]).toBe("expense-approval v1 (a new policy, in force from 2026-01-01)");
    expect(lines.filter((l) => l.includes(" added: "))).toHaveLength(6 + 4); // six rules, four parameters
    expect(describeDiff(diffPolicies(v1, v1))).toEqual([
      "expense-approval v1 → v1",
      "Unchanged rules: approval-chain, approval-limit, self-approval, over-budget, major-budget-adjustment, supporting-documents",
    ]);
  });

  it("reports a replaced condition as changed, and a changed combinator whole", () => {
    const rule = v1.rules.find((r) => r.id === "supporting-documents") as PolicyFile["rules"][number];
    const when = rule.when as { all: Condition[] };
    const changed = { ...rule, when: { all: [when.all[0], { ...when.all[1], value: 1 }] } } as typeof rule;
    const a = { ...v1, rules: [rule] };
    expect(describeDiff(diffPolicies(a, { ...a, rules: [changed] }))).toContain(
      'Rule supporting-documents: condition changed from "attachments is 0" to "attachments is 1"',
    );
    const any = { ...rule, when: { any: when.all } } as typeof rule;
    expect(describeDiff(diffPolicies(a, { ...a, rules: [any] }))).toContain(
      'Rule supporting-documents: conditions changed from "status is not draft and attachments is 0" to "status is not draft or attachments is 0"',
    );
  });
});

describe("conditionWords", () => {
  it("reads facts, paths, parameters, derived facts, elapsed time, not and nesting", () => {
    const words = (c: unknown) => conditionWords(c as Condition);
    expect(
      words({ all: [{ fact: "data", path: "$.budget.remaining", operator: "lessThan", value: 0 }] }),
    ).toBe("budget.remaining is less than 0");
    expect(
      words({
        any: [
          {
            all: [{ fact: "data", path: "$.category", operator: "in", value: { param: "severeCategories" } }],
          },
          {
            not: {
              fact: "elapsed",
              params: { from: "$.receivedAt", to: ["$.resolvedAt", "$.customerNotifiedAt"] },
              operator: "longerThan",
              value: "P7D",
            },
          },
        ],
      }),
    ).toBe(
      "category is one of parameter severeCategories or not (time from receivedAt until all of resolvedAt and customerNotifiedAt happened is longer than P7D)",
    );
    expect(
      words({
        all: [
          { fact: "data", path: "$.content", operator: "present", value: false },
          { fact: "approvedSteps", operator: "not:contains", value: "budget-adjustment" },
          {
            fact: "approverAuthority",
            params: { step: "leadership-approval", authority: { param: "approvalAuthority" } },
            operator: "decimalLessThan",
            value: { fact: "data", path: "$.amount" },
          },
        ],
      }),
    ).toBe(
      "content is missing and not (approvedSteps contains budget-adjustment) and approverAuthority (step: leadership-approval, authority: parameter approvalAuthority) is less than amount",
    );
  });

  it("finds the parameters a rule reads, in conditions and messages", () => {
    const v1 = parse(v1Text, EXPENSE_V1);
    const rule = (id: string) => v1.rules.find((r) => r.id === id) as PolicyFile["rules"][number];
    expect(parametersUsed(rule("approval-limit"))).toEqual(["approvalAuthority"]);
    expect(parametersUsed(rule("major-budget-adjustment"))).toEqual([
      "majorAdjustmentApprovers",
      "majorAdjustmentShare",
    ]);
    expect(parametersUsed(rule("over-budget"))).toEqual([]);
    // read with the message template grammar (policy/template.ts): spaces, formats and sections too
    const message = {
      zh: "{ params.limit }{#params.note}…{/params.note}",
      en: "{params.share|percent}{^params.until}…{/params.until}",
    };
    expect(parametersUsed({ ...rule("over-budget"), message })).toEqual(["limit", "note", "share", "until"]);
  });
});

describe("compliance policy diff", () => {
  let dir: string;
  beforeAll(() => {
    dir = join(tmp, "policies");
    cpSync(SHIPPED_DIR, dir, { recursive: true, filter: (src) => !isLaterVersion(src) });
    writeFileSync(join(dir, EXPENSE_V2), v2Text);
  });
  afterEach(() => {
    delete process.env.COMPLIANCE_POLICIES_DIR;
  });
  const diff = (...args: string[]) => {
    process.env.COMPLIANCE_POLICIES_DIR = dir;
    return run("policy", "diff", ...args);
  };

  it("compares the previous version with the latest by default", async () => {
    const result = await diff("expense-approval");
    expect(result.code).toBe(0);
    expect(result.err).toBe("");
    const lines = result.out.split("\n");
    expect(lines[0]).toBe("expense-approval v1 → v2");
    expect(lines).toContain("Rule over-budget: due changed from P2D to P1D");
    expect(lines).toContain("Parameter approvalAuthority.department-head changed from 5000 to 8000");
  });

  it("takes explicit versions (2 or v2), and --json gives the structured diff", async () => {
    expect((await diff("expense-approval", "v2", "1")).out.split("\n")[0]).toBe("expense-approval v2 → v1");
    const json = JSON.parse((await diff("expense-approval", "1", "2", "--json")).out);
    expect(json.policyId).toBe("expense-approval");
    expect(json.rules.find((r: { id: string }) => r.id === "self-approval").status).toBe("removed");
  });

  it("shows a single-version policy as new", async () => {
    const result = await diff("quote-approval");
    expect(result.code).toBe(0);
    expect(result.out.split("\n")[0]).toBe("quote-approval v1 (a new policy, in force from 2026-01-01)");
  });

  it("exits 2 on usage errors", async () => {
    expect((await diff()).code).toBe(2);
    expect((await diff("no-such-policy")).err).toContain("no policy no-such-policy; the policies are");
    expect((await diff("expense-approval", "1")).code).toBe(2);
    const missing = await diff("expense-approval", "1", "7");
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("expense-approval has no v7; its versions are v1, v2");
    expect((await diff("expense-approval", "one", "two")).code).toBe(2);
    expect((await diff("expense-approval", "--base", "main")).code).toBe(2);
  });

  it("exits 1 with the schema problems of a version that does not parse", async () => {
    const broken = join(tmp, "broken");
    cpSync(dir, broken, { recursive: true });
    writeFileSync(join(broken, EXPENSE_V2), v2Text.replace("severity: critical", "severity: dire"));
    process.env.COMPLIANCE_POLICIES_DIR = broken;
    const result = await run("policy", "diff", "expense-approval");
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/expense-approval\/v2\.yaml:\d+:\d+: .*severity/);
  });
});
