/**
 * The policy set, compiled at synth time: every Lambda bundle carries it as JSON (esbuild `define`
 * of `__COMPLIANCE_POLICY_SET__`, read by functions/runtime/policy-set.ts), so no Lambda parses
 * YAML. Invalid policies fail the synth with the loader's `file:line:column` diagnostics.
 */
import { createHash } from "node:crypto";
import { formatDiagnostic } from "../functions/core/diagnostics.ts";
import { DomainError } from "../functions/core/errors.ts";
import { loadPolicies } from "../functions/core/policy/loader.ts";
import type { LoadedRule, PolicySet, PolicyVersion } from "../functions/core/policy/model.ts";
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
 * What a function reads of the set, when not all of it. A bundle carries what its function reads:
 * the compiled rules are ~74 KB of JSON, the largest part of every bundle that carries them.
 *   org      the organisation file alone (its time zone, roles and directory), no policy version:
 *            ingest (it stores revisions and judges none), the audit trail's consumer and digester
 *   ids      the organisation file, and of each version its id, number and record type and its
 *            rules' ids: what listing violations reads (the filters' known values, the ids of a
 *            record's violations): auditor
 *   actions  every version and rule, without the rules' conditions, messages, evidence and
 *            citations: what acting on violations reads (each rule's deadline, escalation roles
 *            and assignees; each version's parameters, e.g. maxWaiverDays): cases
 * The evaluating functions (evaluate, evaluator, sweeper) and the policy publisher carry the whole
 * set. A partial set says what it leaves out (`leftOut`); the platform refuses to evaluate it.
 */
export type PolicySetPart = "org" | "ids" | "actions";

const ACTIONS_RULE_FIELDS = ["id", "severity", "assign", "due", "dueMs", "escalate"] as const;

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]])) as Pick<
    T,
    K
  >;
}

function partOf(set: PolicySet, part: PolicySetPart): PolicySet {
  const { org, versions } = set;
  // the shapes below are parts of PolicyVersion and LoadedRule: the platform reads only these
  // fields in the functions that carry them, and refuses to evaluate (see `leftOut`)
  const partial = (v: Partial<PolicyVersion>) => v as PolicyVersion;
  const rule = (r: Partial<LoadedRule>) => r as LoadedRule;
  switch (part) {
    case "org":
      return { org, versions: [], leftOut: "every policy version (only the organisation file is carried)" };
    case "ids":
      return {
        org,
        versions: versions.map((v) =>
          partial({
            ...pick(v, ["id", "version", "appliesTo"]),
            rules: v.rules.map((r) => rule({ id: r.id })),
          }),
        ),
        leftOut: "all of each version but its id, number, record type and rule ids",
      };
    case "actions":
      return {
        org,
        versions: versions.map((v) => ({
          ...v,
          rules: v.rules.map((r) => rule(pick(r, ACTIONS_RULE_FIELDS))),
        })),
        leftOut: "the rules' conditions, messages, evidence and citations",
      };
  }
}

/** The `define` of a function that reads `part` of the set. */
export function partialPolicySet(policies: CompiledPolicies, part: PolicySetPart): string {
  return JSON.stringify(JSON.stringify(partOf(policies.set, part)));
}
