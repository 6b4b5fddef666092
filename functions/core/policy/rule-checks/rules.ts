/**
 * The checks of a policy file's rules beyond its schema: unique ids, roles of org.yaml, conditions
 * (facts, operators and their values, parameters), evidence and message placeholders. Yields the
 * rules that passed, with their parameters substituted.
 */
import { type Condition, type PolicyFile, ruleSchema } from "../../../../schemas/policy.ts";
import type { Diagnostic } from "../../diagnostics.ts";
import { toIssues } from "../../issues.ts";
import { didYouMean, didYouMeanAny, nearestNames as nearest } from "../../suggest.ts";
import { parseDuration } from "../../time.ts";
import { isFactReference } from "../facts.ts";
import type { LoadedRule, OrgDirectory } from "../model.ts";
import { DECORATORS, OPERATORS, resolveOperator } from "../operators.ts";
import type { PartialPolicy } from "../schema-diagnostics.ts";
import type { YamlPath, YamlSource } from "../yaml-source.ts";
import { addEvidence, type RuleContext } from "./context.ts";
import { checkFactReference } from "./facts.ts";
import { checkMessage } from "./messages.ts";
import { substituteParams } from "./substitution.ts";

export function checkRules(
  source: YamlSource,
  policy: PolicyFile | PartialPolicy,
  org: OrgDirectory | undefined,
  out: Diagnostic[],
): LoadedRule[] {
  const seen = new Map<string, number>();
  const loaded: LoadedRule[] = [];
  for (const [index, rule] of policy.rules.entries()) {
    if (!rule) continue;
    const base: YamlPath = ["rules", index];
    if (rule.id !== undefined) {
      const first = seen.get(rule.id);
      if (first !== undefined)
        out.push(
          source.at(
            [...base, "id"],
            "duplicate_rule",
            `rule id "${rule.id}" is already used by rules[${first}]`,
          ),
        );
      else seen.set(rule.id, index);
    }
    if (org) {
      for (const field of ["assign", "escalate"] as const)
        for (const [i, role] of (rule[field] ?? []).entries())
          if (!Object.hasOwn(org.roles, role))
            out.push(
              source.at(
                [...base, field, i],
                "unknown_role",
                `role "${role}" is not defined in org.yaml${didYouMean(role, Object.keys(org.roles))}`,
              ),
            );
    }
    const ctx: RuleContext = { source, policy: policy as PolicyFile, out, evidence: new Map() };
    const before = out.length;
    const when = rule.when ? checkCondition(ctx, rule.when, [...base, "when"]) : undefined;
    if (when && rule.evidence)
      for (const [key, ref] of Object.entries(rule.evidence)) {
        const copy = { ...ref, name: key };
        if (checkFactReference(ctx, copy, [...base, "evidence", key]))
          addEvidence(ctx, key, { fact: copy.fact, path: copy.path, params: copy.params }, [
            ...base,
            "evidence",
            key,
          ]);
      }
    if (rule.message && when) checkMessage(ctx, rule.message, base, out.length > before);
    const complete = ruleSchema.safeParse(rule);
    if (!complete.success || !when) continue; // its schema problems are already reported
    const r = complete.data;
    loaded.push({
      id: r.id,
      severity: r.severity,
      when,
      whenAsWritten: r.when,
      assign: r.assign,
      due: r.due,
      dueMs: parseDuration(r.due) ?? 0,
      message: r.message,
      escalate: r.escalate,
      source: r.source ?? policy.source ?? [],
      evidence: [...ctx.evidence.values()].map((e) => e.spec),
    });
  }
  return loaded;
}

/** For `decimalLessThen` or `not:equl`: the nearest operator (decorators kept, or corrected). */
function operatorSuggestion(name: string): string {
  const parts = name.split(":");
  const base = parts.pop() as string;
  const fixedDecorators = parts.map((d) =>
    Object.hasOwn(DECORATORS, d) ? d : (nearest(d, Object.keys(DECORATORS))[0] ?? d),
  );
  const names = OPERATORS.map((o) => o.name);
  const bases = OPERATORS.some((o) => o.name === base) ? [base] : nearest(base, names);
  return didYouMeanAny(bases.map((b) => [...fixedDecorators, b].join(":")).filter((c) => c !== name));
}

function checkCondition(ctx: RuleContext, condition: Condition, path: YamlPath): Condition {
  if ("all" in condition)
    return { all: condition.all.map((c, i) => checkCondition(ctx, c, [...path, "all", i])) };
  if ("any" in condition)
    return { any: condition.any.map((c, i) => checkCondition(ctx, c, [...path, "any", i])) };
  if ("not" in condition) return { not: checkCondition(ctx, condition.not, [...path, "not"]) };

  const { source, out } = ctx;
  const leaf = { ...condition };
  const fact = checkFactReference(ctx, leaf, path);
  const operator = resolveOperator(leaf.operator);
  if (!operator) {
    out.push(
      source.at(
        [...path, "operator"],
        "unknown_operator",
        `unknown operator "${leaf.operator}"${operatorSuggestion(leaf.operator)}`,
      ),
    );
  }
  if (!Object.hasOwn(condition, "value")) {
    out.push(source.at(path, "invalid_value", `missing required field "value"`));
    return leaf;
  }
  const before = out.length;
  leaf.value = substituteParams(ctx, leaf.value, [...path, "value"]);
  if (out.length > before) return leaf; // an unknown parameter: its value cannot be checked
  if (isFactReference(leaf.value)) {
    const ref = { ...leaf.value };
    checkFactReference(ctx, ref, [...path, "value"]);
    leaf.value = ref;
  } else if (operator) {
    const decorated = operator.decorators.length > 0;
    const needsList = operator.decorators.some((d) => d === "someValue" || d === "everyValue");
    if (needsList && !Array.isArray(leaf.value))
      out.push(
        source.at([...path, "value"], "invalid_value", `operator "${leaf.operator}" needs a list as value`),
      );
    if (!decorated) {
      const parsed = operator.base.value.safeParse(leaf.value);
      if (!parsed.success)
        for (const issue of toIssues(parsed.error, leaf.value))
          out.push(
            source.at(
              [...path, "value", ...issue.path],
              "invalid_value",
              `value for "${leaf.operator}": ${issue.message}`,
            ),
          );
    }
  }
  if (fact && leaf.name)
    addEvidence(ctx, leaf.name, { fact: leaf.fact, path: leaf.path, params: leaf.params }, path);
  return leaf;
}
