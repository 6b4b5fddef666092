/**
 * Loads a policies folder (handed in as files, so the core does no I/O) into a PolicySet, or
 * reports every problem at once as `file:line:column` diagnostics. Invalid policies are never
 * skipped: a load with any diagnostic yields no policy set at all.
 *
 * This file owns the folder's layout (where org.yaml and each policy version go) and what ties
 * versions together; each file is parsed (yaml-source.ts), checked against its schema
 * (schema-diagnostics.ts), then its rules are checked and their parameters substituted
 * (rule-checks/), and the kind of code each parameter holds is noted (parameter-codes.ts).
 */

import { createHash } from "node:crypto";
import { orgSchema, type PolicyFile, policySchema } from "../../../schemas/policy.ts";
import { type Diagnostic, sortDiagnostics } from "../diagnostics.ts";
import { didYouMean } from "../suggest.ts";
import type { OrgDirectory, PolicySet, PolicyVersion, SourceFile } from "./model.ts";
import { channelDiagnostics } from "./org-channels.ts";
import { checkDirectory } from "./org-check.ts";
import { parameterCodes } from "./parameter-codes.ts";
import { checkRules } from "./rule-checks/rules.ts";
import { type PartialPolicy, salvage, schemaDiagnostics } from "./schema-diagnostics.ts";
import { parseYaml, type YamlSource } from "./yaml-source.ts";

export const POLICY_FILE = /^([a-z0-9-]+)\/([a-z0-9-]+)\/v([1-9]\d*)\.yaml$/;
export const TEST_FILE = /^([a-z0-9-]+)\/([a-z0-9-]+)\/v([1-9]\d*)\.test\.yaml$/;
export const ORG_FILE = "org.yaml";

export type LoadResult = { ok: true; set: PolicySet } | { ok: false; diagnostics: Diagnostic[] };

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function loadPolicies(files: readonly SourceFile[]): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const directory = loadOrg(files, diagnostics);

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
    const loaded = loadVersion(file, layout, directory, diagnostics);
    if (!loaded) continue;
    sources.set(file.path, loaded.source);
    versions.push(loaded.version);
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

/** org.yaml: who holds each role, or undefined (its problems, or its absence, in `diagnostics`). */
function loadOrg(files: readonly SourceFile[], diagnostics: Diagnostic[]): OrgDirectory | undefined {
  const org = files.find((f) => f.path === ORG_FILE);
  if (!org) {
    diagnostics.push({
      code: "missing_org",
      file: rootDisplay(files) + ORG_FILE,
      line: 1,
      column: 1,
      message: "org.yaml is missing: it says who holds each role",
    });
    return undefined;
  }
  const { source, errors } = parseYaml(org.display, org.text);
  diagnostics.push(...errors);
  if (!source) return undefined;
  const checked = schemaDiagnostics(source, orgSchema);
  diagnostics.push(...checked.diagnostics, ...checkDirectory(source));
  const directory = checked.value ? (checked.value as OrgDirectory) : undefined;
  if (directory) diagnostics.push(...channelDiagnostics(directory, source));
  return directory;
}

/**
 * One policy version file at its place in the layout (`layout`: its match of POLICY_FILE): the
 * version, or undefined when its YAML or schema is invalid (every problem in `diagnostics`).
 */
function loadVersion(
  file: SourceFile,
  layout: RegExpExecArray,
  directory: OrgDirectory | undefined,
  diagnostics: Diagnostic[],
): { version: PolicyVersion; source: YamlSource } | undefined {
  const { source, errors } = parseYaml(file.display, file.text);
  diagnostics.push(...errors);
  if (!source) return undefined;
  const checked = schemaDiagnostics(source, policySchema);
  diagnostics.push(...checked.diagnostics);
  // Even when the schema fails, check what did parse, so every problem is reported in one run.
  const policy = (checked.value as PolicyFile | undefined) ?? salvage(source.value);
  checkPlace(source, policy, layout, directory, diagnostics);
  const rules = policy.appliesTo ? checkRules(source, policy as PolicyFile, directory, diagnostics) : [];
  if (!checked.value) return undefined;
  const valid = checked.value as PolicyFile;
  const version: PolicyVersion = {
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
  };
  return { version, source };
}

/** A policy's area, id and version match its folders and file name; its owner is a role of org.yaml. */
function checkPlace(
  source: YamlSource,
  policy: PolicyFile | PartialPolicy,
  layout: RegExpExecArray,
  directory: OrgDirectory | undefined,
  diagnostics: Diagnostic[],
): void {
  const [, area = "", policyId = "", version = ""] = layout;
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
