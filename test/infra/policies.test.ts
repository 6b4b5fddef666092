/**
 * Policies are compiled at synth: the bundles get the set as JSON, and invalid policies fail the
 * synth with the loader's diagnostics (nothing is synthesized, nothing bundled).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPolicies } from "../../functions/core/policy/loader.ts";
import { policiesDir, REPO_ROOT, readPolicyFiles } from "../../functions/runtime/policy-files.ts";
import { compilePolicies, PolicyCompilationError } from "../../infra/policies.ts";

const BROKEN_FILE = "complaint-response/complaint-response/v1.yaml";
const scratch = mkdtempSync(join(tmpdir(), "compliance-infra-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the shipped policies with one unknown operator. */
function brokenPolicies(): string {
  const dir = join(scratch, "policies");
  cpSync(policiesDir(), dir, { recursive: true });
  const file = join(dir, BROKEN_FILE);
  writeFileSync(file, readFileSync(file, "utf8").replace("operator: present", "operator: presentt"));
  return dir;
}

describe("policies compiled at synth", () => {
  it("the define is the loaded policy set as a JS string literal of its JSON", () => {
    const compiled = compilePolicies();
    const loaded = loadPolicies(readPolicyFiles(policiesDir()));
    if (!loaded.ok) throw new Error("shipped policies must load");
    expect(JSON.parse(JSON.parse(compiled.define))).toEqual(JSON.parse(JSON.stringify(loaded.set)));
    expect(compiled.set.versions.length).toBeGreaterThan(0);
    expect(compiled.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(compilePolicies().digest).toBe(compiled.digest);
  });

  it("invalid policies: compilation throws every diagnostic as file:line:column: message", () => {
    const dir = brokenPolicies();
    expect(() => compilePolicies(dir)).toThrow(PolicyCompilationError);
    expect(() => compilePolicies(dir)).toThrow(
      new RegExp(`${BROKEN_FILE.replaceAll(".", "\\.")}:\\d+:\\d+: `),
    );
  });

  it("invalid policies: the synth (node infra/app.ts) exits non-zero with the diagnostics and bundles nothing", () => {
    const dir = brokenPolicies();
    const out = join(scratch, "cdk.out");
    const run = spawnSync(process.execPath, [join(REPO_ROOT, "infra", "app.ts")], {
      cwd: REPO_ROOT,
      env: { ...process.env, COMPLIANCE_POLICIES_DIR: dir, CDK_OUTDIR: out },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(new RegExp(`${BROKEN_FILE.replaceAll(".", "\\.")}:\\d+:\\d+: `));
    expect(run.stderr).not.toMatch(/Bundling asset/);
  });
});
