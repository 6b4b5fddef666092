/**
 * `compliance` — the policy owners' command line.
 *
 *   compliance policy validate [dir]            exit 0 clean, 1 with file:line:column: message lines
 *   compliance policy test [dir]                runs every v<N>.test.yaml; same exit codes
 *   compliance evaluate <record.json|records.jsonl> [--at <time>] [--engine compiled|json-rules-engine] [--explain]
 *                                               exit 0 no violation, 1 violations or invalid record
 *   compliance policy check|diff|impact …       pull-request tools: see policy-tools.ts
 *   compliance login <person> [--url <base>]    an ID token from a running npm start (login.ts)
 *   add --json for machine-readable output; exit 2 is a usage error.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { RecordEnvelope } from "../../schemas/record.ts";
import { recordSchema } from "../../schemas/record.ts";
import { type Diagnostic, formatDiagnostic, sortDiagnostics } from "../core/diagnostics.ts";
import { createEvaluator, type Evaluation } from "../core/engine/evaluate.ts";
import type { RuleExplanation } from "../core/engine/explanation.ts";
import { explanationLines } from "../core/engine/explanation-text.ts";
import { createReferenceEvaluator } from "../core/engine/reference.ts";
import { DomainError, exitCode, isDomainError } from "../core/errors.ts";
import { loadPolicies } from "../core/policy/loader.ts";
import { findVersion, type OrgDirectory, type PolicySet } from "../core/policy/model.ts";
import { schemaDiagnostics } from "../core/policy/schema-diagnostics.ts";
import { runPolicyTests } from "../core/policy/tests.ts";
import { parseYaml } from "../core/policy/yaml-source.ts";
import { companyTimeZone, parseTimeInput, toIso } from "../core/time.ts";
import { policiesDir, readPolicyFiles } from "../runtime/policy-files.ts";
import { auditVerifyCommand } from "./audit.ts";
import type { Io } from "./io.ts";
import { looksLikeJsonLines, readJsonLines, schemaIssues } from "./json-lines.ts";
import { loginCommand } from "./login.ts";
import { POLICY_TOOLS_USAGE, runPolicyTool } from "./policy-tools.ts";

const USAGE = `usage:
  compliance policy validate [dir] [--json]
  compliance policy test [dir] [--json]
  compliance evaluate <record.json|records.jsonl> [--at <time>] [--engine compiled|json-rules-engine] [--explain] [--json]
${POLICY_TOOLS_USAGE}
  compliance audit verify [--endpoint <url>] [--prefix <table prefix>] [--json]
  compliance login <person> [--url <base URL of npm start>] [--json]
The policies folder defaults to $COMPLIANCE_POLICIES_DIR, else ./policies.`;

class UsageError extends DomainError<"usage_error"> {
  constructor(message: string) {
    super("usage_error", message);
  }
}

function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[], json: boolean) {
  if (json) io.out(JSON.stringify({ ok: false, diagnostics }, null, 2));
  else for (const d of diagnostics) io.err(formatDiagnostic(d));
}

function load(dir: string | undefined, io: Io, json: boolean) {
  const folder = policiesDir(dir);
  let files: ReturnType<typeof readPolicyFiles>;
  try {
    files = readPolicyFiles(folder);
  } catch (cause) {
    throw new UsageError(`cannot read policies folder ${folder}: ${(cause as Error).message}`);
  }
  const result = loadPolicies(files);
  if (!result.ok) printDiagnostics(io, result.diagnostics, json);
  return { files, result };
}

function validate(dir: string | undefined, json: boolean, io: Io): number {
  const { result } = load(dir, io, json);
  if (!result.ok) return 1;
  const rules = result.set.versions.reduce((n, v) => n + v.rules.length, 0);
  const people = result.set.org.people.length;
  if (json)
    io.out(JSON.stringify({ ok: true, policies: result.set.versions.length, rules, people }, null, 2));
  else io.out(`ok: ${result.set.versions.length} policy versions, ${rules} rules, ${people} people`);
  return 0;
}

function test(dir: string | undefined, json: boolean, io: Io): number {
  const { files, result } = load(dir, io, json);
  if (!result.ok) return 1;
  const summary = runPolicyTests(result.set, createEvaluator(result.set), files);
  const ok = summary.diagnostics.length === 0 && summary.failed === 0;
  if (json) io.out(JSON.stringify({ ok, ...summary }, null, 2));
  else {
    for (const d of summary.diagnostics) io.err(formatDiagnostic(d));
    for (const c of summary.cases) {
      if (!c.why) continue;
      io.err(
        `\n${c.file}: case "${c.name}" failed; why ${c.why.policyId} v${c.why.version}'s rules fired or not:`,
      );
      printExplanations(io.err, result.set, c.why.policyId, c.why.version, c.why.rules);
    }
    io.out(`${summary.passed} passed, ${summary.failed} failed (${summary.files} test files)`);
  }
  return ok ? 0 : 1;
}

/** Each rule's explanation as an indented tree (words from the policy as written). */
function printExplanations(
  print: (line: string) => void,
  set: PolicySet,
  policyId: string,
  version: number,
  rules: readonly RuleExplanation[],
) {
  const policy = findVersion(set, policyId, version);
  for (const rule of rules) {
    const written = policy?.rules.find((r) => r.id === rule.id)?.whenAsWritten;
    for (const line of explanationLines(rule, written)) print(`  ${line}`);
  }
}

function printEvaluation(io: Io, evaluation: Evaluation, set: PolicySet) {
  io.out(
    `evaluated at ${evaluation.evaluatedAt} with ${evaluation.policies.map((p) => `${p.id} v${p.version}`).join(", ") || "no policy in force"}`,
  );
  for (const v of evaluation.violations) {
    io.out(`\n[${v.severity}] ${v.policyId}/${v.ruleId}  (id ${v.id})`);
    io.out(`  ${v.message.en}`);
    io.out(`  ${v.message.zh}`);
    io.out(
      `  assign: ${v.assignees.map((a) => `${a.role} (${a.people.join(", ") || "nobody"})`).join("; ")}`,
    );
    io.out(`  due: ${v.dueAt}`);
  }
  for (const policy of evaluation.policies) {
    if (!policy.rules) continue;
    io.out(`\nwhy each rule of ${policy.id} v${policy.version} fired or not:`);
    printExplanations(io.out, set, policy.id, policy.version, policy.rules);
  }
  io.out(
    `\n${evaluation.violations.length} violation(s)${evaluation.nextCheckAt ? `; next check at ${evaluation.nextCheckAt}` : ""}`,
  );
}

/** `--at` (CONTRACT §8): a date-time with a zone, or a date = 00:00 in the company's time zone. */
function atOption(value: string, org: Pick<OrgDirectory, "timeZone">): string {
  const parsed = parseTimeInput(value, companyTimeZone(org), "start");
  if (!parsed.ok) throw new UsageError(`--at ${value}: ${parsed.message}`);
  return toIso(parsed.ms);
}

async function evaluate(
  file: string | undefined,
  options: { at?: string; engine?: string; explain: boolean; json: boolean },
  io: Io,
): Promise<number> {
  if (!file) throw new UsageError("evaluate needs a record file");
  const engine = options.engine ?? process.env.COMPLIANCE_ENGINE ?? "compiled";
  if (engine !== "compiled" && engine !== "json-rules-engine")
    throw new UsageError(`unknown engine ${engine}`);
  // a malformed --at is a usage error whatever the zone; its value needs org.yaml's zone
  if (options.at !== undefined) atOption(options.at, {});
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new UsageError(`cannot read ${file}: ${(cause as Error).message}`);
  }
  if (looksLikeJsonLines(file, text)) return evaluateJsonLines(file, text, { ...options, engine }, io);
  const { source, errors } = parseYaml(file, text);
  if (!source) {
    printDiagnostics(io, errors, options.json);
    return 1;
  }
  const checked = schemaDiagnostics(source, recordSchema);
  if (!checked.value) {
    printDiagnostics(
      io,
      checked.diagnostics.map((d) => ({ ...d, code: "invalid_record" })),
      options.json,
    );
    return 1;
  }
  const { result } = load(undefined, io, options.json);
  if (!result.ok) return 1;
  const record = recordSchema.parse(checked.value);
  const now = options.at === undefined ? new Date().toISOString() : atOption(options.at, result.set.org);
  const evaluation =
    engine === "compiled"
      ? createEvaluator(result.set).evaluate(record, { now, explain: options.explain })
      : await createReferenceEvaluator(result.set).evaluate(record, { now, explain: options.explain });
  if (options.json) io.out(JSON.stringify(evaluation, null, 2));
  else printEvaluation(io, evaluation, result.set);
  return evaluation.violations.length === 0 ? 0 : 1;
}

/**
 * `compliance evaluate records.jsonl`: one record a line, each evaluated (at --at, in the version in
 * force at its occurredAt); every problem of a bad line as file:line:column, the others still
 * evaluated. Exit 0 when every record is valid and nothing fires.
 */
async function evaluateJsonLines(
  file: string,
  text: string,
  options: { at?: string; engine: string; explain: boolean; json: boolean },
  io: Io,
): Promise<number> {
  const { lines, diagnostics } = readJsonLines(file, text);
  const records: { line: number; record: RecordEnvelope }[] = [];
  for (const entry of lines) {
    const problems = schemaIssues(file, text, entry, recordSchema);
    if (problems.length > 0) diagnostics.push(...problems);
    else records.push({ line: entry.line, record: recordSchema.parse(entry.value) });
  }
  const { result } = load(undefined, io, options.json);
  if (!result.ok) return 1;
  const now = options.at === undefined ? new Date().toISOString() : atOption(options.at, result.set.org);
  const compiled = options.engine === "compiled" ? createEvaluator(result.set) : undefined;
  const reference = compiled ? undefined : createReferenceEvaluator(result.set);
  const results: { line: number; record: RecordEnvelope; evaluation: Evaluation }[] = [];
  for (const { line, record } of records) {
    const evaluation = compiled
      ? compiled.evaluate(record, { now, explain: options.explain })
      : await (reference as ReturnType<typeof createReferenceEvaluator>).evaluate(record, {
          now,
          explain: options.explain,
        });
    results.push({ line, record, evaluation });
  }
  const violations = results.reduce((n, r) => n + r.evaluation.violations.length, 0);
  if (options.json)
    io.out(
      JSON.stringify(
        {
          ok: diagnostics.length === 0 && violations === 0,
          diagnostics: sortDiagnostics(diagnostics),
          results: results.map((r) => ({
            line: r.line,
            record: { type: r.record.type, id: r.record.id, revision: r.record.revision },
            ...r.evaluation,
          })),
        },
        null,
        2,
      ),
    );
  else {
    for (const d of sortDiagnostics(diagnostics)) io.err(formatDiagnostic(d));
    for (const r of results) {
      io.out(`── ${file}:${r.line}: ${r.record.type}/${r.record.id} revision ${r.record.revision}`);
      printEvaluation(io, r.evaluation, result.set);
      io.out("");
    }
    io.out(
      `${results.length} record(s) evaluated, ${violations} violation(s)${diagnostics.length ? `, ${diagnostics.length} problem(s) in invalid lines` : ""}`,
    );
  }
  return diagnostics.length === 0 && violations === 0 ? 0 : 1;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const policyTool = runPolicyTool(argv, io); // policy check | diff | impact
  if (policyTool) return await policyTool;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        at: { type: "string" },
        engine: { type: "string" },
        explain: { type: "boolean", default: false },
        endpoint: { type: "string" },
        prefix: { type: "string" },
        url: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    const [command, sub, arg] = positionals;
    if (command === "policy" && sub === "validate") return validate(arg, values.json, io);
    if (command === "policy" && sub === "test") return test(arg, values.json, io);
    if (command === "audit" && sub === "verify")
      return await auditVerifyCommand(
        { json: values.json, endpoint: values.endpoint, prefix: values.prefix },
        io,
      );
    if (command === "login") {
      if (!sub) throw new UsageError("login needs a person id, e.g. compliance login fin.wang");
      return await loginCommand(sub, { url: values.url, json: values.json }, io);
    }
    if (command === "evaluate")
      return await evaluate(
        sub,
        { at: values.at, engine: values.engine, explain: values.explain, json: values.json },
        io,
      );
    throw new UsageError(command ? `unknown command: ${positionals.join(" ")}` : "no command given");
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`compliance: ${(error as Error).message}\n${USAGE}`);
      return exitCode("usage_error");
    }
    // anything else typed (a store or secret that cannot be read): one line, its exit code
    if (isDomainError(error)) {
      io.err(`compliance: ${error.message}`);
      return exitCode(error.code);
    }
    throw error;
  }
}
