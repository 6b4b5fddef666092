/** What the policy owners' pull-request tools (check, diff, impact) share. */
import { type Diagnostic, formatDiagnostic } from "../core/diagnostics.ts";
import { DomainError } from "../core/errors.ts";
import { type LoadResult, loadPolicies } from "../core/policy/loader.ts";
import type { SourceFile } from "../core/policy/model.ts";
import { parseTimeInput } from "../core/time.ts";
import { policiesDir, readPolicyFiles } from "../runtime/policy-files.ts";
import type { Io } from "./io.ts";
import { GitError, readPolicyFilesAt } from "./policy-git.ts";

/** Exit 2: the command was called wrongly (or cannot start: no such folder, ref or file). */
export class PolicyUsageError extends DomainError<"usage_error"> {
  constructor(message: string) {
    super("usage_error", message);
  }
}

export interface ToolOptions {
  readonly json: boolean;
  readonly base?: string;
  readonly since?: string;
  readonly records?: string;
  readonly at?: string;
  readonly latest: boolean;
}

/** Diagnostics: one `file:line:column: message` line each on stderr, or `{ok: false, …}` as JSON. */
export function printProblems(
  io: Io,
  problems: readonly Omit<Diagnostic, "code">[],
  json: boolean,
  extra: Record<string, unknown> = {},
) {
  if (json) io.out(JSON.stringify({ ok: false, ...extra, diagnostics: problems }, null, 2));
  else for (const p of problems) io.err(formatDiagnostic(p as Diagnostic));
}

export function folderFiles(dir: string | undefined): { folder: string; files: SourceFile[] } {
  const folder = policiesDir(dir);
  try {
    return { folder, files: readPolicyFiles(folder) };
  } catch (cause) {
    throw new PolicyUsageError(`cannot read policies folder ${folder}: ${(cause as Error).message}`);
  }
}

export function baseFiles(folder: string, ref: string | undefined): SourceFile[] {
  if (!ref) throw new PolicyUsageError("--base <git-ref> is required (e.g. --base origin/main)");
  try {
    return readPolicyFilesAt(folder, ref);
  } catch (error) {
    if (error instanceof GitError) throw new PolicyUsageError(error.message);
    throw error;
  }
}

export function loadOrReport(
  files: readonly SourceFile[],
  io: Io,
  json: boolean,
  label?: string,
): LoadResult {
  const result = loadPolicies(files);
  if (!result.ok) {
    if (label && !json) io.err(`${label} do not load:`);
    printProblems(io, result.diagnostics, json, label ? { which: label } : {});
  }
  return result;
}

/**
 * A time option (CONTRACT §8): a date-time with a zone, or a date meaning 00:00 of that day in the
 * company's time zone. A date-time without a zone is refused, never read as the host's local time.
 */
export function timeOption(name: string, value: string, timeZone: string): number {
  const parsed = parseTimeInput(value, timeZone, "start");
  if (!parsed.ok) throw new PolicyUsageError(`--${name} ${value}: ${parsed.message}`);
  return parsed.ms;
}
