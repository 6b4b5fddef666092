/**
 * Where a process gets its policies. Lambda bundles are built with the policy set compiled to
 * JSON (esbuild `define` of __COMPLIANCE_POLICY_SET__, see infra/), so Lambda never parses YAML;
 * local processes read the policies folder.
 */
import type { PolicySet } from "../core/policy/model.ts";

declare const __COMPLIANCE_POLICY_SET__: string | undefined;

export async function loadPolicySetForProcess(): Promise<PolicySet> {
  if (typeof __COMPLIANCE_POLICY_SET__ === "undefined") {
    // In Lambda bundles the condition is a constant: esbuild drops this branch, and with it the
    // YAML loader (~115 KB).
    const { loadPolicySet } = await import("./policy-folder.ts");
    return loadPolicySet();
  }
  return JSON.parse(__COMPLIANCE_POLICY_SET__) as PolicySet;
}
