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
