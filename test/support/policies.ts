/** The shipped policies, loaded once per test file. */
import { formatDiagnostic } from "../../functions/core/diagnostics.ts";
import { loadPolicies } from "../../functions/core/policy/loader.ts";
import type { PolicySet, SourceFile } from "../../functions/core/policy/model.ts";
import { policiesDir, readPolicyFiles } from "../../functions/runtime/policy-files.ts";

export const SHIPPED_DIR = policiesDir();

export function shippedFiles(): SourceFile[] {
  return readPolicyFiles(SHIPPED_DIR);
}

export function shippedPolicies(): PolicySet {
  const result = loadPolicies(shippedFiles());
  if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
  return result.set;
}

/** A later version's file (v2.yaml, v2.test.yaml, v10.yaml …). */
export const isLaterVersion = (path: string): boolean => /(^|[/\\])v([2-9]|\d\d+)(\.test)?\.yaml$/.test(path);

/**
 * The shipped folder as first released: org.yaml and every policy's v1. The pull-request tools'
 * tests start there and write their own v2, v3 … (the shipped v2 files would be in their way).
 */
export function firstReleaseFiles(): SourceFile[] {
  return shippedFiles().filter((f) => !isLaterVersion(f.path));
}

export function firstReleasePolicies(): PolicySet {
  const result = loadPolicies(firstReleaseFiles());
  if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
  return result.set;
}
