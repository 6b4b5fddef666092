/** .github/workflows/policy-check.yml: valid YAML that runs validate, test, check and impact on PRs. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../../functions/runtime/policy-files.ts";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

const text = readFileSync(join(REPO_ROOT, ".github/workflows/policy-check.yml"), "utf8");
const workflow = parse(text, { prettyErrors: true }) as {
  on: { pull_request: { paths: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { "runs-on": string; steps: Step[]; env?: Record<string, string> }>;
};

describe("policy-check workflow", () => {
  const job = workflow.jobs["policy-check"];
  const steps = job?.steps ?? [];
  const indexOf = (match: (s: Step) => boolean) => steps.findIndex(match);
  const running = (command: string) => indexOf((s) => s.run?.includes(command) ?? false);

  it("runs on pull requests touching policies/**, allowed to comment and read", () => {
    expect(workflow.on.pull_request.paths).toEqual(["policies/**"]);
    expect(workflow.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(job?.["runs-on"]).toBe("ubuntu-latest");
  });

  it("checks out the full history and installs Node 24 with npm ci", () => {
    const checkout = steps[indexOf((s) => s.uses?.startsWith("actions/checkout@") ?? false)];
    expect(checkout?.with?.["fetch-depth"]).toBe(0);
    const node = steps[indexOf((s) => s.uses?.startsWith("actions/setup-node@") ?? false)];
    expect(node?.with?.["node-version"]).toBe(24);
    expect(running("npm ci")).toBeGreaterThan(indexOf((s) => s === node));
  });

  it("validates, tests, checks against the base branch, then replays records, in that order", () => {
    const order = [
      running("npx compliance policy validate"),
      running("npx compliance policy test"),
      running('npx compliance policy check --base "$BASE_REF"'),
      running('npx compliance policy impact --base "$BASE_REF"'),
    ];
    expect(order.every((i) => i > running("npm ci"))).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(job?.env?.BASE_REF).toBe(`origin/\${{ github.base_ref }}`);
    const impact = steps[order[3] as number];
    expect(impact?.run).toContain("--records test/fixtures/impact-records.jsonl");
    expect(impact?.env?.COMPLIANCE_RECORDS_TABLE).toBe(`\${{ secrets.COMPLIANCE_RECORDS_TABLE }}`);
  });

  it("posts the Markdown as a PR comment, updating its earlier one", () => {
    const comment = steps[indexOf((s) => s.uses?.startsWith("actions/github-script@") ?? false)];
    expect(comment?.if).toContain("steps.impact.outcome == 'success'");
    const script = String(comment?.with?.script);
    expect(script).toContain("<!-- compliance-policy-impact -->");
    expect(script).toContain("createComment");
    expect(script).toContain("updateComment");
  });

  it("has a records fixture that the impact step can read", async () => {
    const { parseRecordsJsonl } = await import("../../functions/cli/policy-records.ts");
    const fixture = "test/fixtures/impact-records.jsonl";
    const parsed = parseRecordsJsonl(fixture, readFileSync(join(REPO_ROOT, fixture), "utf8"));
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.records.length).toBeGreaterThan(100);
  });
});
