/** `compliance policy check --base <ref>` on temporary git repositories (never this project's). */
import { afterEach, describe, expect, it } from "vitest";
import { checkRelease } from "../../functions/core/policy/release-check.ts";
import { firstReleaseFiles } from "../support/policies.ts";
import { EXPENSE_V1, EXPENSE_V2, nextVersion, type PolicyRepo, policyRepo, run } from "./policy-repo.ts";

let repo: PolicyRepo;
afterEach(() => repo?.dispose());

function fresh(): PolicyRepo {
  repo = policyRepo();
  return repo;
}

const check = (...extra: string[]) => run("policy", "check", "--base", "main", repo.dir, ...extra);

describe("compliance policy check", () => {
  it("accepts a proper new version and summarises it (exit 0)", async () => {
    const r = fresh();
    r.git("checkout", "-q", "-b", "raise-limit");
    r.write(
      EXPENSE_V2,
      nextVersion(r.read(EXPENSE_V1), 2, "2026-07-01", (doc) => {
        doc.setIn(["parameters", "approvalAuthority", "department-head"], 8000);
      }),
    );
    r.write("org.yaml", `${r.read("org.yaml")}\n# org.yaml may change freely\n`);
    r.write(
      "approval-limits/expense-approval/v1.test.yaml",
      `${r.read("approval-limits/expense-approval/v1.test.yaml")}\n# so may test files\n`,
    );
    // uncommitted and committed changes alike: the folder is compared as it is
    const before = await check();
    expect(before.err).toBe("");
    expect(before.code).toBe(0);
    r.commit("expense-approval v2");
    const result = await check();
    expect(result).toMatchObject({ code: 0, err: "" });
    expect(result.out).toContain("5 released versions unchanged; 1 new version:");
    expect(result.out).toContain(
      "expense-approval v2, in force from 2026-07-01 (v1 from 2026-01-01): 1 parameter changed",
    );
    const json = JSON.parse((await check("--json")).out);
    expect(json).toMatchObject({
      ok: true,
      released: 5,
      newVersions: [{ policyId: "expense-approval", version: 2, effectiveFrom: "2026-07-01" }],
    });
  });

  it("passes with nothing new and accepts a brand-new policy starting at v1", async () => {
    const r = fresh();
    expect((await check()).out).toContain("no new policy version");
    const v1 = r.read(EXPENSE_V1).replace("id: expense-approval", "id: travel-approval");
    r.write("approval-limits/travel-approval/v1.yaml", v1);
    const result = await check();
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/travel-approval v1, in force from 2026-01-01: a new policy with 6 rules/);
  });

  it("refuses an edited released version, at its first changed line", async () => {
    const r = fresh();
    r.write(EXPENSE_V1, r.read(EXPENSE_V1).replace("due: P1D", "due: P2D"));
    const line = r.read(EXPENSE_V1).split("\n").indexOf("    due: P2D", 60) + 1;
    const result = await check();
    expect(result.code).toBe(1);
    const lines = result.err.split("\n");
    expect(lines[0]).toMatch(
      new RegExp(
        `expense-approval/v1\\.yaml:${line}:1: released version expense-approval v1 was changed .* put the change in a new v2\\.yaml with a later effectiveFrom$`,
      ),
    );
    expect(lines.at(-1)).toBe("policy check against main: 1 problem");
  });

  it("refuses a deleted released version", async () => {
    const r = fresh();
    r.git("checkout", "-q", "-b", "drop-quote");
    r.remove("approval-limits/quote-approval/v1.yaml");
    r.remove("approval-limits/quote-approval/v1.test.yaml");
    r.commit("drop quote-approval");
    const result = await check();
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /quote-approval\/v1\.yaml:1:1: released version quote-approval v1 was deleted: released versions stay/,
    );
  });

  it("refuses a skipped version number and a new policy that does not start at v1", async () => {
    const r = fresh();
    r.write("approval-limits/expense-approval/v3.yaml", nextVersion(r.read(EXPENSE_V1), 3, "2026-07-01"));
    r.write(
      "approval-limits/travel-approval/v2.yaml",
      nextVersion(r.read(EXPENSE_V1).replace("id: expense-approval", "id: travel-approval"), 2, "2026-07-01"),
    );
    const result = await check();
    expect(result.code).toBe(1);
    expect(result.err.split("\n")).toEqual([
      expect.stringMatching(
        /expense-approval\/v3\.yaml:3:10: v3 does not follow the last version of expense-approval \(v1\): the next version is v2$/,
      ),
      expect.stringMatching(
        /travel-approval\/v2\.yaml:3:10: travel-approval is a new policy: it starts at v1, not v2$/,
      ),
      "policy check against main: 2 problems",
    ]);
  });

  it("refuses a new version whose effectiveFrom is not after the previous version's", async () => {
    const r = fresh();
    for (const date of ["2026-01-01", "2025-12-31"]) {
      r.write(EXPENSE_V2, nextVersion(r.read(EXPENSE_V1), 2, date));
      const result = await check();
      expect(result.code).toBe(1);
      // said once, by the check (the loader's own version-order diagnostic at the same place is dropped)
      expect(result.err.split("\n")).toEqual([
        expect.stringMatching(
          new RegExp(
            `expense-approval/v2\\.yaml:4:16: effectiveFrom ${date} of new version v2 must be after v1's \\(2026-01-01\\)$`,
          ),
        ),
        "policy check against main: 1 problem",
      ]);
    }
  });

  it("reports the proposed folder's load problems too, sorted, and as JSON", async () => {
    const r = fresh();
    r.write(
      EXPENSE_V2,
      nextVersion(r.read(EXPENSE_V1), 2, "2026-07-01").replace("operator: doesNotContain", "operator: lacks"),
    );
    r.write(EXPENSE_V1, `${r.read(EXPENSE_V1)}# edited\n`);
    const result = await check();
    expect(result.code).toBe(1);
    const lines = result.err.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /expense-approval\/v1\.yaml:\d+:1: released version expense-approval v1 was changed/,
    );
    expect(lines[1]).toMatch(/expense-approval\/v2\.yaml:\d+:\d+: unknown operator "lacks"$/);
    const json = JSON.parse((await check("--json")).out);
    expect(json.ok).toBe(false);
    expect(json.diagnostics.map((d: { code: string }) => d.code)).toEqual([
      "released_changed",
      "unknown_operator",
    ]);
  });

  it("reads the base relative to the repository root, from any current directory", async () => {
    const r = fresh();
    r.git("checkout", "-q", "-b", "feature");
    r.write(EXPENSE_V2, nextVersion(r.read(EXPENSE_V1), 2, "2026-07-01"));
    r.commit("v2");
    // the base has no v2: it is new; against the feature branch itself nothing is new
    expect((await run("policy", "check", "--base", "main", r.dir)).out).toContain("1 new version");
    expect((await run("policy", "check", "--base", "feature", r.dir)).out).toContain("no new policy version");
    expect((await run("policy", "check", "--base", "HEAD~1", r.dir)).out).toContain("1 new version");
  });

  it("exits 2 on usage errors: no --base, an unknown ref, not a repository, stray options", async () => {
    const r = fresh();
    expect((await run("policy", "check", r.dir)).code).toBe(2);
    const unknown = await run("policy", "check", "--base", "no-such-branch", r.dir);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown git ref no-such-branch");
    expect((await run("policy", "check", "--base", "--json", r.dir)).code).toBe(2);
    expect((await run("policy", "check", "--base", "main", "/nonexistent/policies")).code).toBe(2);
    expect((await run("policy", "check", "--base", "main", "--since", "2026-01-01", r.dir)).code).toBe(2);
    expect((await run("policy", "check", "--base", "main", r.dir, "extra")).code).toBe(2);
    expect((await run("policy", "check", "--bogus")).code).toBe(2);
  });
});

describe("checkRelease (pure)", () => {
  it("passes the shipped folder against itself", () => {
    const files = firstReleaseFiles();
    const result = checkRelease(files, files);
    expect(result).toMatchObject({ ok: true, released: 5, newVersions: [] });
    expect(result.set?.versions).toHaveLength(5);
  });

  it("numbers versions after the last released one, several new versions in order", () => {
    const files = firstReleaseFiles();
    const v1 = files.find((f) => f.path === EXPENSE_V1);
    if (!v1) throw new Error("no expense v1");
    const add = (version: number, date: string) => ({
      path: `approval-limits/expense-approval/v${version}.yaml`,
      display: `policies/approval-limits/expense-approval/v${version}.yaml`,
      text: nextVersion(v1.text, version, date),
    });
    const ok = checkRelease(files, [...files, add(2, "2026-04-01"), add(3, "2026-07-01")]);
    expect(ok.problems).toEqual([]);
    expect(ok.newVersions.map((v) => [v.version, v.previous?.version])).toEqual([
      [2, 1],
      [3, 2],
    ]);
    const bad = checkRelease(files, [...files, add(2, "2026-07-01"), add(3, "2026-04-01")]);
    expect(bad.problems.map((p) => p.code)).toEqual(["effective_from"]);
  });
});
