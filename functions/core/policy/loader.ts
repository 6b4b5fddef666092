/**
 * Loads a policies folder (handed in as files, so the core does no I/O) into a PolicySet, or
 * reports every problem at once as `file:line:column` diagnostics. Invalid policies are never
 * skipped: a load with any diagnostic yields no policy set at all.
 */

import { createHash } from "node:crypto";
import type * as z from "zod";
import {
  type Condition,
  orgSchema,
  type PolicyFile,
  policySchema,
  type RuleFile,
  ruleSchema,
} from "../../../schemas/policy.ts";
import { DATA_SCHEMAS, type RecordType, recordSchema } from "../../../schemas/record.ts";
import { type CodeKind, fieldCodeKind } from "../code-names.ts";
import { type Diagnostic, sortDiagnostics } from "../diagnostics.ts";
import { type Issue, toIssues } from "../issues.ts";
import { didYouMean, nearestNames as nearest } from "../suggest.ts";
import { parseDuration } from "../time.ts";
import { BASE_FACTS, DERIVED_FACT_BY_NAME, isFactReference } from "./facts.ts";
import type {
  EvidenceSpec,
  LoadedRule,
  OrgDirectory,
  PolicySet,
  PolicyVersion,
  SourceFile,
} from "./model.ts";
import { DECORATORS, OPERATORS, resolveOperator } from "./operators.ts";
import { channelDiagnostics } from "./org-channels.ts";
import { checkDirectory } from "./org-check.ts";
import { PATH_HINT, parsePath, pathLabel } from "./path.ts";
import { fieldsBeside, missingSegment } from "./schema-paths.ts";
import { parseTemplate } from "./template.ts";
import { parseYaml, type YamlPath, type YamlSource } from "./yaml-source.ts";

export const POLICY_FILE = /^([a-z0-9-]+)\/([a-z0-9-]+)\/v([1-9]\d*)\.yaml$/;
export const TEST_FILE = /^([a-z0-9-]+)\/([a-z0-9-]+)\/v([1-9]\d*)\.test\.yaml$/;
export const ORG_FILE = "org.yaml";

export type LoadResult = { ok: true; set: PolicySet } | { ok: false; diagnostics: Diagnostic[] };

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Schema issues of a parsed YAML value, each at its node. */
export function schemaDiagnostics(
  source: YamlSource,
  schema: z.ZodType,
): { value?: unknown; diagnostics: Diagnostic[] } {
  const parsed = schema.safeParse(source.value);
  if (parsed.success) return { value: parsed.data, diagnostics: [] };
  return { diagnostics: toIssues(parsed.error, source.value).map((i) => issueAt(source, i)) };
}

function issueAt(source: YamlSource, issue: Issue, base: YamlPath = []): Diagnostic {
  const path = [...base, ...issue.path];
  const where =
    path.length > 0
      ? `${path
          .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
          .join("")
          .replace(/^\./, "")}: `
      : "";
  return source.at(path, "schema", `${where}${issue.message}`, { key: issue.atKey });
}

const RECORD_FIELDS = recordSchema.options[0];

export function loadPolicies(files: readonly SourceFile[]): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const org = files.find((f) => f.path === ORG_FILE);
  let directory: OrgDirectory | undefined;
  if (!org) {
    diagnostics.push({
      code: "missing_org",
      file: rootDisplay(files) + ORG_FILE,
      line: 1,
      column: 1,
      message: "org.yaml is missing: it says who holds each role",
    });
  } else {
    const { source, errors } = parseYaml(org.display, org.text);
    diagnostics.push(...errors);
    if (source) {
      const checked = schemaDiagnostics(source, orgSchema);
      diagnostics.push(...checked.diagnostics, ...checkDirectory(source));
      if (checked.value) directory = checked.value as OrgDirectory;
      if (directory) diagnostics.push(...channelDiagnostics(directory, source));
    }
  }

  const versions: PolicyVersion[] = [];
  const sources = new Map<string, YamlSource>();
  for (const file of files) {
    if (file.path === ORG_FILE || TEST_FILE.test(file.path)) continue;
    const layout = POLICY_FILE.exec(file.path);
    if (!layout) {
      if (/\.ya?ml$/.test(file.path))
        diagnostics.push({
          code: "layout",
          file: file.display,
          line: 1,
          column: 1,
          message:
            "not where a policy goes: policies/<area>/<policyId>/v<version>.yaml (or v<version>.test.yaml)",
        });
      continue;
    }
    const { source, errors } = parseYaml(file.display, file.text);
    diagnostics.push(...errors);
    if (!source) continue;
    const checked = schemaDiagnostics(source, policySchema);
    diagnostics.push(...checked.diagnostics);
    const [, area = "", policyId = "", version = ""] = layout;
    // Even when the schema fails, check what did parse, so every problem is reported in one run.
    const policy = (checked.value as PolicyFile | undefined) ?? salvage(source.value);
    if (policy.area !== undefined && policy.area !== area)
      diagnostics.push(
        source.at(["area"], "id_mismatch", `area "${policy.area}" does not match its folder "${area}"`),
      );
    if (policy.id !== undefined && policy.id !== policyId)
      diagnostics.push(
        source.at(["id"], "id_mismatch", `id "${policy.id}" does not match its folder "${policyId}"`),
      );
    if (policy.version !== undefined && policy.version !== Number(version))
      diagnostics.push(
        source.at(
          ["version"],
          "version_mismatch",
          `version ${policy.version} does not match its file name v${version}.yaml`,
        ),
      );
    if (directory && policy.owner !== undefined && !Object.hasOwn(directory.roles, policy.owner))
      diagnostics.push(
        source.at(
          ["owner"],
          "unknown_role",
          `owner "${policy.owner}" is not a role of org.yaml${didYouMean(policy.owner, Object.keys(directory.roles))}`,
        ),
      );
    const rules = policy.appliesTo ? checkRules(source, policy as PolicyFile, directory, diagnostics) : [];
    if (!checked.value) continue;
    sources.set(file.path, source);
    const valid = checked.value as PolicyFile;
    versions.push({
      id: valid.id,
      version: valid.version,
      effectiveFrom: valid.effectiveFrom,
      effectiveFromMs: Date.parse(`${valid.effectiveFrom}T00:00:00Z`),
      area: valid.area,
      appliesTo: valid.appliesTo,
      title: valid.title,
      owner: valid.owner,
      source: valid.source,
      parameters: valid.parameters ?? {},
      parameterCodes: parameterCodes(valid),
      rules,
      file: file.path,
      sha256: sha256(file.text),
    });
  }

  versions.sort((a, b) => a.id.localeCompare(b.id) || a.version - b.version);
  // a version file that is there but has its own problems is not "missing" (no cascade)
  const present = new Set(
    files.flatMap((f) => {
      const m = POLICY_FILE.exec(f.path);
      return m ? [`${m[2]}@${m[3]}`] : [];
    }),
  );
  checkVersionOrder(versions, sources, diagnostics, present);

  if (diagnostics.length > 0 || !directory) return { ok: false, diagnostics: sortDiagnostics(diagnostics) };
  return { ok: true, set: { versions, org: directory } };
}

type PartialRule = Partial<RuleFile>;
type PartialPolicy = Partial<Omit<PolicyFile, "rules">> & { rules: (PartialRule | undefined)[] };

/** The fields of a value that are valid on their own. */
function validFields(
  shape: Record<string, z.ZodType>,
  raw: unknown,
  skip: string[] = [],
): Record<string, unknown> {
  const value = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(shape)) {
    if (skip.includes(key)) continue;
    const parsed = schema.safeParse(value[key]);
    if (parsed.success && parsed.data !== undefined) out[key] = parsed.data;
  }
  return out;
}

/** The fields of an invalid policy file that are valid on their own (rules field by field). */
function salvage(raw: unknown): PartialPolicy {
  const fields = validFields(policySchema.shape, raw, ["rules"]);
  const rules = (raw as { rules?: unknown })?.rules;
  return {
    ...fields,
    rules: Array.isArray(rules) ? rules.map((r) => validFields(ruleSchema.shape, r) as PartialRule) : [],
  } as PartialPolicy;
}

function checkVersionOrder(
  versions: readonly PolicyVersion[],
  sources: ReadonlyMap<string, YamlSource>,
  out: Diagnostic[],
  present: ReadonlySet<string>,
) {
  const at = (v: PolicyVersion, field: string, message: string): Diagnostic =>
    (sources.get(v.file) as YamlSource).at([field], "version_order", message);
  for (let i = 1; i < versions.length; i++) {
    const prev = versions[i - 1] as PolicyVersion;
    const cur = versions[i] as PolicyVersion;
    if (prev.id !== cur.id) continue;
    if (prev.appliesTo !== cur.appliesTo || prev.area !== cur.area)
      out.push(
        at(cur, "appliesTo", `version ${cur.version} changes area or appliesTo; make a new policy instead`),
      );
    if (cur.effectiveFromMs <= prev.effectiveFromMs)
      out.push(
        at(
          cur,
          "effectiveFrom",
          `effectiveFrom ${cur.effectiveFrom} must be after version ${prev.version}'s (${prev.effectiveFrom})`,
        ),
      );
  }
  for (const v of versions)
    if (v.version > 1 && !present.has(`${v.id}@${v.version - 1}`))
      out.push(at(v, "version", `version ${v.version - 1} of ${v.id} is missing`));
}

/** How diagnostics name the policies folder, e.g. "policies/" (from any file's display name). */
function rootDisplay(files: readonly SourceFile[]): string {
  const f = files[0];
  return f ? f.display.slice(0, f.display.length - f.path.length) : "";
}

/**
 * The kind of code each parameter holds, from where the rules use it: compared with a record
 * field (`$.category` in `severeCategories`), given to a derived fact's param that holds codes
 * (`departments` of copiesCompletedAt), or compared with a fact whose value holds codes.
 */
function parameterCodes(policy: PolicyFile): Record<string, CodeKind> {
  const kinds: Record<string, CodeKind> = {};
  const paramName = (v: unknown): string | undefined =>
    typeof v === "object" && v !== null && Object.keys(v).length === 1 && "param" in v
      ? String((v as { param: unknown }).param)
      : undefined;
  const note = (v: unknown, kind: CodeKind | undefined) => {
    const name = paramName(v);
    if (name !== undefined && kind !== undefined) kinds[name] ??= kind;
  };
  const factKind = (ref: { fact: string; path?: string }): CodeKind | undefined =>
    ref.fact === "data" && ref.path
      ? fieldCodeKind(policy.appliesTo, ref.path)
      : DERIVED_FACT_BY_NAME.get(ref.fact)?.codes;
  const visitParams = (fact: string, params: unknown) => {
    if (typeof params !== "object" || params === null) return;
    const derived = DERIVED_FACT_BY_NAME.get(fact);
    for (const [key, value] of Object.entries(params)) {
      note(value, derived?.paramCodes?.[key]);
      if (isFactReference(value)) visitParams(value.fact, value.params);
    }
  };
  const visit = (c: Condition) => {
    if ("all" in c) c.all.forEach(visit);
    else if ("any" in c) c.any.forEach(visit);
    else if ("not" in c) visit(c.not);
    else {
      visitParams(c.fact, c.params);
      note(c.value, factKind(c));
      if (isFactReference(c.value)) visitParams(c.value.fact, c.value.params);
    }
  };
  for (const rule of policy.rules) {
    visit(rule.when);
    for (const ref of Object.values(rule.evidence ?? {})) visitParams(ref.fact, ref.params);
  }
  return kinds;
}

// ---------------------------------------------------------------------------------------------
// Rules

interface RuleContext {
  readonly source: YamlSource;
  readonly policy: PolicyFile;
  readonly out: Diagnostic[];
  readonly evidence: Map<string, { spec: EvidenceSpec; identity: string }>;
}

function checkRules(
  source: YamlSource,
  policy: PolicyFile | PartialPolicy,
  org: OrgDirectory | undefined,
  out: Diagnostic[],
): LoadedRule[] {
  const seen = new Map<string, number>();
  const loaded: LoadedRule[] = [];
  for (const [index, rule] of policy.rules.entries()) {
    if (!rule) continue;
    const base: YamlPath = ["rules", index];
    if (rule.id !== undefined) {
      const first = seen.get(rule.id);
      if (first !== undefined)
        out.push(
          source.at(
            [...base, "id"],
            "duplicate_rule",
            `rule id "${rule.id}" is already used by rules[${first}]`,
          ),
        );
      else seen.set(rule.id, index);
    }
    if (org) {
      for (const field of ["assign", "escalate"] as const)
        for (const [i, role] of (rule[field] ?? []).entries())
          if (!Object.hasOwn(org.roles, role))
            out.push(
              source.at(
                [...base, field, i],
                "unknown_role",
                `role "${role}" is not defined in org.yaml${didYouMean(role, Object.keys(org.roles))}`,
              ),
            );
    }
    const ctx: RuleContext = { source, policy: policy as PolicyFile, out, evidence: new Map() };
    const before = out.length;
    const when = rule.when ? checkCondition(ctx, rule.when, [...base, "when"]) : undefined;
    if (when && rule.evidence)
      for (const [key, ref] of Object.entries(rule.evidence)) {
        const copy = { ...ref, name: key };
        if (checkFactReference(ctx, copy, [...base, "evidence", key]))
          addEvidence(ctx, key, { fact: copy.fact, path: copy.path, params: copy.params }, [
            ...base,
            "evidence",
            key,
          ]);
      }
    if (rule.message && when) checkMessage(ctx, rule.message, base, out.length > before);
    const complete = ruleSchema.safeParse(rule);
    if (!complete.success || !when) continue; // its schema problems are already reported
    const r = complete.data;
    loaded.push({
      id: r.id,
      severity: r.severity,
      when,
      whenAsWritten: r.when,
      assign: r.assign,
      due: r.due,
      dueMs: parseDuration(r.due) ?? 0,
      message: r.message,
      escalate: r.escalate,
      source: r.source ?? policy.source ?? [],
      evidence: [...ctx.evidence.values()].map((e) => e.spec),
    });
  }
  return loaded;
}

/** For `decimalLessThen` or `not:equl`: the nearest operator (decorators kept, or corrected). */
function operatorSuggestion(name: string): string {
  const parts = name.split(":");
  const base = parts.pop() as string;
  const fixedDecorators = parts.map((d) =>
    Object.hasOwn(DECORATORS, d) ? d : (didYouMean(d, Object.keys(DECORATORS)).match(/"([^"]+)"/)?.[1] ?? d),
  );
  const names = OPERATORS.map((o) => o.name);
  const bases = OPERATORS.some((o) => o.name === base)
    ? [base]
    : didYouMean(base, names)
      ? nearest(base, names)
      : [];
  const candidates = bases.map((b) => [...fixedDecorators, b].join(":")).filter((c) => c !== name);
  if (candidates.length === 0) return "";
  const quoted = candidates.map((c) => `"${c}"`);
  return `: did you mean ${quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`}?`;
}

function checkCondition(ctx: RuleContext, condition: Condition, path: YamlPath): Condition {
  if ("all" in condition)
    return { all: condition.all.map((c, i) => checkCondition(ctx, c, [...path, "all", i])) };
  if ("any" in condition)
    return { any: condition.any.map((c, i) => checkCondition(ctx, c, [...path, "any", i])) };
  if ("not" in condition) return { not: checkCondition(ctx, condition.not, [...path, "not"]) };

  const { source, out } = ctx;
  const leaf = { ...condition };
  const fact = checkFactReference(ctx, leaf, path);
  const operator = resolveOperator(leaf.operator);
  if (!operator) {
    out.push(
      source.at(
        [...path, "operator"],
        "unknown_operator",
        `unknown operator "${leaf.operator}"${operatorSuggestion(leaf.operator)}`,
      ),
    );
  }
  if (!Object.hasOwn(condition, "value")) {
    out.push(source.at(path, "invalid_value", `missing required field "value"`));
    return leaf;
  }
  const before = out.length;
  leaf.value = substituteParams(ctx, leaf.value, [...path, "value"]);
  if (out.length > before) return leaf; // an unknown parameter: its value cannot be checked
  if (isFactReference(leaf.value)) {
    const ref = { ...leaf.value };
    checkFactReference(ctx, ref, [...path, "value"]);
    leaf.value = ref;
  } else if (operator) {
    const decorated = operator.decorators.length > 0;
    const needsList = operator.decorators.some((d) => d === "someValue" || d === "everyValue");
    if (needsList && !Array.isArray(leaf.value))
      out.push(
        source.at([...path, "value"], "invalid_value", `operator "${leaf.operator}" needs a list as value`),
      );
    if (!decorated) {
      const parsed = operator.base.value.safeParse(leaf.value);
      if (!parsed.success)
        for (const issue of toIssues(parsed.error, leaf.value))
          out.push(
            source.at(
              [...path, "value", ...issue.path],
              "invalid_value",
              `value for "${leaf.operator}": ${issue.message}`,
            ),
          );
    }
  }
  if (fact && leaf.name)
    addEvidence(ctx, leaf.name, { fact: leaf.fact, path: leaf.path, params: leaf.params }, path);
  return leaf;
}

/** Checks fact, path and params of a condition or a `value: {fact…}`; records its evidence. */
function checkFactReference(
  ctx: RuleContext,
  ref: { fact: string; path?: string; params?: Record<string, unknown>; name?: string },
  path: YamlPath,
): boolean {
  const { source, out, policy } = ctx;
  const type = policy.appliesTo as RecordType;
  const derived = DERIVED_FACT_BY_NAME.get(ref.fact);
  if (!derived && !Object.hasOwn(BASE_FACTS, ref.fact)) {
    const facts = [
      ...Object.keys(BASE_FACTS),
      ...[...DERIVED_FACT_BY_NAME.values()]
        .filter((f) => !f.appliesTo || f.appliesTo.includes(type))
        .map((f) => f.name),
    ];
    out.push(
      source.at(
        [...path, "fact"],
        "unknown_fact",
        `unknown fact "${ref.fact}"${didYouMean(ref.fact, facts)}`,
      ),
    );
    return false;
  }
  if (derived?.appliesTo && !derived.appliesTo.includes(type)) {
    out.push(
      source.at(
        [...path, "fact"],
        "unknown_fact",
        `fact "${ref.fact}" is for ${derived.appliesTo.join(", ")} records, not ${type}`,
      ),
    );
    return false;
  }
  let ok = true;
  if (ref.path !== undefined) ok = checkPath(ctx, ref.fact, ref.path, [...path, "path"]) && ok;
  if (derived) {
    if (derived.params) {
      const params = substituteParams(ctx, ref.params ?? {}, [...path, "params"]) as Record<string, unknown>;
      const parsed = derived.params.safeParse(params);
      if (!parsed.success) {
        ok = false;
        for (const issue of toIssues(parsed.error, params))
          out.push(
            issueAt(source, { ...issue, message: `params of "${ref.fact}": ${issue.message}` }, [
              ...path,
              "params",
            ]),
          );
      } else {
        ref.params = params;
        ok = checkDerivedParams(ctx, ref.fact, params, [...path, "params"]) && ok;
      }
    } else if (ref.params !== undefined) {
      out.push(source.at([...path, "params"], "invalid_value", `fact "${ref.fact}" takes no params`));
      ok = false;
    }
  } else if (ref.params !== undefined) {
    out.push(source.at([...path, "params"], "invalid_value", `fact "${ref.fact}" takes no params`));
    ok = false;
  }
  if (ok && !ref.name)
    addEvidence(ctx, evidenceKey(ref), { fact: ref.fact, path: ref.path, params: ref.params }, path);
  return ok;
}

function evidenceKey(ref: { fact: string; path?: string }): string {
  if (ref.fact === "data") return ref.path ? pathLabel(ref.path) || "data" : "data";
  return ref.path ? `${ref.fact}.${pathLabel(ref.path)}` : ref.fact;
}

function addEvidence(ctx: RuleContext, key: string, spec: Omit<EvidenceSpec, "key">, path: YamlPath) {
  const identity = JSON.stringify([spec.fact, spec.path ?? null, spec.params ?? null]);
  const existing = ctx.evidence.get(key);
  if (existing && existing.identity !== identity) {
    ctx.out.push(
      ctx.source.at(
        path,
        "invalid_value",
        `two different facts would both be reported as evidence "${key}": give one of them a distinct "name"`,
      ),
    );
    return;
  }
  if (!existing) ctx.evidence.set(key, { spec: { key, ...stripUndefined(spec) }, identity });
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function checkPath(ctx: RuleContext, fact: string, path: string, at: YamlPath): boolean {
  const segments = parsePath(path);
  if (!segments) {
    ctx.out.push(ctx.source.at(at, "invalid_path", `path "${path}" ${PATH_HINT}`));
    return false;
  }
  const schema =
    fact === "data"
      ? DATA_SCHEMAS[ctx.policy.appliesTo as RecordType]
      : fact === "record"
        ? RECORD_FIELDS
        : undefined;
  if (!schema) {
    ctx.out.push(ctx.source.at(at, "invalid_path", `fact "${fact}" has no fields: remove "path"`));
    return false;
  }
  const missing = missingSegment(schema, segments);
  if (missing !== undefined) {
    ctx.out.push(
      ctx.source.at(
        at,
        "invalid_path",
        `path "${path}": ${ctx.policy.appliesTo} ${fact} has no field "${missing}"${typeof missing === "string" ? didYouMean(missing, fieldsBeside(schema, segments)) : ""}`,
      ),
    );
    return false;
  }
  return true;
}

/** Data paths inside a derived fact's params (elapsed's from/to) must exist too. */
function checkDerivedParams(
  ctx: RuleContext,
  fact: string,
  params: Record<string, unknown>,
  at: YamlPath,
): boolean {
  let ok = true;
  if (fact !== "elapsed") {
    // copiesNotSentWithin's from, valueIf's path
    for (const key of ["from", "path"])
      if (typeof params[key] === "string") ok = checkPath(ctx, "data", params[key], [...at, key]) && ok;
    return ok;
  }
  const check = (p: unknown, where: YamlPath) => {
    if (typeof p === "string") ok = checkPath(ctx, "data", p, where) && ok;
  };
  check(params.from, [...at, "from"]);
  const to = params.to;
  if (Array.isArray(to)) {
    for (const [i, p] of to.entries()) check(p, [...at, "to", i]);
  } else if (isFactReference(to)) {
    const ref = { ...to };
    ok = checkFactReference({ ...ctx, evidence: new Map() }, ref, [...at, "to"]) && ok;
    params.to = ref;
  } else check(to, [...at, "to"]);
  return ok;
}

function substituteParams(ctx: RuleContext, value: unknown, at: YamlPath): unknown {
  if (Array.isArray(value)) return value.map((v, i) => substituteParams(ctx, v, [...at, i]));
  if (typeof value !== "object" || value === null) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "param") {
    const name = (value as { param: unknown }).param;
    const parameters = ctx.policy.parameters ?? {};
    if (typeof name !== "string" || !Object.hasOwn(parameters, name)) {
      ctx.out.push(
        ctx.source.at(
          [...at, "param"],
          "unknown_parameter",
          `unknown parameter "${String(name)}" (not in parameters)${didYouMean(String(name), Object.keys(parameters))}`,
        ),
      );
      return value;
    }
    return parameters[name];
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteParams(ctx, v, [...at, k])]));
}

const RECORD_PLACEHOLDERS = new Set([
  "record.type",
  "record.id",
  "record.revision",
  "record.occurredAt",
  "record.source",
]);

function checkMessage(
  ctx: RuleContext,
  message: RuleFile["message"],
  base: YamlPath,
  conditionsFailed: boolean,
) {
  for (const lang of ["zh", "en"] as const) {
    const template = parseTemplate(message[lang]);
    for (const problem of template.problems)
      ctx.out.push(ctx.source.at([...base, "message", lang], "unknown_placeholder", problem.message));
    for (const { name } of template.names) {
      const dataPath = name.startsWith("data.") ? parsePath(`$.${name.slice(5)}`) : undefined;
      const derived = DERIVED_FACT_BY_NAME.get(name);
      if (
        derived &&
        !derived.params &&
        (!derived.appliesTo || derived.appliesTo.includes(ctx.policy.appliesTo as RecordType))
      ) {
        // a parameterless derived fact named in a message is reported as evidence too
        addEvidence(ctx, name, { fact: name }, [...base, "message", lang]);
        continue;
      }
      const known =
        ctx.evidence.has(name) ||
        (dataPath !== undefined &&
          missingSegment(DATA_SCHEMAS[ctx.policy.appliesTo as RecordType], dataPath) === undefined) ||
        RECORD_PLACEHOLDERS.has(name) ||
        (name.startsWith("params.") &&
          Object.hasOwn(ctx.policy.parameters ?? {}, name.slice("params.".length)));
      // After a problem in the rule's conditions, a placeholder that the corrected condition
      // would report (a fact's name, a record field such as {amount}) is not another error.
      const schema = DATA_SCHEMAS[ctx.policy.appliesTo as RecordType];
      const couldBeEvidence =
        DERIVED_FACT_BY_NAME.has(name.split(".")[0] ?? "") ||
        missingSegment(schema, parsePath(`$.${name}`) ?? ["?"]) === undefined;
      const afterConditionProblem = conditionsFailed && couldBeEvidence;
      if (!known && !afterConditionProblem)
        ctx.out.push(
          ctx.source.at(
            [...base, "message", lang],
            "unknown_placeholder",
            `unknown placeholder {${name}}${didYouMean(name, [
              ...ctx.evidence.keys(),
              ...Object.keys(ctx.policy.parameters ?? {}).map((p) => `params.${p}`),
            ])
              .replace(/^: /, " (")
              .replace(
                /\?$/,
                "?)",
              )}: use an evidence key (${[...ctx.evidence.keys()].join(", ") || "none"}), {data.<field>}, {params.<name>} or {record.id}`,
          ),
        );
    }
  }
}
