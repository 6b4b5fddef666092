/**
 * The command line's times (CONTRACT §8: `--at` never read as the host's local time) and the
 * messages issue 13 asked for (did-you-mean, no cascades, JSON Lines, every issue of a record).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { auditVerifyCommand } from "../../functions/cli/audit.ts";
import { readJsonLines } from "../../functions/cli/json-lines.ts";
import { main } from "../../functions/cli/main.ts";
import { parseRecordsJsonl } from "../../functions/cli/policy-records.ts";
import { SHIPPED_DIR } from "../support/policies.ts";
import { complaint, overBudget } from "../support/records.ts";
import { EXPENSE_V1, EXPENSE_V2, nextVersion, policyRepo } from "./policy-repo.ts";

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const tmp = mkdtempSync(join(tmpdir(), "compliance-cli-times-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

describe("compliance evaluate --at (CONTRACT §8)", () => {
  const record = file("record.json", JSON.stringify(overBudget("EXP-AT-1", 1)));

  it("refuses a zone-less date-time with the accepted forms (usage error, exit 2)", async () => {
    const result = await run("evaluate", record, "--at", "2026-03-02T11:00:01", "--json");
    expect(result.code).toBe(2);
    expect(result.err).toContain("--at 2026-03-02T11:00:01");
    expect(result.err).toContain("has no zone");
    expect(result.err).toContain("e.g. 2026-03-01, 2026-03-01T08:00:00Z or 2026-03-01T16:00+08:00");
  });

  it("refuses loose forms Date.parse would take", async () => {
    for (const loose of ["March 2, 2026", "2026/03/02", "2026-03-02 11:00"])
      expect((await run("evaluate", record, "--at", loose)).code).toBe(2);
  });

  it("reads a minutes-only time with an offset, and a date as 00:00 in the company's zone", async () => {
    const offset = JSON.parse(
      (await run("evaluate", record, "--at", "2026-03-02T11:00+08:00", "--json")).out,
    );
    expect(offset.evaluatedAt).toBe("2026-03-02T03:00:00.000Z");
    const date = JSON.parse((await run("evaluate", record, "--at", "2026-03-02", "--json")).out);
    expect(date.evaluatedAt).toBe("2026-03-01T16:00:00.000Z");
  });
});

/** A copy of the shipped policies with `edit` applied to expense-approval v1. */
function editedCopy(edit: (text: string) => string): string {
  const dir = join(tmp, `policies-${Math.random().toString(36).slice(2)}`);
  cpSync(SHIPPED_DIR, dir, { recursive: true });
  const file = join(dir, EXPENSE_V1);
  writeFileSync(file, edit(readFileSync(file, "utf8")));
  return dir;
}

describe("policy validate: did you mean, and no cascades", () => {
  it("suggests the nearest operator, decorator included", async () => {
    const dir = editedCopy((t) =>
      t
        .replace("operator: decimalGreaterThan,", "operator: decimalGreaterThen,")
        .replace("operator: notEqual, value: draft", "operator: not:equl, value: draft"),
    );
    const result = await run("policy", "validate", dir);
    expect(result.code).toBe(1);
    const lines = result.err.split("\n");
    expect(lines).toEqual([
      expect.stringMatching(
        /v1\.yaml:\d+:\d+: unknown operator "decimalGreaterThen": did you mean "decimalGreaterThan"\?$/,
      ),
      expect.stringMatching(/v1\.yaml:\d+:\d+: unknown operator "not:equl": did you mean "not:equal"\?$/),
    ]);
  });

  it("suggests facts, parameters and roles", async () => {
    const dir = editedCopy((t) =>
      t
        .replace("- fact: approverAuthority\n", "- fact: approverAuthorty\n")
        .replace("{ param: majorAdjustmentShare }", "{ param: majorAdjustmentShar }")
        .replace("assign: [department-head]", "assign: [department-haed]"),
    );
    const err = (await run("policy", "validate", dir)).err;
    expect(err).toContain('unknown fact "approverAuthorty": did you mean "approverAuthority"?');
    expect(err).toContain(
      'unknown parameter "majorAdjustmentShar" (not in parameters): did you mean "majorAdjustmentShare"?',
    );
    expect(err).toContain(
      'role "department-haed" is not defined in org.yaml: did you mean "department-head"?',
    );
  });

  it("a typo in a condition's path is one error, not also one on the untouched message line", async () => {
    const dir = editedCopy((t) => t.replace("path: $.amount,", "path: $.ammount,"));
    const result = await run("policy", "validate", dir);
    expect(result.code).toBe(1);
    expect(result.err.split("\n")).toEqual([
      expect.stringMatching(
        /v1\.yaml:\d+:\d+: path "\$\.ammount": expense data has no field "ammount": did you mean "amount"\?$/,
      ),
    ]);
  });

  it("a policy version with a syntax error does not make the next version's predecessor missing", async () => {
    const dir = editedCopy((t) => t.replace("title: { zh: 營銷費用審批,", "title: [ zh: 營銷費用審批,"));
    const lines = (await run("policy", "validate", dir)).err.split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/expense-approval\/v1\.yaml:/);
  });
});

describe("compliance evaluate on JSON Lines", () => {
  it("puts a JSON syntax error at its column (from V8's message)", () => {
    for (const [raw, column] of [
      ['{"type": "expense", "id": }', 27],
      ['{"a": 1, "b": x, "c": 3333333333333333, "d": 4}', 15],
      ['{"a": x, "ccccccccccccccccccccccccccc": 3}', 7],
      ['{"a": x}', 7],
      ['{"a": 1', 8],
      ['{"a" 1}', 6],
    ] as const)
      expect([raw, readJsonLines("f", raw).diagnostics[0]?.column]).toEqual([raw, column]);
  });

  it("evaluates one record a line and reports every problem of a bad line as file:line:column", async () => {
    const bad = { ...overBudget("EXP-JL-2", 1), revision: 0, occurredAt: "2026-03-01T08:00" };
    const path = file(
      "records.jsonl",
      [
        JSON.stringify(overBudget("EXP-JL-1", 1)),
        JSON.stringify(bad),
        "",
        JSON.stringify(complaint("CMP-JL-1", 1)),
        '{"type": "expense", "id": }',
      ].join("\n"),
    );
    const result = await run("evaluate", path, "--at", "2026-03-02T00:00:00Z");
    expect(result.code).toBe(1);
    const errors = result.err.split("\n");
    expect(errors).toEqual([
      expect.stringMatching(/records\.jsonl:2:\d+: not a valid record: revision: /),
      expect.stringMatching(
        /records\.jsonl:2:\d+: not a valid record: occurredAt: .*e\.g\. 2026-03-01T08:00:00Z/,
      ),
      expect.stringMatching(/records\.jsonl:5:27: not JSON: /),
    ]);
    expect(errors[1]).toMatch(new RegExp(`:2:${JSON.stringify(bad).indexOf('"occurredAt"') + 1}:`));
    expect(result.out).toContain("records.jsonl:1: expense/EXP-JL-1 revision 1");
    expect(result.out).toContain("expense-approval/over-budget");
    expect(result.out).toContain("records.jsonl:4: complaint/CMP-JL-1 revision 1");
    expect(result.out).toContain("2 record(s) evaluated");
  });

  it("--json gives every record's evaluation with its line", async () => {
    const path = file(
      "two.jsonl",
      `${JSON.stringify(overBudget("EXP-JL-3", 1))}\n${JSON.stringify(complaint("CMP-JL-2", 1))}\n`,
    );
    const json = JSON.parse((await run("evaluate", path, "--at", "2026-03-02T00:00:00Z", "--json")).out);
    expect(json.results.map((r: { line: number; record: { id: string } }) => [r.line, r.record.id])).toEqual([
      [1, "EXP-JL-3"],
      [2, "CMP-JL-2"],
    ]);
  });
});

describe("policy impact --records", () => {
  it("reports every issue of a bad record, not only the first", () => {
    const text = JSON.stringify({
      ...overBudget("EXP-IM-1", 1),
      revision: -1,
      source: 5,
      occurredAt: "soon",
    });
    const { diagnostics } = parseRecordsJsonl("records.jsonl", text);
    expect(diagnostics.map((d) => d.message.split(":")[1]?.trim())).toEqual(
      expect.arrayContaining(["revision", "occurredAt", "source"]),
    );
    expect(diagnostics.length).toBeGreaterThanOrEqual(3);
  });
});

describe("compliance audit verify", () => {
  it("without an endpoint or a key, says --endpoint is the fix for the local platform", async () => {
    const err: string[] = [];
    const code = await auditVerifyCommand({ json: false }, { out: () => {}, err: (l) => err.push(l) }, {});
    expect(code).toBe(2);
    expect(err.join("\n")).toContain("--endpoint http://127.0.0.1:<port>");
    expect(err.join("\n")).toContain("COMPLIANCE_AUDIT_KEY");
  });
});

describe("policy check", () => {
  it("does not suggest creating v2.yaml when this change already adds it", async () => {
    const repo = policyRepo();
    try {
      repo.write(EXPENSE_V2, nextVersion(repo.read(EXPENSE_V1), 2, "2026-07-01"));
      repo.write(EXPENSE_V1, repo.read(EXPENSE_V1).replace("due: P1D", "due: P2D"));
      const result = await run("policy", "check", "--base", "main", repo.dir);
      expect(result.code).toBe(1);
      expect(result.err).toContain(
        "put the change in v2.yaml, which this change adds, and restore the released file",
      );
      expect(result.err).not.toContain("a new v2.yaml");
    } finally {
      repo.dispose();
    }
  });
});

describe("policy diff of the shipped v2", () => {
  it("shows only wording and reported evidence changes: the rules are v1's", async () => {
    const result = await run("policy", "diff", "contract-clauses", "1", "2");
    expect(result.code).toBe(0);
    const lines = result.out.split("\n").filter((l) => l.startsWith("Rule "));
    expect(lines).toContain(
      "Rule copies-distributed: now also reports evidence lateCopies (fact copiesNotSentWithin)",
    );
    for (const line of lines)
      expect(line).toMatch(/: (message \((en|zh)\) changed|now also reports evidence)/);
  });
});
