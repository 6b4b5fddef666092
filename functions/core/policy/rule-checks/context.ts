/**
 * What the checks of one rule share: the file's YAML (for positions), the policy, where problems
 * go, and the evidence the rule reports, collected as its conditions and messages are checked.
 */
import type { PolicyFile } from "../../../../schemas/policy.ts";
import type { Diagnostic } from "../../diagnostics.ts";
import type { EvidenceSpec } from "../model.ts";
import { pathLabel } from "../path.ts";
import type { YamlPath, YamlSource } from "../yaml-source.ts";

export interface RuleContext {
  readonly source: YamlSource;
  readonly policy: PolicyFile;
  readonly out: Diagnostic[];
  readonly evidence: Map<string, { spec: EvidenceSpec; identity: string }>;
}

export function evidenceKey(ref: { fact: string; path?: string }): string {
  if (ref.fact === "data") return ref.path ? pathLabel(ref.path) || "data" : "data";
  return ref.path ? `${ref.fact}.${pathLabel(ref.path)}` : ref.fact;
}

export function addEvidence(ctx: RuleContext, key: string, spec: Omit<EvidenceSpec, "key">, path: YamlPath) {
  const identity = JSON.stringify([spec.fact, spec.path ?? null, spec.params ?? null]);
  const existing = ctx.evidence.get(key);
  if (existing && existing.identity !== identity) {
    ctx.out.push(
      ctx.source.at(
        path,
        "invalid_value",
        `two different facts would both be reported as evidence "${key}": give one of them a distinct "name"`,
      ),
    );
    return;
  }
  if (!existing) ctx.evidence.set(key, { spec: { key, ...stripUndefined(spec) }, identity });
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
