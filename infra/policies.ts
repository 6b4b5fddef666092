/**
 * The policy set, compiled at synth time: every Lambda bundle carries it as JSON (esbuild `define`
 * of `__COMPLIANCE_POLICY_SET__`, read by functions/runtime/policy-set.ts), so no Lambda parses
 * YAML. Invalid policies fail the synth with the loader's `file:line:column` diagnostics.
 */
import { createHash } from "node:crypto";
import { formatDiagnostic } from "../functions/core/diagnostics.ts";
import { DomainError } from "../functions/core/errors.ts";
import { loadPolicies } from "../functions/core/policy/loader.ts";
import type { PolicySet } from "../functions/core/policy/model.ts";
import { policiesDir, readPolicyFiles } from "../functions/runtime/policy-files.ts";

export interface CompiledPolicies {
  readonly set: PolicySet;
  /** The esbuild `define` value: a JS string literal holding the set's JSON. */
  readonly define: string;
  /** sha256 of the set's JSON: changes whenever a policy version is added (or, wrongly, edited). */
  readonly digest: string;
}

/** esbuild receives the define as one command-line argument; Linux caps one argument at 128 KiB. */
const MAX_DEFINE_BYTES = 120 * 1024;

export class PolicyCompilationError extends DomainError<"policy_compilation_failed"> {
  constructor(message: string) {
    super("policy_compilation_failed", message);
  }
}

export function compilePolicies(dir: string = policiesDir()): CompiledPolicies {
  const result = loadPolicies(readPolicyFiles(dir));
  if (!result.ok) {
    throw new PolicyCompilationError(
      `policies in ${dir} are invalid; nothing is synthesized:\n${result.diagnostics.map(formatDiagnostic).join("\n")}`,
    );
  }
  const json = JSON.stringify(result.set);
  const define = JSON.stringify(json);
  if (Buffer.byteLength(define) > MAX_DEFINE_BYTES) {
    throw new PolicyCompilationError(
      `the compiled policy set is ${Buffer.byteLength(define)} bytes, above the ${MAX_DEFINE_BYTES} bytes one esbuild --define argument can carry: inject it from a file instead (infra/policies.ts)`,
    );
  }
  return { set: result.set, define, digest: createHash("sha256").update(json).digest("hex") };
}

/**
 * The `define` of a function that reads only the organisation file of the set (the ingest
 * webhook: its company time zone and directory, never a rule): the compiled rules were ~70 KB of
 * its bundle. Like the notifier's slim set (constructs/notifications.ts), the shape is a PolicySet.
 */
export function orgOnlyPolicySet(policies: CompiledPolicies): string {
  const slim: PolicySet = { org: policies.set.org, versions: [] };
  return JSON.stringify(JSON.stringify(slim));
}
