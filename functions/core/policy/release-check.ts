/**
 * `policy check`: a proposed policies folder against the released one (the base of a pull
 * request). Released version files never change and never go; a change is a new file
 * `v<N+1>.yaml` whose `effectiveFrom` is after v<N>'s; a new policy starts at v1; and the proposed
 * folder must load. `org.yaml` and test files may change freely.
 *
 * Pure: both folders are handed in as files (the command line reads the base from git).
 */
import { type Diagnostic, type DiagnosticCode, sortDiagnostics } from "../diagnostics.ts";
import { isCalendarDate } from "../time.ts";
import { loadPolicies, POLICY_FILE } from "./loader.ts";
import type { PolicySet, SourceFile } from "./model.ts";
import { parseYaml, type YamlSource } from "./yaml-source.ts";

export type ReleaseCheckCode =
  | DiagnosticCode
  | "released_changed"
  | "released_deleted"
  | "version_sequence"
  | "effective_from";

/** A diagnostic (file:line:column: message) with the check's own codes besides the loader's. */
export interface ReleaseProblem extends Omit<Diagnostic, "code"> {
  readonly code: ReleaseCheckCode;
}

export interface NewVersion {
  readonly policyId: string;
  readonly version: number;
  /** Relative to the policies folder. */
  readonly file: string;
  readonly display: string;
  readonly effectiveFrom?: string;
  /** The version it follows (released or new in this change); absent for a new policy's v1. */
  readonly previous?: { readonly version: number; readonly effectiveFrom?: string; readonly file: string };
}

export interface ReleaseCheck {
  readonly ok: boolean;
  readonly problems: readonly ReleaseProblem[];
  /** Version files present at base and unchanged. */
  readonly released: number;
  readonly newVersions: readonly NewVersion[];
  /** The proposed set, when it loads. */
  readonly set?: PolicySet;
}

interface VersionFile {
  readonly policyId: string;
  readonly version: number;
  readonly file: SourceFile;
}

function versionFiles(files: readonly SourceFile[]): VersionFile[] {
  const out: VersionFile[] = [];
  for (const file of files) {
    const m = POLICY_FILE.exec(file.path);
    if (m) out.push({ policyId: m[2] as string, version: Number(m[3]), file });
  }
  return out;
}

function parsed(file: SourceFile): YamlSource | undefined {
  return parseYaml(file.display, file.text).source;
}

function firstDifferentLine(a: string, b: string): number {
  const x = a.split("\n");
  const y = b.split("\n");
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return i + 1;
  return 1;
}

function fieldOf(source: YamlSource | undefined, field: string): unknown {
  const value = source?.value;
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[field] : undefined;
}

function problemAt(
  file: SourceFile,
  source: YamlSource | undefined,
  field: string,
  code: ReleaseCheckCode,
  message: string,
): ReleaseProblem {
  if (!source) return { code, file: file.display, line: 1, column: 1, message };
  return { ...source.at([field], "version_order", message), code };
}

export function checkRelease(base: readonly SourceFile[], proposed: readonly SourceFile[]): ReleaseCheck {
  const problems: ReleaseProblem[] = [];
  const baseVersions = versionFiles(base);
  const proposedVersions = versionFiles(proposed);
  const basePaths = new Set(base.map((f) => f.path));
  const lastReleased = new Map<string, number>();
  for (const v of baseVersions)
    lastReleased.set(v.policyId, Math.max(lastReleased.get(v.policyId) ?? 0, v.version));
  const versions: Versions = { baseVersions, proposedVersions, basePaths, lastReleased };

  // 1. released versions: unchanged and still there
  const released = checkReleased(versions, proposed, problems);
  // 2. new versions: the next number, a later effectiveFrom
  const newVersions = checkNewVersions(versions, problems);

  // 3. the proposed folder loads (its own problems are reported once: the check's take precedence
  // where both say the same thing at the same place)
  const loaded = loadPolicies(proposed);
  if (!loaded.ok) {
    const taken = new Set(problems.map((p) => `${p.file}:${p.line}:${p.column}`));
    for (const d of loaded.diagnostics)
      if (!(d.code === "version_order" && taken.has(`${d.file}:${d.line}:${d.column}`))) problems.push(d);
  }
  const sorted = sortDiagnostics(problems as Diagnostic[]) as ReleaseProblem[];
  return {
    ok: sorted.length === 0,
    problems: sorted,
    released,
    newVersions,
    set: loaded.ok ? loaded.set : undefined,
  };
}

/** The version files of both folders, and the last released version of each policy. */
interface Versions {
  readonly baseVersions: readonly VersionFile[];
  readonly proposedVersions: readonly VersionFile[];
  readonly basePaths: ReadonlySet<string>;
  readonly lastReleased: ReadonlyMap<string, number>;
}

/** Released version files that changed or went (into `problems`); how many are still as released. */
function checkReleased(
  versions: Versions,
  proposed: readonly SourceFile[],
  problems: ReleaseProblem[],
): number {
  const { baseVersions, proposedVersions, basePaths, lastReleased } = versions;
  const proposedByPath = new Map(proposed.map((f) => [f.path, f]));
  // where a change to a released version goes: the next file, or the one this change already adds
  const putChangeIn = (policyId: string) => {
    const next = (lastReleased.get(policyId) ?? 0) + 1;
    const adds = proposedVersions.some(
      (v) => v.policyId === policyId && v.version === next && !basePaths.has(v.file.path),
    );
    return adds
      ? `put the change in v${next}.yaml, which this change adds, and restore the released file`
      : `put the change in a new v${next}.yaml with a later effectiveFrom`;
  };
  let released = 0;
  for (const v of baseVersions) {
    const now = proposedByPath.get(v.file.path);
    const name = `${v.policyId} v${v.version}`;
    if (!now) {
      problems.push({
        code: "released_deleted",
        file: v.file.display,
        line: 1,
        column: 1,
        message: `released version ${name} was deleted: released versions stay, since records that occurred while it was in force are judged by it`,
      });
    } else if (now.text !== v.file.text) {
      problems.push({
        code: "released_changed",
        file: now.display,
        line: firstDifferentLine(v.file.text, now.text),
        column: 1,
        message: `released version ${name} was changed (first difference on this line): a released version never changes; ${putChangeIn(v.policyId)}`,
      });
    } else released++;
  }
  return released;
}

/** The version files this change adds: each the next number, with a later effectiveFrom. */
function checkNewVersions(versions: Versions, problems: ReleaseProblem[]): NewVersion[] {
  const { proposedVersions, basePaths, lastReleased } = versions;
  const newVersions: NewVersion[] = [];
  const byPolicy = new Map<string, VersionFile[]>();
  for (const v of proposedVersions) {
    if (basePaths.has(v.file.path)) continue;
    const list = byPolicy.get(v.policyId) ?? [];
    list.push(v);
    byPolicy.set(v.policyId, list);
  }
  const byPolicyAll = new Map<string, VersionFile[]>();
  for (const v of proposedVersions) byPolicyAll.set(v.policyId, [...(byPolicyAll.get(v.policyId) ?? []), v]);

  for (const [policyId, list] of [...byPolicy].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => a.version - b.version || a.file.path.localeCompare(b.file.path));
    const last = lastReleased.get(policyId) ?? 0;
    let expected = last + 1;
    for (const v of list) {
      const source = parsed(v.file);
      if (v.version !== expected) {
        const message =
          last === 0 && expected === 1
            ? `${policyId} is a new policy: it starts at v1, not v${v.version}`
            : v.version < expected
              ? `v${v.version} of ${policyId} is already taken by ${v.version <= last ? "a released version" : "another new file"}: the next version is v${expected}`
              : `v${v.version} does not follow the last version of ${policyId} (v${expected - 1}): the next version is v${expected}`;
        problems.push(problemAt(v.file, source, "version", "version_sequence", message));
      } else expected++;

      const effectiveFrom = fieldOf(source, "effectiveFrom");
      // the version it follows: v<N-1>, or the nearest one below when numbers were skipped
      const prev = (byPolicyAll.get(policyId) ?? [])
        .filter((o) => o.version < v.version)
        .reduce<VersionFile | undefined>(
          (best, o) => (best && best.version >= o.version ? best : o),
          undefined,
        );
      const prevSource = prev ? parsed(prev.file) : undefined;
      const prevFrom = fieldOf(prevSource, "effectiveFrom");
      if (
        typeof effectiveFrom === "string" &&
        typeof prevFrom === "string" &&
        isCalendarDate(effectiveFrom) &&
        isCalendarDate(prevFrom) &&
        effectiveFrom <= prevFrom
      )
        problems.push(
          problemAt(
            v.file,
            source,
            "effectiveFrom",
            "effective_from",
            `effectiveFrom ${effectiveFrom} of new version v${v.version} must be after v${prev?.version}'s (${prevFrom})`,
          ),
        );
      newVersions.push({
        policyId,
        version: v.version,
        file: v.file.path,
        display: v.file.display,
        effectiveFrom: typeof effectiveFrom === "string" ? effectiveFrom : undefined,
        previous: prev
          ? {
              version: prev.version,
              effectiveFrom: typeof prevFrom === "string" ? prevFrom : undefined,
              file: prev.file.path,
            }
          : undefined,
      });
    }
  }

  return newVersions;
}
