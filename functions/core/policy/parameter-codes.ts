import type { Condition, PolicyFile } from "../../../schemas/policy.ts";
import { type CodeKind, fieldCodeKind } from "../code-names.ts";
import { DERIVED_FACT_BY_NAME, isFactReference } from "./facts.ts";

/**
 * The kind of code each parameter holds, from where the rules use it: compared with a record
 * field (`$.category` in `severeCategories`), given to a derived fact's param that holds codes
 * (`departments` of copiesCompletedAt), or compared with a fact whose value holds codes.
 */
export function parameterCodes(policy: PolicyFile): Record<string, CodeKind> {
  const kinds: Record<string, CodeKind> = {};
  const paramName = (v: unknown): string | undefined =>
    typeof v === "object" && v !== null && Object.keys(v).length === 1 && "param" in v
      ? String((v as { param: unknown }).param)
      : undefined;
  const note = (v: unknown, kind: CodeKind | undefined) => {
    const name = paramName(v);
    if (name !== undefined && kind !== undefined) kinds[name] ??= kind;
  };
  const factKind = (ref: { fact: string; path?: string }): CodeKind | undefined =>
    ref.fact === "data" && ref.path
      ? fieldCodeKind(policy.appliesTo, ref.path)
      : DERIVED_FACT_BY_NAME.get(ref.fact)?.codes;
  const visitParams = (fact: string, params: unknown) => {
    if (typeof params !== "object" || params === null) return;
    const derived = DERIVED_FACT_BY_NAME.get(fact);
    for (const [key, value] of Object.entries(params)) {
      note(value, derived?.paramCodes?.[key]);
      if (isFactReference(value)) visitParams(value.fact, value.params);
    }
  };
  const visit = (c: Condition) => {
    if ("all" in c) c.all.forEach(visit);
    else if ("any" in c) c.any.forEach(visit);
    else if ("not" in c) visit(c.not);
    else {
      visitParams(c.fact, c.params);
      note(c.value, factKind(c));
      if (isFactReference(c.value)) visitParams(c.value.fact, c.value.params);
    }
  };
  for (const rule of policy.rules) {
    visit(rule.when);
    for (const ref of Object.values(rule.evidence ?? {})) visitParams(ref.fact, ref.params);
  }
  return kinds;
}
