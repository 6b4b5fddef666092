/**
 * Reading the loaded policies (GET /v1/policies/{id}/versions/{n}): one version with its rules in
 * words, or undefined for an unknown id or version (the route answers 404).
 */
import { findVersion } from "../core/policy/model.ts";
import { type PolicyVersionView, policyVersionView } from "../core/policy/version-view.ts";
import type { Platform } from "./platform.ts";

export function readPolicyVersion(
  platform: Pick<Platform, "set">,
  id: string,
  version: string | number,
): PolicyVersionView | undefined {
  const n = typeof version === "number" ? version : /^[1-9][0-9]{0,8}$/.test(version) ? Number(version) : NaN;
  const found = Number.isInteger(n) ? findVersion(platform.set, id, n) : undefined;
  return found ? policyVersionView(platform.set, found) : undefined;
}
