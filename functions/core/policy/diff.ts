/**
 * What changed between two versions of a policy, as data and in words a policy owner reads:
 * rules added, removed and changed (severity, conditions, assignees, due, message, escalation,
 * sources), parameters (old → new, map entries one by one), and the policy's own fields.
 *
 * Works on the files as written (`{param: name}` kept), not on the loaded rules (whose parameters
 * are substituted), so a parameter change is reported once, as a parameter change, and each rule
 * that uses it says so. Pure: no I/O.
 */
import { type Condition, type PolicyFile, policySchema, type RuleFile } from "../../../schemas/policy.ts";
import { canonicalJson } from "../canonical.ts";
import type { SourceFile } from "./model.ts";
import { parseTemplate } from "./template.ts";
import { conditionWords, valueWords } from "./words.ts";
import { parseYaml } from "./yaml-source.ts";

type Citation = PolicyFile["source"][number];

export type PolicyField = "effectiveFrom" | "area" | "appliesTo" | "owner" | "title" | "source";
export type RuleField =
  | "severity"
  | "when"
  | "assign"
  | "due"
  | "message"
  | "escalate"
  | "source"
  | "evidence";

export interface FieldChange<F extends string = string> {
  readonly field: F;
  readonly from: unknown;
  readonly to: unknown;
  /** One line, e.g. "due changed from P2D to P1D". */
  readonly words: string;
}

export interface ParameterChange {
  /** Parameter name, with map keys below it joined by '.', e.g. approvalAuthority.department-head. */
  readonly path: string;
  readonly change: "added" | "removed" | "changed";
  readonly from?: unknown;
  readonly to?: unknown;
  readonly words: string;
}

export interface RuleDiff {
  readonly id: string;
  readonly status: "added" | "removed" | "changed" | "unchanged";
  /** For a changed rule: each field that changed (a condition change may take several lines). */
  readonly changes: readonly FieldChange<RuleField>[];
  /** Changed parameters this rule reads (in its conditions or its message). */
  readonly parametersChanged: readonly string[];
  /** For an added or removed rule: what it does, in words. */
  readonly summary?: string;
}

export interface VersionRef {
  readonly version: number;
  readonly effectiveFrom: string;
}

export interface PolicyDiff {
  readonly policyId: string;
  /** null: a new policy (everything is added). */
  readonly from: VersionRef | null;
  readonly to: VersionRef;
  readonly fields: readonly FieldChange<PolicyField>[];
  readonly parameters: readonly ParameterChange[];
  readonly rules: readonly RuleDiff[];
}

/** A version file as written (`{param: name}` kept), when it parses and fits the schema. */
export function policyFileOf(file: SourceFile): PolicyFile | undefined {
  const { source } = parseYaml(file.display, file.text);
  if (!source) return undefined;
  const parsed = policySchema.safeParse(source.value);
  return parsed.success ? parsed.data : undefined;
}

// ---------------------------------------------------------------------------------------------
// Words for values and conditions: words.ts

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function citationWords(c: Citation): string {
  return `${c.document} ${c.clause}`;
}

function listWords(list: readonly string[] | undefined): string {
  return list && list.length > 0 ? list.join(", ") : "none";
}

// ---------------------------------------------------------------------------------------------
// Diffs

/** Parameter names a rule reads: `{param: x}` anywhere in `when`, `{params.x}` in its message. */
export function parametersUsed(rule: RuleFile): string[] {
  const used = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (isPlainObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === "param" && typeof v.param === "string") used.add(v.param);
      else for (const x of Object.values(v)) walk(x);
    }
  };
  walk(rule.when);
  for (const text of [rule.message.zh, rule.message.en])
    for (const { name } of parseTemplate(text).names)
      if (name.startsWith("params.")) used.add(name.slice("params.".length));
  return [...used].sort();
}

function diffParameters(
  from: Readonly<Record<string, unknown>>,
  to: Readonly<Record<string, unknown>>,
  prefix = "",
  out: ParameterChange[] = [],
): ParameterChange[] {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])];
  for (const key of keys) {
    const path = `${prefix}${key}`;
    const had = Object.hasOwn(from, key);
    const has = Object.hasOwn(to, key);
    const a = from[key];
    const b = to[key];
    if (had && !has) out.push({ path, change: "removed", from: a, words: `removed (was ${valueWords(a)})` });
    else if (!had && has) out.push({ path, change: "added", to: b, words: `added: ${valueWords(b)}` });
    else if (isPlainObject(a) && isPlainObject(b)) diffParameters(a, b, `${path}.`, out);
    else if (!same(a, b))
      out.push({
        path,
        change: "changed",
        from: a,
        to: b,
        words: `changed from ${valueWords(a)} to ${valueWords(b)}`,
      });
  }
  return out;
}

/** The top-level conditions of a rule, when it is one list (`all` or `any`). */
function conditionList(when: Condition): { kind: "all" | "any"; items: Condition[] } | undefined {
  if ("all" in when) return { kind: "all", items: when.all };
  if ("any" in when) return { kind: "any", items: when.any };
  return undefined;
}

function diffWhen(a: Condition, b: Condition): FieldChange<"when">[] {
  if (same(a, b)) return [];
  const la = conditionList(a);
  const lb = conditionList(b);
  if (!la || !lb || la.kind !== lb.kind)
    return [
      {
        field: "when",
        from: a,
        to: b,
        words: `conditions changed from "${conditionWords(a)}" to "${conditionWords(b)}"`,
      },
    ];
  const wordsA = la.items.map((c) => conditionWords(c));
  const wordsB = lb.items.map((c) => conditionWords(c));
  const removed = la.items.map((c, i) => ({ c, i })).filter(({ c }) => !lb.items.some((d) => same(c, d)));
  const added = lb.items.map((c, i) => ({ c, i })).filter(({ c }) => !la.items.some((d) => same(c, d)));
  const changes: FieldChange<"when">[] = [];
  // a condition replaced in place reads better as "changed from … to …"
  for (const r of [...removed]) {
    const match = added.find((x) => x.i === r.i);
    if (!match) continue;
    removed.splice(removed.indexOf(r), 1);
    added.splice(added.indexOf(match), 1);
    const before = wordsA[r.i] as string;
    const after = wordsB[match.i] as string;
    changes.push({
      field: "when",
      from: r.c,
      to: match.c,
      words:
        before === after
          ? `condition "${before}" changed (same words, different details)`
          : `condition changed from "${before}" to "${after}"`,
    });
  }
  for (const r of removed)
    changes.push({ field: "when", from: r.c, to: null, words: `condition removed: "${wordsA[r.i]}"` });
  for (const x of added)
    changes.push({ field: "when", from: null, to: x.c, words: `condition added: "${wordsB[x.i]}"` });
  if (changes.length === 0)
    // only the order changed (or the same conditions moved between places)
    changes.push({
      field: "when",
      from: a,
      to: b,
      words: `conditions reordered: now "${conditionWords(b)}"`,
    });
  // with a condition added or removed, say what the rule now needs as a whole
  if (removed.length + added.length > 0 && lb.items.length > 1)
    changes.push({ field: "when", from: null, to: null, words: `now fires when ${conditionWords(b)}` });
  return changes;
}

function fieldChange<F extends string>(field: F, from: unknown, to: unknown, words: string): FieldChange<F> {
  return { field, from, to, words };
}

/** One change per language whose text differs (messages, titles). */
function textChanges<F extends string>(
  field: F,
  a: Readonly<Record<"en" | "zh", string>>,
  b: Readonly<Record<"en" | "zh", string>>,
): FieldChange<F>[] {
  return (["en", "zh"] as const)
    .filter((lang) => a[lang] !== b[lang])
    .map((lang) =>
      fieldChange(field, a[lang], b[lang], `${field} (${lang}) changed from "${a[lang]}" to "${b[lang]}"`),
    );
}

function diffRule(a: RuleFile, b: RuleFile): FieldChange<RuleField>[] {
  const changes: FieldChange<RuleField>[] = [];
  if (a.severity !== b.severity)
    changes.push(
      fieldChange("severity", a.severity, b.severity, `severity changed from ${a.severity} to ${b.severity}`),
    );
  changes.push(...diffWhen(a.when, b.when));
  if (!same(a.assign, b.assign))
    changes.push(
      fieldChange(
        "assign",
        a.assign,
        b.assign,
        `assigned to ${listWords(b.assign)} instead of ${listWords(a.assign)}`,
      ),
    );
  if (a.due !== b.due)
    changes.push(fieldChange("due", a.due, b.due, `due changed from ${a.due} to ${b.due}`));
  changes.push(...textChanges("message", a.message, b.message));
  if (!same(a.escalate, b.escalate)) {
    const words = !a.escalate
      ? `now escalates to ${b.escalate?.join(" → ")} when overdue`
      : !b.escalate
        ? `no longer escalates (was ${a.escalate.join(" → ")})`
        : `escalation changed from ${a.escalate.join(" → ")} to ${b.escalate.join(" → ")}`;
    changes.push(fieldChange("escalate", a.escalate ?? null, b.escalate ?? null, words));
  }
  // extra evidence never changes firing, but what a violation reports (and its message can show)
  const before = a.evidence ?? {};
  const after = b.evidence ?? {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const from = before[name];
    const to = after[name];
    if (same(from, to)) continue;
    const words = !from
      ? `now also reports evidence ${name} (fact ${to?.fact})`
      : !to
        ? `no longer reports evidence ${name}`
        : `evidence ${name} now from fact ${to.fact}${to.fact === from.fact ? " with other params" : ""}`;
    changes.push(fieldChange("evidence", from ?? null, to ?? null, words));
  }
  if (!same(a.source, b.source)) {
    const render = (s: readonly Citation[] | undefined) =>
      s ? s.map(citationWords).join("; ") : "the policy's sources";
    changes.push(
      fieldChange(
        "source",
        a.source ?? null,
        b.source ?? null,
        `sources changed from ${render(a.source)} to ${render(b.source)}`,
      ),
    );
  }
  return changes;
}

/** What an added or removed rule does, in one line. */
export function ruleSummary(rule: RuleFile): string {
  const escalate = rule.escalate ? `, escalates to ${rule.escalate.join(" → ")}` : "";
  return `${rule.severity}, fires when ${conditionWords(rule.when)}; assigned to ${listWords(rule.assign)}, due ${rule.due}${escalate}`;
}

function diffFields(a: PolicyFile, b: PolicyFile): FieldChange<PolicyField>[] {
  const out: FieldChange<PolicyField>[] = [];
  if (a.effectiveFrom !== b.effectiveFrom)
    out.push(
      fieldChange(
        "effectiveFrom",
        a.effectiveFrom,
        b.effectiveFrom,
        `in force from ${b.effectiveFrom} (v${a.version} from ${a.effectiveFrom})`,
      ),
    );
  for (const field of ["area", "appliesTo", "owner"] as const)
    if (a[field] !== b[field])
      out.push(fieldChange(field, a[field], b[field], `${field} changed from ${a[field]} to ${b[field]}`));
  out.push(...textChanges("title", a.title, b.title));
  if (!same(a.source, b.source)) {
    const before = a.source.map(citationWords);
    const after = b.source.map(citationWords);
    const added = after.filter((s) => !before.includes(s));
    const removed = before.filter((s) => !after.includes(s));
    const parts = [
      ...(added.length ? [`added ${added.join("; ")}`] : []),
      ...(removed.length ? [`removed ${removed.join("; ")}`] : []),
    ];
    out.push(
      fieldChange("source", a.source, b.source, `sources ${parts.length ? parts.join(", ") : "reordered"}`),
    );
  }
  return out;
}

/** The diff from one version of a policy to another (`from` undefined: a new policy). */
export function diffPolicies(from: PolicyFile | undefined, to: PolicyFile): PolicyDiff {
  const parameters = diffParameters(from?.parameters ?? {}, to.parameters ?? {});
  const changedNames = new Set(parameters.map((p) => p.path.split(".")[0] as string));
  const before = new Map((from?.rules ?? []).map((r) => [r.id, r]));
  const after = new Map(to.rules.map((r) => [r.id, r]));
  const rules: RuleDiff[] = [];
  for (const rule of to.rules) {
    const old = before.get(rule.id);
    if (!old) {
      rules.push({
        id: rule.id,
        status: "added",
        changes: [],
        parametersChanged: [],
        summary: ruleSummary(rule),
      });
      continue;
    }
    const changes = diffRule(old, rule);
    const parametersChanged = parametersUsed(rule).filter((p) => changedNames.has(p));
    rules.push({
      id: rule.id,
      status: changes.length > 0 ? "changed" : "unchanged",
      changes,
      parametersChanged,
    });
  }
  for (const rule of from?.rules ?? [])
    if (!after.has(rule.id))
      rules.push({
        id: rule.id,
        status: "removed",
        changes: [],
        parametersChanged: [],
        summary: ruleSummary(rule),
      });
  return {
    policyId: to.id,
    from: from ? { version: from.version, effectiveFrom: from.effectiveFrom } : null,
    to: { version: to.version, effectiveFrom: to.effectiveFrom },
    fields: from ? diffFields(from, to) : [],
    parameters,
    rules,
  };
}

/** The diff in lines a policy owner reads. */
export function describeDiff(diff: PolicyDiff): string[] {
  const lines: string[] = [];
  lines.push(
    diff.from
      ? `${diff.policyId} v${diff.from.version} → v${diff.to.version}`
      : `${diff.policyId} v${diff.to.version} (a new policy, in force from ${diff.to.effectiveFrom})`,
  );
  for (const f of diff.fields)
    lines.push(f.field === "effectiveFrom" ? capitalise(f.words) : `Policy ${f.words}`);
  for (const p of diff.parameters) lines.push(`Parameter ${p.path} ${p.words}`);
  for (const r of diff.rules) {
    if (r.status === "added") lines.push(`Rule ${r.id} added: ${r.summary}`);
    else if (r.status === "removed") lines.push(`Rule ${r.id} removed (it was ${r.summary})`);
    else {
      for (const c of r.changes) lines.push(`Rule ${r.id}: ${c.words}`);
      if (r.parametersChanged.length > 0)
        lines.push(
          `Rule ${r.id}: reads the changed parameter${r.parametersChanged.length > 1 ? "s" : ""} ${r.parametersChanged.join(", ")}`,
        );
    }
  }
  const untouched = diff.rules.filter((r) => r.status === "unchanged" && r.parametersChanged.length === 0);
  if (diff.from && untouched.length > 0)
    lines.push(`Unchanged rules: ${untouched.map((r) => r.id).join(", ")}`);
  if (lines.length === 1) lines.push("No change.");
  return lines;
}

/** One line for summaries: "2 rules changed, 1 added; 1 parameter changed". */
export function summariseDiff(diff: PolicyDiff): string {
  const count = (status: RuleDiff["status"]) => diff.rules.filter((r) => r.status === status).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const parts: string[] = [];
  const changed = count("changed");
  const added = count("added");
  const removed = count("removed");
  if (!diff.from) return plural(added, "rule");
  if (changed) parts.push(`${plural(changed, "rule")} changed`);
  if (added) parts.push(`${plural(added, "rule")} added`);
  if (removed) parts.push(`${plural(removed, "rule")} removed`);
  if (diff.parameters.length) parts.push(`${plural(diff.parameters.length, "parameter")} changed`);
  const other = diff.fields.filter((f) => f.field !== "effectiveFrom").length;
  if (other) parts.push(`${plural(other, "policy field")} changed`);
  return parts.length > 0 ? parts.join(", ") : "no change besides effectiveFrom";
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
