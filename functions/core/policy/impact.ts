/**
 * `policy impact`: what a proposed policy set would change on real records. Each record is
 * evaluated at one moment against the base set and against the proposed set; a violation the
 * proposed set raises and the base does not "would open", the reverse "would resolve". Workload
 * per assignee role counts open violations each role gains or loses (a reassignment moves one).
 *
 * Pure: the evaluators are pure and the records are handed in. Markdown for a PR comment.
 */
import type { RecordEnvelope, RecordType } from "../../../schemas/record.ts";
import type { Evaluator } from "../engine/evaluate.ts";
import type { Violation } from "../engine/violation.ts";
import type { PolicySet, PolicyVersion, Severity } from "./model.ts";

/** "in-force": each record by the versions in force when it occurred (as the platform judges it);
 * "latest": each record by the newest version of every policy, as if it were in force throughout. */
export type ReplayMode = "in-force" | "latest";

export interface VersionChange {
  readonly policyId: string;
  readonly version: number;
  readonly change: "added" | "removed" | "changed";
  readonly effectiveFrom: string;
  readonly appliesTo: RecordType;
}

export interface RuleImpact {
  readonly policyId: string;
  readonly ruleId: string;
  readonly severity: Severity;
  /** Record ids, sorted. */
  readonly opened: readonly string[];
  readonly resolved: readonly string[];
  /** Violations both sets raise. */
  readonly unchanged: number;
}

export interface RoleImpact {
  readonly role: string;
  readonly added: number;
  readonly removed: number;
}

export interface ImpactReport {
  readonly evaluatedAt: string;
  readonly mode: ReplayMode;
  readonly records: number;
  readonly versions: readonly VersionChange[];
  /** Rules with a violation that would open or resolve, by policy then rule. */
  readonly rules: readonly RuleImpact[];
  /** Roles whose open violations change, by role. */
  readonly roles: readonly RoleImpact[];
  readonly opened: number;
  readonly resolved: number;
  readonly notes: readonly string[];
}

/** Policy versions added, removed or edited between two sets (by id, version and file hash). */
export function versionChanges(base: PolicySet, proposed: PolicySet): VersionChange[] {
  const key = (v: PolicyVersion) => `${v.id}@${v.version}`;
  const before = new Map(base.versions.map((v) => [key(v), v]));
  const after = new Map(proposed.versions.map((v) => [key(v), v]));
  const out: VersionChange[] = [];
  const entry = (v: PolicyVersion, change: VersionChange["change"]): VersionChange => ({
    policyId: v.id,
    version: v.version,
    change,
    effectiveFrom: v.effectiveFrom,
    appliesTo: v.appliesTo,
  });
  for (const v of proposed.versions) {
    const old = before.get(key(v));
    if (!old) out.push(entry(v, "added"));
    else if (old.sha256 !== v.sha256) out.push(entry(v, "changed"));
  }
  for (const v of base.versions) if (!after.has(key(v))) out.push(entry(v, "removed"));
  return out.sort((a, b) => a.policyId.localeCompare(b.policyId) || a.version - b.version);
}

/** For each policy of a record type, its newest version. */
export function latestVersions(set: PolicySet, type: RecordType): PolicyVersion[] {
  const newest = new Map<string, PolicyVersion>();
  for (const v of set.versions)
    if (v.appliesTo === type && (newest.get(v.id)?.version ?? 0) < v.version) newest.set(v.id, v);
  return [...newest.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function judge(
  evaluator: Evaluator,
  record: RecordEnvelope,
  now: string,
  mode: ReplayMode,
): Map<string, Violation> {
  const evaluation =
    mode === "latest"
      ? evaluator.evaluateVersions(latestVersions(evaluator.set, record.type), record, { now })
      : evaluator.evaluate(record, { now });
  return new Map(evaluation.violations.map((v) => [v.id, v]));
}

const rolesOf = (v: Violation | undefined) => new Set(v ? v.assignees.map((a) => a.role) : []);

export function replayImpact(
  base: Evaluator,
  proposed: Evaluator,
  records: readonly RecordEnvelope[],
  options: { readonly now: string; readonly mode?: ReplayMode },
): ImpactReport {
  const mode = options.mode ?? "in-force";
  const evaluatedAt = new Date(options.now).toISOString();
  const rules = new Map<
    string,
    {
      policyId: string;
      ruleId: string;
      severity: Severity;
      opened: string[];
      resolved: string[];
      unchanged: number;
    }
  >();
  const roles = new Map<string, { added: number; removed: number }>();
  const ruleOf = (v: Violation) => {
    const key = `${v.policyId}/${v.ruleId}`;
    let r = rules.get(key);
    if (!r) {
      r = {
        policyId: v.policyId,
        ruleId: v.ruleId,
        severity: v.severity,
        opened: [],
        resolved: [],
        unchanged: 0,
      };
      rules.set(key, r);
    }
    return r;
  };
  const role = (name: string) => {
    let r = roles.get(name);
    if (!r) {
      r = { added: 0, removed: 0 };
      roles.set(name, r);
    }
    return r;
  };

  for (const record of records) {
    const before = judge(base, record, evaluatedAt, mode);
    const after = judge(proposed, record, evaluatedAt, mode);
    for (const [id, v] of after) {
      const old = before.get(id);
      const r = ruleOf(v);
      r.severity = v.severity;
      if (old) r.unchanged++;
      else r.opened.push(record.id);
      const had = rolesOf(old);
      for (const name of rolesOf(v)) if (!had.has(name)) role(name).added++;
    }
    for (const [id, v] of before) {
      const now = after.get(id);
      if (!now) ruleOf(v).resolved.push(record.id);
      const has = rolesOf(now);
      for (const name of rolesOf(v)) if (!has.has(name)) role(name).removed++;
    }
  }

  const versions = versionChanges(base.set, proposed.set);
  const notes: string[] = [];
  if (mode === "in-force")
    for (const v of versions) {
      if (v.change === "removed") continue;
      const from = Date.parse(`${v.effectiveFrom}T00:00:00Z`);
      const ofType = records.filter((r) => r.type === v.appliesTo);
      const earlier = ofType.filter((r) => Date.parse(r.occurredAt) < from).length;
      if (earlier > 0)
        notes.push(
          `${v.policyId} v${v.version} is in force from ${v.effectiveFrom}: ${earlier} of the ${ofType.length} ${v.appliesTo} records replayed occurred before then, so earlier versions judge ${earlier === 1 ? "it" : "them"} (\`--latest\` judges every record by the newest versions).`,
        );
    }

  const changed = [...rules.values()]
    .filter((r) => r.opened.length > 0 || r.resolved.length > 0)
    .map((r) => ({ ...r, opened: [...r.opened].sort(), resolved: [...r.resolved].sort() }))
    .sort((a, b) => a.policyId.localeCompare(b.policyId) || a.ruleId.localeCompare(b.ruleId));
  return {
    evaluatedAt,
    mode,
    records: records.length,
    versions,
    rules: changed,
    roles: [...roles]
      .filter(([, r]) => r.added > 0 || r.removed > 0)
      .map(([name, r]) => ({ role: name, ...r }))
      .sort((a, b) => a.role.localeCompare(b.role)),
    opened: changed.reduce((n, r) => n + r.opened.length, 0),
    resolved: changed.reduce((n, r) => n + r.resolved.length, 0),
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** Hidden marker so a workflow can find and update its earlier comment. */
export const IMPACT_MARKER = "<!-- compliance-policy-impact -->";
export const EXAMPLES = 10;

export interface ImpactContext {
  /** The base, as the user named it (a git ref). */
  readonly base: string;
  /** Where the records came from, e.g. "DynamoDB table compliance-records" or a file name. */
  readonly source: string;
  readonly since?: string;
}

const n = (x: number) => x.toLocaleString("en-US");
const plural = (x: number, word: string) => `${n(x)} ${word}${x === 1 ? "" : "s"}`;
const code = (s: string) => `\`${s.replaceAll("`", "'")}\``;

function examples(ids: readonly string[]): string {
  const shown = ids.slice(0, EXAMPLES).map(code).join(", ");
  return ids.length > EXAMPLES ? `${shown} and ${n(ids.length - EXAMPLES)} more` : shown;
}

function versionWords(v: VersionChange): string {
  const what =
    v.change === "added"
      ? `new, in force from ${v.effectiveFrom}`
      : v.change === "removed"
        ? "removed"
        : `edited, in force from ${v.effectiveFrom}`;
  return `${v.policyId} v${v.version} (${what})`;
}

export function impactMarkdown(report: ImpactReport, context: ImpactContext): string {
  const lines: string[] = [IMPACT_MARKER, "## Policy impact", ""];
  lines.push(
    report.versions.length > 0
      ? `Compared with ${code(context.base)}: ${report.versions.map(versionWords).join("; ")}.`
      : `Compared with ${code(context.base)}: no policy version differs.`,
  );
  const judged =
    report.mode === "latest"
      ? "each judged by the newest version of every policy"
      : "each judged by the versions in force when it occurred";
  lines.push(
    `Replayed ${plural(report.records, "record")} (the latest revision of each${context.since ? `, occurred since ${context.since}` : ""}; from ${context.source}) at ${report.evaluatedAt}, ${judged}.`,
  );
  for (const note of report.notes) lines.push("", `> ${note}`);
  lines.push("");
  if (report.rules.length === 0) {
    lines.push("**No violation would open or resolve.**");
  } else {
    lines.push(
      `**${plural(report.opened, "violation")} would open, ${n(report.resolved)} would resolve.**`,
      "",
      "| Rule | Severity | Would open | Would resolve | Unchanged |",
      "| --- | --- | ---: | ---: | ---: |",
    );
    for (const r of report.rules)
      lines.push(
        `| ${code(`${r.policyId}/${r.ruleId}`)} | ${r.severity} | ${n(r.opened.length)} | ${n(r.resolved.length)} | ${n(r.unchanged)} |`,
      );
    lines.push("");
    for (const r of report.rules) {
      lines.push(`**${code(`${r.policyId}/${r.ruleId}`)}**`);
      if (r.opened.length > 0) lines.push(`- would open (${n(r.opened.length)}): ${examples(r.opened)}`);
      if (r.resolved.length > 0)
        lines.push(`- would resolve (${n(r.resolved.length)}): ${examples(r.resolved)}`);
      lines.push("");
    }
  }
  if (report.roles.length > 0) {
    if (report.rules.length === 0) lines.push("");
    lines.push(
      "### Workload per assignee role",
      "",
      "| Role | Open violations added | Open violations removed | Net |",
      "| --- | ---: | ---: | ---: |",
    );
    for (const r of report.roles) {
      const net = r.added - r.removed;
      lines.push(`| ${r.role} | ${n(r.added)} | ${n(r.removed)} | ${net > 0 ? "+" : ""}${n(net)} |`);
    }
    lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
