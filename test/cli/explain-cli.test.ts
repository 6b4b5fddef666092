/**
 * Why, and why not, on the command line: `compliance evaluate --explain` prints every rule's
 * explanation as an indented tree; a failing `compliance policy test` case prints it for the rules
 * in question instead of only "expected [x] to fire, got []".
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { SHIPPED_DIR } from "../support/policies.ts";
import { expense, unassignedComplaint } from "../support/records.ts";

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const tmp = mkdtempSync(join(tmpdir(), "compliance-explain-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// the README's example: 12,000 against 8,000 of budget fires over-budget only
const file = join(tmp, "expense.json");
writeFileSync(file, JSON.stringify(expense("EXP-2026-0001", 1, { amount: 12000, attachments: 1 })));

describe("compliance evaluate --explain", () => {
  it("prints why each rule fired or not, as a tree with actual and expected values", async () => {
    const result = await run("evaluate", file, "--at", "2026-03-02T00:00:00Z", "--explain");
    expect(result.code).toBe(1);
    const lines = result.out.split("\n");
    const start = lines.indexOf("  ✗ approval-limit: did not fire");
    expect(start, result.out).toBeGreaterThan(0);
    expect(lines.slice(start, start + 4)).toEqual([
      "  ✗ approval-limit: did not fire",
      "      ✗ all of:",
      "          ✗ approverAuthority (step: leadership-approval, authority: parameter approvalAuthority) is present: actual (missing), expected true",
      "          ✗ approverAuthority (step: leadership-approval, authority: parameter approvalAuthority) is less than amount: actual (missing), expected 12,000",
    ]);
    expect(result.out).toContain("  ✓ over-budget: fired");
    expect(result.out).toContain(
      "          ✓ amount is more than budget.remaining: actual 12,000, expected 8,000",
    );
    expect(result.out).toContain("          ✗ attachments is 0: actual 1, expected 0");
    // every rule of the version is explained
    for (const id of ["approval-chain", "self-approval", "major-budget-adjustment", "supporting-documents"])
      expect(result.out).toMatch(new RegExp(`  ✗ ${id}: did not fire`));
  });

  it("--json carries the explanation (both engines agree)", async () => {
    const compiled = await run("evaluate", file, "--at", "2026-03-02T00:00:00Z", "--explain", "--json");
    const reference = await run(
      "evaluate",
      file,
      "--at",
      "2026-03-02T00:00:00Z",
      "--explain",
      "--json",
      "--engine",
      "json-rules-engine",
    );
    const a = JSON.parse(compiled.out);
    expect(a.policies[0].rules).toHaveLength(6);
    expect(a.policies[0].rules.find((r: { id: string }) => r.id === "over-budget").fired).toBe(true);
    expect(JSON.parse(reference.out).policies).toEqual(a.policies);
  });

  it("without --explain prints no tree", async () => {
    const result = await run("evaluate", file, "--at", "2026-03-02T00:00:00Z");
    expect(result.out).not.toContain("did not fire");
  });
});

describe("compliance evaluate --explain, deadlines", () => {
  it("shows elapsed time and its limit in words, not as ISO 8601 durations", async () => {
    const complaint = join(tmp, "complaint.json");
    writeFileSync(complaint, JSON.stringify(unassignedComplaint()));
    const result = await run("evaluate", complaint, "--at", "2026-03-02T10:30:00Z", "--explain");
    const deadline = result.out.split("\n").filter((l) => l.includes("time from receivedAt"));
    expect(deadline.length, result.out).toBeGreaterThan(0);
    for (const line of deadline) expect(line).not.toMatch(/\bP(T?\d)/);
    expect(result.out).toMatch(/actual 1 day 2 hours 30 minutes/);
  });
});

describe("compliance policy test, failing case", () => {
  it("prints the explanation of the rules in question under the failure", async () => {
    const dir = join(tmp, "policies");
    cpSync(SHIPPED_DIR, dir, { recursive: true });
    const tests = join(dir, "approval-limits/expense-approval/v1.test.yaml");
    // the template fires nothing; claim it fires approval-limit
    const text = readFileSync(tests, "utf8");
    const template = "    now: 2026-03-10T00:00:00Z\n    expect: []\n    nextCheckAt: null";
    expect(text).toContain(template);
    writeFileSync(
      tests,
      text.replace(
        template,
        "    now: 2026-03-10T00:00:00Z\n    expect: [approval-limit]\n    nextCheckAt: null",
      ),
    );
    const result = await run("policy", "test", dir);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /v1\.test\.yaml:\d+:\d+: case "template .*": expected \[approval-limit\] to fire, got \[\]/,
    );
    expect(result.err).toContain("why expense-approval v1's rules fired or not:");
    expect(result.err).toContain("  ✗ approval-limit: did not fire");
    expect(result.err).toContain("is less than amount: actual 50,000, expected 4,000");
    // only the rule in question is explained
    expect(result.err).not.toContain("over-budget");

    const json = JSON.parse((await run("policy", "test", dir, "--json")).out);
    const failing = json.cases.filter((c: { passed: boolean }) => !c.passed);
    expect(failing).toHaveLength(1);
    expect(failing[0].why.rules.map((r: { id: string }) => r.id)).toEqual(["approval-limit"]);
    expect(json.cases.filter((c: { why?: unknown }) => c.why !== undefined)).toHaveLength(1);
  });
});
