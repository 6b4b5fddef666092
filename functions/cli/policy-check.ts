/**
 * `compliance policy check --base <git-ref> [dir]`: the policies folder against the base of a pull
 * request. Exit 1 with `file:line:column: message` lines when a released version file was changed or
 * deleted, a new version does not follow the last one, a new version's effectiveFrom is not after the
 * previous version's, or the folder does not load; exit 0 with a short summary of new versions.
 */
import { diffPolicies, policyFileOf, summariseDiff } from "../core/policy/diff.ts";
import type { SourceFile } from "../core/policy/model.ts";
import { checkRelease, type NewVersion } from "../core/policy/release-check.ts";
import type { Io } from "./io.ts";
import { baseFiles, folderFiles, printProblems, type ToolOptions } from "./policy-common.ts";

interface NewVersionSummary extends NewVersion {
  readonly changes?: string;
}

function summarise(v: NewVersion, files: readonly SourceFile[]): NewVersionSummary {
  const file = files.find((f) => f.path === v.file);
  const previous = v.previous && files.find((f) => f.path === v.previous?.file);
  const to = file && policyFileOf(file);
  if (!to) return v;
  const from = previous ? policyFileOf(previous) : undefined;
  if (previous && !from) return v;
  return { ...v, changes: summariseDiff(diffPolicies(from, to)) };
}

function line(v: NewVersionSummary): string {
  const when = v.effectiveFrom ? `, in force from ${v.effectiveFrom}` : "";
  const after = v.previous?.effectiveFrom ? ` (v${v.previous.version} from ${v.previous.effectiveFrom})` : "";
  const what = v.previous
    ? v.changes
      ? `: ${v.changes}`
      : ""
    : `: a new policy${v.changes ? ` with ${v.changes}` : ""}`;
  return `  ${v.policyId} v${v.version}${when}${after}${what}`;
}

export function policyCheck(dir: string | undefined, options: ToolOptions, io: Io): number {
  const { folder, files } = folderFiles(dir);
  const base = baseFiles(folder, options.base);
  const result = checkRelease(base, files);
  const newVersions = result.newVersions.map((v) => summarise(v, files));
  if (!result.ok) {
    printProblems(io, result.problems, options.json, { base: options.base, newVersions });
    if (!options.json)
      io.err(
        `policy check against ${options.base}: ${result.problems.length} problem${result.problems.length === 1 ? "" : "s"}`,
      );
    return 1;
  }
  if (options.json) {
    io.out(
      JSON.stringify(
        { ok: true, base: options.base, released: result.released, newVersions, diagnostics: [] },
        null,
        2,
      ),
    );
    return 0;
  }
  const released = `${result.released} released version${result.released === 1 ? "" : "s"} unchanged`;
  if (newVersions.length === 0) io.out(`ok against ${options.base}: ${released}; no new policy version`);
  else {
    io.out(
      `ok against ${options.base}: ${released}; ${newVersions.length} new version${newVersions.length === 1 ? "" : "s"}:`,
    );
    for (const v of newVersions) io.out(line(v));
  }
  return 0;
}
