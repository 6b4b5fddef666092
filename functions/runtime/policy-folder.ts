/** Loads and validates the policies folder (local processes; Lambda uses the compiled set). */
import { formatDiagnostic } from "../core/diagnostics.ts";
import { loadPolicies } from "../core/policy/loader.ts";
import type { PolicySet } from "../core/policy/model.ts";
import { policiesDir, readPolicyFiles } from "./policy-files.ts";

export class InvalidPoliciesError extends Error {
  readonly code = "invalid_policies";
}

export function loadPolicySet(dir = policiesDir()): PolicySet {
  const result = loadPolicies(readPolicyFiles(dir));
  if (!result.ok)
    throw new InvalidPoliciesError(
      `policies in ${dir} are invalid:\n${result.diagnostics.map(formatDiagnostic).join("\n")}`,
    );
  return result.set;
}
