/**
 * `compliance policy diff <policyId> [<from> <to>]`: what changed between two versions of a policy,
 * in words (default: the previous version → the latest); `--json` gives the structured diff.
 */
import { policySchema } from "../../schemas/policy.ts";
import { type Diagnostic, sortDiagnostics } from "../core/diagnostics.ts";
import { describeDiff, diffPolicies, policyFileOf } from "../core/policy/diff.ts";
import { POLICY_FILE } from "../core/policy/loader.ts";
import type { SourceFile } from "../core/policy/model.ts";
import { schemaDiagnostics } from "../core/policy/schema-diagnostics.ts";
import { parseYaml } from "../core/policy/yaml-source.ts";
import type { Io } from "./io.ts";
import { folderFiles, PolicyUsageError, printProblems, type ToolOptions } from "./policy-common.ts";

function versionArg(text: string): number {
  const m = /^v?([1-9]\d*)$/.exec(text);
  if (!m) throw new PolicyUsageError(`not a version: ${text} (write 2 or v2)`);
  return Number(m[1]);
}

export function policyDiff(args: readonly string[], options: ToolOptions, io: Io): number {
  const [policyId, fromArg, toArg, ...rest] = args;
  if (!policyId) throw new PolicyUsageError("policy diff needs a policy id");
  if (rest.length > 0) throw new PolicyUsageError(`unexpected argument ${rest[0]}`);
  if (fromArg !== undefined && toArg === undefined)
    throw new PolicyUsageError("give both versions (<from> <to>) or neither");
  const { files } = folderFiles(undefined);
  const versions = new Map<number, SourceFile>();
  const ids = new Set<string>();
  for (const f of files) {
    const m = POLICY_FILE.exec(f.path);
    if (!m) continue;
    ids.add(m[2] as string);
    if (m[2] === policyId) versions.set(Number(m[3]), f);
  }
  if (versions.size === 0)
    throw new PolicyUsageError(`no policy ${policyId}; the policies are ${[...ids].sort().join(", ")}`);
  const known = [...versions.keys()].sort((a, b) => a - b);
  const to = toArg === undefined ? (known.at(-1) as number) : versionArg(toArg);
  const from = fromArg === undefined ? (versions.has(to - 1) ? to - 1 : undefined) : versionArg(fromArg);
  for (const v of [from, to])
    if (v !== undefined && !versions.has(v))
      throw new PolicyUsageError(
        `${policyId} has no v${v}; its versions are ${known.map((k) => `v${k}`).join(", ")}`,
      );

  const toFile = versions.get(to) as SourceFile;
  const fromFile = from === undefined ? undefined : (versions.get(from) as SourceFile);
  const after = policyFileOf(toFile);
  const before = fromFile ? policyFileOf(fromFile) : undefined;
  if (!after || (fromFile && !before)) {
    // a version that does not even fit the schema: say why, as validate would
    const problems: Diagnostic[] = [];
    for (const file of fromFile ? [fromFile, toFile] : [toFile]) {
      const { source, errors } = parseYaml(file.display, file.text);
      problems.push(...errors);
      if (source) problems.push(...schemaDiagnostics(source, policySchema).diagnostics);
    }
    printProblems(io, sortDiagnostics(problems), options.json);
    return 1;
  }
  const diff = diffPolicies(before, after);
  if (options.json) io.out(JSON.stringify(diff, null, 2));
  else for (const line of describeDiff(diff)) io.out(line);
  return 0;
}
