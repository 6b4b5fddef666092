/** The `compliance` command line, run in-process through its main() and once as a real process. */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { REPO_ROOT } from "../../functions/runtime/policy-files.ts";
import { SHIPPED_DIR } from "../support/policies.ts";
import { overBudget } from "../support/records.ts";

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const tmp = mkdtempSync(join(tmpdir(), "compliance-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function brokenCopy(): string {
  const dir = join(tmp, `policies-${Math.random().toString(36).slice(2)}`);
  cpSync(SHIPPED_DIR, dir, { recursive: true });
  const expense = join(dir, "approval-limits/expense-approval/v1.yaml");
  writeFileSync(
    expense,
    readFileSync(expense, "utf8").replace("operator: doesNotContain", "operator: lacks"),
  );
  const quote = join(dir, "approval-limits/quote-approval/v1.yaml");
  writeFileSync(
    quote,
    readFileSync(quote, "utf8").replace(
      "title: { zh: 報價審核與折扣權限,",
      "title: [ zh: 報價審核與折扣權限,",
    ),
  );
  return dir;
}

const record = overBudget("EXP-2026-0001", 3); // fires expense-approval/over-budget only

describe("compliance policy validate / test", () => {
  it("passes on the shipped policies (exit 0)", async () => {
    expect(await run("policy", "validate")).toMatchObject({
      code: 0,
      out: expect.stringContaining("10 policy versions, 50 rules"),
    });
    const tested = await run("policy", "test");
    expect(tested.code).toBe(0);
    expect(tested.out).toMatch(/^\d+ passed, 0 failed/);
  });

  it("counts the directory's people, and reports a role member who is not a person as file:line:column", async () => {
    expect((await run("policy", "validate")).out).toMatch(/50 rules, \d+ people$/);
    const dir = join(tmp, `org-${Math.random().toString(36).slice(2)}`);
    cpSync(SHIPPED_DIR, dir, { recursive: true });
    const org = join(dir, "org.yaml");
    writeFileSync(
      org,
      readFileSync(org, "utf8").replace(
        "people: [fin.wang, fin.zhao]",
        "people: [fin.wang, fin.zhao, mickey.mouse]",
      ),
    );
    const result = await run("policy", "validate", dir);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /org\.yaml:\d+:\d+: role finance: "mickey\.mouse" is not a person of the directory/,
    );
  });

  it("reports a YAML syntax error and an unknown operator as file:line:column, exit 1", async () => {
    const dir = brokenCopy();
    for (const command of ["validate", "test"]) {
      const result = await run("policy", command, dir);
      expect(result.code).toBe(1);
      const lines = result.err.split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/expense-approval\/v1\.yaml:\d+:\d+: unknown operator "lacks"$/);
      expect(lines[1]).toMatch(/quote-approval\/v1\.yaml:\d+:\d+: /);
    }
  });

  it("honours COMPLIANCE_POLICIES_DIR", async () => {
    const dir = brokenCopy();
    process.env.COMPLIANCE_POLICIES_DIR = dir;
    try {
      expect((await run("policy", "validate")).code).toBe(1);
    } finally {
      delete process.env.COMPLIANCE_POLICIES_DIR;
    }
  });

  it("prints diagnostics as JSON with --json", async () => {
    const result = await run("policy", "validate", brokenCopy(), "--json");
    expect(result.code).toBe(1);
    const body = JSON.parse(result.out);
    expect(body.ok).toBe(false);
    expect(body.diagnostics.map((d: { code: string }) => d.code)).toEqual([
      "unknown_operator",
      "yaml_syntax",
    ]);
  });

  it("exits 2 on a usage error", async () => {
    expect((await run("policy", "frobnicate")).code).toBe(2);
    expect((await run("evaluate")).code).toBe(2);
  });
});

describe("compliance evaluate", () => {
  it("evaluates a record at --at and exits 1 with its violations", async () => {
    const file = join(tmp, "record.json");
    writeFileSync(file, JSON.stringify(record, null, 2));
    const human = await run("evaluate", file, "--at", "2026-03-02T00:00:00Z");
    expect(human.code).toBe(1);
    expect(human.out).toContain("expense-approval/over-budget");
    expect(human.out).toContain("報銷金額 12,000 超出預算餘額 8,000");
    const json = await run("evaluate", file, "--at", "2026-03-02T00:00:00Z", "--json");
    const evaluation = JSON.parse(json.out);
    expect(evaluation.evaluatedAt).toBe("2026-03-02T00:00:00.000Z");
    expect(evaluation.violations.map((v: { ruleId: string }) => v.ruleId)).toEqual(["over-budget"]);
  });

  it("gives the same answer with the json-rules-engine reference", async () => {
    const file = join(tmp, "record2.json");
    writeFileSync(file, JSON.stringify(record));
    const a = JSON.parse((await run("evaluate", file, "--at", "2026-03-02T00:00:00Z", "--json")).out);
    const b = JSON.parse(
      (await run("evaluate", file, "--at", "2026-03-02T00:00:00Z", "--json", "--engine", "json-rules-engine"))
        .out,
    );
    expect(b.violations).toEqual(a.violations);
  });

  it("exits 0 for a clean record", async () => {
    const file = join(tmp, "clean.json");
    writeFileSync(file, JSON.stringify({ ...record, data: { ...record.data, amount: 100 } }));
    expect((await run("evaluate", file, "--at", "2026-03-02T00:00:00Z")).code).toBe(0);
  });

  it("reports an invalid record at file:line:column, exit 1", async () => {
    const file = join(tmp, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({ ...record, data: { ...record.data, amount: -5, ammount: 1 } }, null, 2),
    );
    const result = await run("evaluate", file);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/bad\.json:\d+:\d+: data\.amount: /);
    expect(result.err).toMatch(/bad\.json:\d+:\d+: data\.ammount: unknown field "ammount"/);
  });
});

describe("npx compliance (a real process on Node 24)", () => {
  it("runs the bin and returns its exit code", () => {
    const ok = spawnSync(process.execPath, [join(REPO_ROOT, "bin/compliance.js"), "policy", "validate"], {
      encoding: "utf8",
    });
    expect(ok.status).toBe(0);
    const bad = spawnSync(
      process.execPath,
      [join(REPO_ROOT, "bin/compliance.js"), "policy", "validate", brokenCopy()],
      {
        encoding: "utf8",
      },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/v1\.yaml:\d+:\d+: /);
    expect(execFileSync(process.execPath, ["--version"], { encoding: "utf8" })).toMatch(/^v24\./);
  });
});
