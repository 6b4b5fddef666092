/**
 * docs/rules.md, generated from the policies themselves (`npm run docs`): every policy and version
 * and when it is in force, every rule with its severity, its condition in words (the renderer of
 * `policy diff` and of GET /v1/policies/{id}/versions/{n}), assignees, due, escalation and source
 * clauses; then every fact (with its parameters) and operator a rule may use. Pure.
 */
import * as z from "zod";
import { BASE_FACTS, DERIVED_FACTS } from "../functions/core/policy/facts.ts";
import type { PolicySet } from "../functions/core/policy/model.ts";
import { DECORATORS, OPERATORS } from "../functions/core/policy/operators.ts";
import { policyVersionView, type RuleView } from "../functions/core/policy/version-view.ts";
import { isoDurationInWords } from "../functions/core/time.ts";
import { typeWords } from "./api.ts";

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function code(text: string): string {
  return `\`${text}\``;
}

function json(value: unknown): string {
  return JSON.stringify(value).replaceAll('":', '": ').replaceAll(',"', ', "');
}

function ruleSection(rule: RuleView): string[] {
  const escalate = rule.escalate ? rule.escalate.map(code).join(" → ") : "none";
  return [
    `#### ${code(rule.id)}`,
    "",
    "| | |",
    "|---|---|",
    `| severity | ${rule.severity} |`,
    `| fires when | ${cell(rule.words.en)} |`,
    `| 觸發條件 | ${cell(rule.words.zh)} |`,
    `| assigned to | ${rule.assign.map(code).join(", ")} |`,
    `| due | ${code(rule.due)} after detection (${isoDurationInWords(rule.due, "en")}; ${isoDurationInWords(rule.due, "zh")}) |`,
    `| escalation when overdue | ${escalate} |`,
    `| source | ${cell(rule.source.map((s) => `${s.document} ${s.clause}`).join("; "))} |`,
    `| message (en) | ${cell(rule.message.en)} |`,
    `| message (zh) | ${cell(rule.message.zh)} |`,
    "",
  ];
}

function paramsOf(schema: z.core.$ZodType | undefined, withDescriptions = true): string {
  if (!schema) return "none";
  const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, { description?: string; type?: string }>;
    required?: string[];
  };
  const entries = Object.entries(js.properties ?? {});
  if (entries.length === 0) return "none";
  return entries
    .map(([name, p]) => {
      const optional = js.required?.includes(name) ? "" : ", optional";
      const what = withDescriptions && p.description ? `: ${p.description}` : "";
      return `${code(name)} (${typeWords(p)}${optional})${what}`;
    })
    .join("; ");
}

/** Every fact a condition may name, with the record types it applies to and its params. */
export function factsTable(withDescriptions = true): string[] {
  const lines = withDescriptions
    ? ["| fact | record types | params | what it is |", "|---|---|---|---|"]
    : ["| fact | record types | params |", "|---|---|---|"];
  const row = (name: string, types: string, params: string, what: string) =>
    `| ${code(name)} | ${types} | ${cell(params)} |${withDescriptions ? ` ${cell(what)} |` : ""}`;
  for (const [name, what] of Object.entries(BASE_FACTS)) lines.push(row(name, "every type", "none", what));
  for (const fact of DERIVED_FACTS)
    lines.push(
      row(
        fact.name,
        fact.appliesTo?.join(", ") ?? "every type",
        paramsOf(fact.params, withDescriptions),
        fact.description,
      ),
    );
  return lines;
}

function factsSection(): string[] {
  return [
    "## Facts",
    "",
    "What a condition's `fact` may name. `data`, `record` and `now` always exist; the others are derived",
    "from the record (each only for the record types listed) and take the `params` shown.",
    "",
    ...factsTable(),
    "",
  ];
}

function rolesSection(set: PolicySet): string[] {
  const lines = [
    "## Roles",
    "",
    "Who holds each role a rule assigns or escalates to (`policies/org.yaml`); a department-scoped role",
    "is resolved by the record's `data.department` (`*`: every department not listed).",
    "",
    "| role | people |",
    "|---|---|",
  ];
  for (const [role, entry] of Object.entries(set.org.roles)) {
    const people = entry.people
      ? entry.people.join(", ")
      : Object.entries(entry.byDepartment ?? {})
          .map(([department, who]) => `${department}: ${who.join(", ")}`)
          .join("; ");
    lines.push(`| ${code(role)} | ${cell(people)} |`);
  }
  return [...lines, ""];
}

function operatorsSection(): string[] {
  const lines = [
    "## Operators",
    "",
    "What a condition's `operator` may be, and how a condition with it reads (x stands for the fact, v for",
    "the value).",
    "",
    "| operator | reads (en) | reads (zh) | meaning |",
    "|---|---|---|---|",
  ];
  for (const op of OPERATORS)
    lines.push(
      `| ${code(op.name)} | x ${op.words.en("v", true)} | x ${op.words.zh("v", true)} | ${cell(op.description)} |`,
    );
  lines.push(
    "",
    "Decorators, written before an operator with a colon (`not:equal`, `someFact:in`), apply from the",
    "innermost (rightmost) outwards, as json-rules-engine does:",
    "",
    "| decorator | reads (en) | reads (zh) |",
    "|---|---|---|",
  );
  for (const [name, d] of Object.entries(DECORATORS))
    lines.push(`| ${code(name)} | ${d.words.en("x", "is v")} | ${d.words.zh("x", "為 v")} |`);
  return [...lines, ""];
}

export function renderRulesReference(set: PolicySet): string {
  const views = set.versions.map((v) => policyVersionView(set, v));
  const ids = [...new Set(views.map((v) => v.id))];
  const lines: string[] = [
    "# Rule reference",
    "",
    "<!-- Generated from policies/ by `npm run docs` (docs/rules.ts): do not edit by hand. -->",
    "",
    "Every policy the platform ships, every version and when it is in force, and every rule: its",
    "severity, its condition in words (the same words as `compliance policy diff` and",
    "`GET /v1/policies/{id}/versions/{n}`), who must act and by when, escalation and source clauses.",
    "A record is judged by the version in force at its `occurredAt`. Roles are defined in",
    "`policies/org.yaml` ([Roles](#roles)); the facts and operators a condition may use are listed",
    "at the end ([Facts](#facts), [Operators](#operators)).",
    "",
    "| policy | title | area | record type | versions |",
    "|---|---|---|---|---|",
  ];
  for (const id of ids) {
    const versions = views.filter((v) => v.id === id);
    const last = versions[versions.length - 1];
    if (!last) continue;
    const inForce = versions
      .map(
        (v) => `v${v.version} from ${v.effectiveFrom}${v.effectiveUntil ? ` until ${v.effectiveUntil}` : ""}`,
      )
      .join("; ");
    lines.push(
      `| [${code(id)}](#${id}) | ${cell(last.title.en)} (${cell(last.title.zh)}) | ${last.area} | ${last.appliesTo} | ${inForce} |`,
    );
  }
  lines.push("");
  for (const id of ids) {
    const versions = views.filter((v) => v.id === id);
    const first = versions[0];
    if (!first) continue;
    lines.push(`## ${id}`, "");
    for (const v of versions) {
      const until = v.effectiveUntil
        ? `until ${v.effectiveUntil} (then v${v.version + 1})`
        : "with no later version";
      lines.push(
        `### ${id} v${v.version}: ${v.title.en} (${v.title.zh})`,
        "",
        `In force from ${v.effectiveFrom}, ${until}. Area ${code(v.area)}, applies to ${code(v.appliesTo)} records, owned by ${code(v.owner)}.`,
        `Sources: ${v.source.map((s) => `${s.document} ${s.clause}`).join("; ")}.`,
        "",
      );
      const parameters = Object.entries(v.parameters);
      if (parameters.length > 0) {
        lines.push("| parameter | value |", "|---|---|");
        for (const [name, value] of parameters) lines.push(`| ${code(name)} | ${cell(code(json(value)))} |`);
        lines.push("");
      }
      for (const rule of v.rules) lines.push(...ruleSection(rule));
    }
  }
  lines.push(...rolesSection(set), ...factsSection(), ...operatorsSection());
  return `${lines.join("\n").trimEnd()}\n`;
}
