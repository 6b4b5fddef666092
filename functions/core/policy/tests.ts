/**
 * Policy tests (Kyverno-style: policy, records and expected results side by side): every
 * `v<N>.test.yaml` holds cases — a record, `now`, and exactly which rules of `v<N>` fire.
 * Failures are diagnostics at the case's line, like every other problem.
 */
import { isDeepStrictEqual } from "node:util";
import { type PolicyTestFile, policyTestSchema } from "../../../schemas/policy.ts";
import { recordSchema } from "../../../schemas/record.ts";
import { type Diagnostic, sortDiagnostics } from "../diagnostics.ts";
import type { Evaluator } from "../engine/evaluate.ts";
import type { RuleExplanation } from "../engine/explanation.ts";
import type { Violation } from "../engine/violation.ts";
import { toIssues } from "../issues.ts";
import { TEST_FILE } from "./loader.ts";
import { findVersion, type PolicySet, type SourceFile } from "./model.ts";
import { schemaDiagnostics } from "./schema-diagnostics.ts";
import { parseYaml } from "./yaml-source.ts";

export interface TestSummary {
  readonly files: number;
  readonly passed: number;
  readonly failed: number;
  /** Failures and invalid test files, sorted. */
  readonly diagnostics: readonly Diagnostic[];
  readonly cases: readonly TestCaseResult[];
}

export interface TestCaseResult {
  readonly file: string;
  readonly name: string;
  readonly passed: boolean;
  /**
   * A failing case: why the rules in question (those that fired against the expectation, or did
   * not fire though expected; else the expected ones; else all) did or did not fire.
   */
  readonly why?: {
    readonly policyId: string;
    readonly version: number;
    readonly rules: readonly RuleExplanation[];
  };
}

type Expectation = PolicyTestFile["cases"][number]["expect"][number];

/** Maps merge key by key; lists and scalars replace. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
    return out;
  }
  return over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describeExpectation(e: Expectation): string {
  return typeof e === "string" ? e : e.ruleId;
}

function checkDetails(expected: Expectation, actual: Violation): string[] {
  if (typeof expected === "string") return [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(expected.evidence ?? {}))
    if (!isDeepStrictEqual(actual.evidence[key], value))
      problems.push(
        `${expected.ruleId}: evidence ${key} is ${JSON.stringify(actual.evidence[key])}, expected ${JSON.stringify(value)}`,
      );
  for (const lang of ["zh", "en"] as const) {
    const want = expected.message?.[lang];
    if (want !== undefined && !actual.message[lang].includes(want))
      problems.push(
        `${expected.ruleId}: message.${lang} "${actual.message[lang]}" does not contain "${want}"`,
      );
  }
  if (expected.dueAt !== undefined && Date.parse(expected.dueAt) !== Date.parse(actual.dueAt))
    problems.push(`${expected.ruleId}: dueAt is ${actual.dueAt}, expected ${expected.dueAt}`);
  if (expected.assignees !== undefined && !isDeepStrictEqual(expected.assignees, actual.assignees))
    problems.push(`${expected.ruleId}: assignees are ${JSON.stringify(actual.assignees)}`);
  return problems;
}

export function runPolicyTests(
  set: PolicySet,
  evaluator: Evaluator,
  files: readonly SourceFile[],
): TestSummary {
  const diagnostics: Diagnostic[] = [];
  const cases: TestCaseResult[] = [];
  let fileCount = 0;
  for (const file of files) {
    const layout = TEST_FILE.exec(file.path);
    if (!layout) continue;
    fileCount++;
    const [, , policyId, versionText] = layout;
    const { source, errors } = parseYaml(file.display, file.text);
    diagnostics.push(...errors);
    if (!source) continue;
    const checked = schemaDiagnostics(source, policyTestSchema);
    diagnostics.push(...checked.diagnostics);
    if (!checked.value) continue;
    const tests = checked.value as PolicyTestFile;
    const version = findVersion(set, policyId ?? "", Number(versionText));
    if (!version) {
      diagnostics.push(source.at([], "layout", `no policy file v${versionText}.yaml beside this test file`));
      continue;
    }
    const ruleIds = new Set(version.rules.map((r) => r.id));
    for (const [index, testCase] of tests.cases.entries()) {
      const at = ["cases", index] as const;
      const fail = (message: string, path: (string | number)[] = []) => {
        diagnostics.push(source.at([...at, ...path], "test_failed", `case "${testCase.name}": ${message}`));
      };
      const problemsBefore = diagnostics.length;
      for (const [i, e] of testCase.expect.entries())
        if (!ruleIds.has(describeExpectation(e)))
          fail(`expects rule "${describeExpectation(e)}", which ${policyId} v${versionText} does not have`, [
            "expect",
            i,
          ]);
      const input = deepMerge(tests.record ?? {}, testCase.record);
      const parsed = recordSchema.safeParse(input);
      if (!parsed.success) {
        for (const issue of toIssues(parsed.error, input))
          diagnostics.push(
            source.at(
              [...at, "record"],
              "invalid_record",
              `case "${testCase.name}": record ${issue.path.join(".")}: ${issue.message}`,
            ),
          );
        cases.push({ file: file.display, name: testCase.name, passed: false });
        continue;
      }
      if (parsed.data.type !== version.appliesTo)
        fail(`record type ${parsed.data.type} is not what ${policyId} applies to (${version.appliesTo})`, [
          "record",
        ]);
      const result = evaluator.evaluateVersions([version], parsed.data, { now: testCase.now });
      const fired = result.violations.map((v) => v.ruleId).sort();
      const expected = testCase.expect.map(describeExpectation).sort();
      if (!isDeepStrictEqual(fired, expected))
        fail(`expected [${expected.join(", ")}] to fire, got [${fired.join(", ")}]`, ["expect"]);
      for (const [i, e] of testCase.expect.entries()) {
        const actual = result.violations.find((v) => v.ruleId === describeExpectation(e));
        if (actual) for (const problem of checkDetails(e, actual)) fail(problem, ["expect", i]);
      }
      if (testCase.nextCheckAt !== undefined) {
        const want = testCase.nextCheckAt === null ? null : new Date(testCase.nextCheckAt).toISOString();
        if (want !== result.nextCheckAt)
          fail(`nextCheckAt is ${result.nextCheckAt}, expected ${want}`, ["nextCheckAt"]);
      }
      const passed = diagnostics.length === problemsBefore;
      if (passed) cases.push({ file: file.display, name: testCase.name, passed });
      else {
        // explained only on failure: a passing run costs nothing more
        const explained = evaluator.evaluateVersions([version], parsed.data, {
          now: testCase.now,
          explain: true,
        });
        const rules = explained.policies[0]?.rules ?? [];
        const mismatched = rules.filter((r) => r.fired !== expected.includes(r.id));
        const inQuestion =
          mismatched.length > 0
            ? mismatched
            : expected.length > 0
              ? rules.filter((r) => expected.includes(r.id))
              : rules;
        cases.push({
          file: file.display,
          name: testCase.name,
          passed,
          why: { policyId: version.id, version: version.version, rules: inQuestion },
        });
      }
    }
  }
  const passed = cases.filter((c) => c.passed).length;
  return {
    files: fileCount,
    passed,
    failed: cases.length - passed,
    diagnostics: sortDiagnostics(diagnostics),
    cases,
  };
}
