/** `compliance policy impact`: the pure replay and its Markdown, and the command on a JSONL of records. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { latestRevisions, parseRecordsJsonl } from "../../functions/cli/policy-records.ts";
import { createEvaluator } from "../../functions/core/engine/evaluate.ts";
import {
  IMPACT_MARKER,
  impactMarkdown,
  replayImpact,
  versionChanges,
} from "../../functions/core/policy/impact.ts";
import { loadPolicies } from "../../functions/core/policy/loader.ts";
import type { PolicySet } from "../../functions/core/policy/model.ts";
import { firstReleaseFiles, firstReleasePolicies } from "../support/policies.ts";
import { approvedExpense, expenseV2, impactRecords } from "./impact-fixture.ts";
import { EXPENSE_V1, EXPENSE_V2, type PolicyRepo, policyRepo, run } from "./policy-repo.ts";

function proposedSet(): PolicySet {
  const files = firstReleaseFiles();
  const v1 = files.find((f) => f.path === EXPENSE_V1);
  if (!v1) throw new Error("no expense v1");
  const result = loadPolicies([
    ...files,
    { path: EXPENSE_V2, display: `policies/${EXPENSE_V2}`, text: expenseV2(v1.text) },
  ]);
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return result.set;
}

const base = createEvaluator(firstReleasePolicies());
const proposed = createEvaluator(proposedSet());
const NOW = "2026-03-10T00:00:00Z";

describe("replayImpact", () => {
  it("finds violations that would open and resolve, and the workload per role", () => {
    const report = replayImpact(base, proposed, impactRecords(), { now: NOW });
    expect(report).toMatchObject({ records: 5, mode: "in-force", opened: 1, resolved: 1 });
    expect(report.versions).toEqual([
      {
        policyId: "expense-approval",
        version: 2,
        change: "added",
        effectiveFrom: "2026-02-01",
        appliesTo: "expense",
      },
    ]);
    expect(report.rules).toEqual([
      {
        policyId: "expense-approval",
        ruleId: "approval-limit",
        severity: "high",
        opened: ["E-OPEN"],
        resolved: ["E-RESOLVE"],
        unchanged: 2, // E-BOTH (reassigned), E-EARLY (v1 judges it in both sets)
      },
    ]);
    expect(report.roles).toEqual([
      { role: "finance", added: 1, removed: 1 },
      { role: "management", added: 2, removed: 0 },
      { role: "marketing-director", added: 0, removed: 2 },
    ]);
    expect(report.notes).toEqual([
      expect.stringContaining("expense-approval v2 is in force from 2026-02-01: 1 of the 5 expense records"),
    ]);
  });

  it("judges every record by the newest versions with mode latest", () => {
    const report = replayImpact(base, proposed, impactRecords(), { now: NOW, mode: "latest" });
    expect(report.rules[0]).toMatchObject({
      opened: ["E-OPEN"],
      resolved: ["E-EARLY", "E-RESOLVE"],
      unchanged: 1,
    });
    expect(report.notes).toEqual([]);
  });

  it("finds nothing between a set and itself", () => {
    const report = replayImpact(base, base, impactRecords(), { now: NOW });
    expect(report).toMatchObject({ rules: [], roles: [], versions: [], opened: 0, resolved: 0 });
    expect(versionChanges(base.set, proposed.set)).toHaveLength(1);
  });
});

describe("impactMarkdown", () => {
  it("prints per rule counts and examples, and the workload table", () => {
    const records = [
      ...impactRecords(),
      ...Array.from({ length: 11 }, (_, i) =>
        approvedExpense(`E-MORE-${String(i).padStart(2, "0")}`, 25000, "marketing-director"),
      ),
    ];
    const report = replayImpact(base, proposed, records, { now: NOW });
    const md = impactMarkdown(report, {
      base: "origin/main",
      source: "records file r.jsonl",
      since: "2026-01-01",
    });
    expect(md.startsWith(`${IMPACT_MARKER}\n## Policy impact\n`)).toBe(true);
    expect(md).toContain("Compared with `origin/main`: expense-approval v2 (new, in force from 2026-02-01).");
    expect(md).toContain(
      "Replayed 16 records (the latest revision of each, occurred since 2026-01-01; from records file r.jsonl)",
    );
    expect(md).toContain("**12 violations would open, 1 would resolve.**");
    expect(md).toContain("| `expense-approval/approval-limit` | high | 12 | 1 | 2 |");
    expect(md).toContain(
      "- would open (12): `E-MORE-00`, `E-MORE-01`, `E-MORE-02`, `E-MORE-03`, `E-MORE-04`, `E-MORE-05`, `E-MORE-06`, `E-MORE-07`, `E-MORE-08`, `E-MORE-09` and 2 more",
    );
    expect(md).toContain("- would resolve (1): `E-RESOLVE`");
    expect(md).toContain("| management | 13 | 0 | +13 |");
    expect(md).toContain("| marketing-director | 0 | 2 | -2 |");
  });

  it("says so when nothing would change", () => {
    const md = impactMarkdown(replayImpact(base, base, impactRecords(), { now: NOW }), {
      base: "main",
      source: "x",
    });
    expect(md).toContain("no policy version differs");
    expect(md).toContain("**No violation would open or resolve.**");
    expect(md).not.toContain("Workload");
  });
});

describe("records for the replay", () => {
  it("keeps the latest revision of each record, and filters by occurredAt", () => {
    const records = [
      approvedExpense("A", 30000, "marketing-director", { revision: 2 }),
      approvedExpense("A", 1000, "marketing-director", { revision: 1 }),
      approvedExpense("B", 1000, "department-head", { occurredAt: "2025-12-01T00:00:00Z" }),
    ];
    expect(latestRevisions(records).map((r) => [r.id, r.revision])).toEqual([
      ["A", 2],
      ["B", 1],
    ]);
    expect(latestRevisions(records, Date.parse("2026-01-01")).map((r) => r.id)).toEqual(["A"]);
  });

  it("reads JSONL of envelopes or stored items, and names each bad line", () => {
    const good = approvedExpense("A", 1000, "department-head");
    const text = [
      "# comment",
      JSON.stringify(good),
      "",
      JSON.stringify({ pk: "expense#A", rev: 2, record: { ...good, revision: 2 } }),
      "{not json",
      JSON.stringify({ ...good, type: "expense", data: { ...good.data, amount: "a lot" } }),
    ].join("\n");
    const parsed = parseRecordsJsonl("r.jsonl", text);
    expect(parsed.records.map((r) => r.revision)).toEqual([1, 2]);
    // at the bad character, and at the bad field's key
    const line6 = text.split("\n")[5] ?? "";
    expect(parsed.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}`)).toEqual([
      "r.jsonl:5:2",
      `r.jsonl:6:${line6.indexOf('"amount"') + 1}`,
    ]);
    expect(parsed.diagnostics[1]?.message).toContain("data.amount");
  });
});

describe("compliance policy impact --records", () => {
  let repo: PolicyRepo;
  afterEach(() => repo?.dispose());

  function setUp(): { records: string } {
    repo = policyRepo();
    repo.git("checkout", "-q", "-b", "lower-authority");
    repo.write(EXPENSE_V2, expenseV2(repo.read(EXPENSE_V1)));
    repo.commit("expense-approval v2");
    const records = join(repo.root, "records.jsonl");
    const lines = impactRecords().map((r) => JSON.stringify(r));
    // an older revision of E-RESOLVE that would have opened: only the latest revision counts
    lines.push(JSON.stringify(approvedExpense("E-RESOLVE", 30000, "marketing-director", { revision: 1 })));
    lines[1] = JSON.stringify(approvedExpense("E-RESOLVE", 7000, "department-head", { revision: 2 }));
    writeFileSync(records, `${lines.join("\n")}\n`);
    return { records };
  }

  it("prints Markdown for a PR comment (exit 0)", async () => {
    const { records } = setUp();
    const result = await run(
      "policy",
      "impact",
      "--base",
      "main",
      "--records",
      records,
      "--at",
      NOW,
      repo.dir,
    );
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toContain("## Policy impact");
    expect(result.out).toContain("Replayed 5 records");
    expect(result.out).toContain("| `expense-approval/approval-limit` | high | 1 | 1 | 2 |");
    expect(result.out).toContain("- would open (1): `E-OPEN`");
    expect(result.out).toContain("- would resolve (1): `E-RESOLVE`");
    expect(result.out).toContain("| management | 2 | 0 | +2 |");
  });

  it("filters with --since, judges by the newest versions with --latest, and gives JSON", async () => {
    const { records } = setUp();
    const args = ["policy", "impact", "--base", "main", "--records", records, "--at", NOW, repo.dir];
    const since = JSON.parse((await run(...args, "--since", "2026-02-01", "--json")).out);
    expect(since).toMatchObject({ ok: true, records: 4, since: "2026-02-01", opened: 1, resolved: 1 });
    const latest = JSON.parse((await run(...args, "--latest", "--json")).out);
    expect(latest).toMatchObject({ mode: "latest", opened: 1, resolved: 2 });
    // against itself nothing changes
    const same = await run("policy", "impact", "--base", "HEAD", "--records", records, "--at", NOW, repo.dir);
    expect(same.out).toContain("**No violation would open or resolve.**");
  });

  it("exits 1 on invalid records or policies that do not load, 2 on usage errors", async () => {
    const { records } = setUp();
    const bad = join(repo.root, "bad.jsonl");
    writeFileSync(bad, '{"type":"expense"}\n');
    const invalid = await run("policy", "impact", "--base", "main", "--records", bad, repo.dir);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/bad\.jsonl:1:1: not a valid record/);
    repo.write(EXPENSE_V2, repo.read(EXPENSE_V2).replace("operator: doesNotContain", "operator: lacks"));
    const broken = await run("policy", "impact", "--base", "main", "--records", records, repo.dir);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/the proposed policies do not load:\n.*unknown operator "lacks"/);

    const usage = (...args: string[]) => run("policy", "impact", ...args);
    expect((await usage("--records", records, repo.dir)).code).toBe(2); // no --base
    expect((await usage("--base", "main", "--records", join(repo.root, "none.jsonl"), repo.dir)).code).toBe(
      2,
    );
    expect((await usage("--base", "main", "--records", records, "--since", "soon", repo.dir)).code).toBe(2);
    expect((await usage("--base", "main", "--records", records, "--at", "later", repo.dir)).code).toBe(2);
    expect((await usage("--base", "nope", "--records", records, repo.dir)).code).toBe(2);
    expect((await usage("--base", "main", "--records", records, repo.dir, "extra")).code).toBe(2);
  });
});
