/**
 * Where a process gets its policies. Lambda bundles are built with the policy set compiled to
 * JSON (esbuild `define` of __COMPLIANCE_POLICY_SET__, see infra/), so Lambda never parses YAML;
 * local processes read the policies folder.
 */
import type { PolicySet } from "../core/policy/model.ts";

declare const __COMPLIANCE_POLICY_SET__: string | undefined;

export async function loadPolicySetForProcess(): Promise<PolicySet> {
  if (typeof __COMPLIANCE_POLICY_SET__ !== "undefined")
    return JSON.parse(__COMPLIANCE_POLICY_SET__) as PolicySet;
  // a dead branch in Lambda bundles: esbuild drops it, and the YAML loader with it
  const { loadPolicySet } = await import("./policy-folder.ts");
  return loadPolicySet();
}
