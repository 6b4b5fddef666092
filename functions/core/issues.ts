/**
 * zod issues as data (`{path, message}`), every one of them, in words a caller reads.
 * Used for HTTP 400 answers and, with YAML positions, for policy diagnostics.
 *
 * Unions are the hard case: zod reports "no branch matched" with every branch's issues. We report
 * the issues of the branch the input was evidently meant for: the one whose *shape* it misses
 * least (fewest unknown or missing fields at the union's level).
 */
import type * as z from "zod";

export type IssuePath = (string | number)[];
export interface Issue {
  readonly path: IssuePath;
  readonly message: string;
  /** Points at a field's key rather than its value (unknown fields). */
  readonly atKey?: boolean;
}

type ZodIssue = z.core.$ZodIssue;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function shapeMisses(branch: readonly ZodIssue[], value: unknown): number {
  let misses = 0;
  for (const issue of branch) {
    if (issue.code === "unrecognized_keys" && issue.path.length === 0) misses += issue.keys.length;
    else if (
      issue.code === "invalid_type" &&
      issue.path.length === 1 &&
      valueAt(value, issue.path) === undefined
    )
      misses += 1;
    else if (issue.path.length === 0) misses += 100; // not even the right kind of value
  }
  return misses;
}

function describeIssue(issue: ZodIssue, input: unknown, base: readonly PropertyKey[]): Issue[] {
  const path = [...base, ...issue.path] as IssuePath;
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown field "${key}"`,
        atKey: true,
      }));
    case "invalid_type":
      if (valueAt(input, path) === undefined) {
        const field = path.at(-1);
        return [
          {
            path,
            message: field === undefined ? "a value is required" : `missing required field "${field}"`,
          },
        ];
      }
      return [{ path, message: issue.message.replace(/^Invalid input: /, "") }];
    case "invalid_union": {
      const value = valueAt(input, path);
      if (issue.errors.length === 0 || value === null || typeof value !== "object" || Array.isArray(value))
        return [{ path, message: issue.message }];
      let best = issue.errors[0] as ZodIssue[];
      let bestScore = shapeMisses(best, value);
      for (const branch of issue.errors.slice(1)) {
        const score = shapeMisses(branch, value);
        if (score < bestScore || (score === bestScore && branch.length < best.length)) {
          best = branch;
          bestScore = score;
        }
      }
      if (bestScore >= 100) return [{ path, message: issue.message }];
      return best.flatMap((inner) => describeIssue(inner, input, path));
    }
    case "invalid_value":
      return [{ path, message: issue.message.replace(/^Invalid option: /, "") }];
    default:
      return [{ path, message: issue.message.replace(/^Invalid input: /, "") }];
  }
}

export function toIssues(error: z.core.$ZodError, input: unknown): Issue[] {
  return error.issues.flatMap((issue) => describeIssue(issue, input, []));
}

/** `data.items[0].sku` */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/**
 * At most this many issues go into one answer, each path and message at most 300 characters: a
 * 250 KB body of 87k empty approvals once answered 435,000 issues (43 MB, seconds of CPU). The
 * first ones are enough to fix a request; the total is said in the message.
 */
export const MAX_REPORTED_ISSUES = 100;
const MAX_ISSUE_TEXT = 300;

const cut = (text: string) =>
  text.length <= MAX_ISSUE_TEXT ? text : `${text.slice(0, MAX_ISSUE_TEXT - 1)}…`;

/** The first MAX_REPORTED_ISSUES issues as `{path, message}`, bounded, and how many there were. */
export function reportedIssues(issues: readonly Issue[]): {
  readonly listed: { path: string; message: string }[];
  readonly total: number;
} {
  return {
    listed: issues.slice(0, MAX_REPORTED_ISSUES).map((i) => ({
      path: cut(formatPath(i.path) || "(body)"),
      message: cut(i.message),
    })),
    total: issues.length,
  };
}
