/**
 * Why a rule did or did not fire (CONTRACT §2, `?explain=true`): the rule's `when` as a tree of the
 * same shape, every condition evaluated (no short-circuit), each leaf with the value as written,
 * the value expected once parameters and fact references are resolved, the value actually read,
 * and its result. The compiled evaluator builds it (compile.ts, `explain`); the json-rules-engine
 * reference builds the same tree from its own condition results (`fromEngineConditions`), and the
 * differential property test checks both agree.
 */
import type { Condition } from "../../../schemas/policy.ts";
import { toEvidenceValue } from "./format.ts";

export interface ExplainedLeaf {
  readonly fact: string;
  readonly path?: string;
  readonly operator: string;
  /** As the policy file writes it: `{param: name}` and `{fact, path}` kept. */
  readonly value: unknown;
  /** Parameters substituted and fact references read: what the operator compared with. */
  readonly expected: unknown;
  /** The fact's value as read from the record (or derived), as JSON. */
  readonly actual: unknown;
  readonly result: boolean;
}

export type Explanation =
  | { readonly all: readonly Explanation[]; readonly result: boolean }
  | { readonly any: readonly Explanation[]; readonly result: boolean }
  | { readonly not: Explanation; readonly result: boolean }
  | ExplainedLeaf;

export interface RuleExplanation {
  readonly id: string;
  /** Equals `explanation.result`. */
  readonly fired: boolean;
  readonly explanation: Explanation;
}

/** The written twin of a condition node, when the file has the same shape (it always does). */
export function writtenChild(written: Condition | undefined, key: "all" | "any", index: number) {
  return written && key in written ? (written as Record<typeof key, Condition[]>)[key][index] : undefined;
}

/** A leaf's node; `value` falls back to the loaded (substituted) value when no written one exists. */
export function explainedLeaf(
  leaf: Extract<Condition, { fact: string }>,
  written: Condition | undefined,
  actual: unknown,
  expected: unknown,
  result: boolean,
): ExplainedLeaf {
  const value = written && "fact" in written && Object.hasOwn(written, "value") ? written.value : leaf.value;
  return {
    fact: leaf.fact,
    ...(leaf.path === undefined ? {} : { path: leaf.path }),
    operator: leaf.operator,
    value,
    expected: toEvidenceValue(expected),
    actual: toEvidenceValue(actual),
    result,
  };
}

/** What json-rules-engine leaves on each condition after a run (its RuleResult's `conditions`). */
export interface EngineCondition {
  readonly all?: readonly EngineCondition[] | undefined;
  readonly any?: readonly EngineCondition[] | undefined;
  readonly not?: EngineCondition | undefined;
  readonly fact?: string | undefined;
  readonly path?: string | undefined;
  readonly operator?: string | undefined;
  readonly value?: unknown;
  readonly factResult?: unknown;
  readonly valueResult?: unknown;
  readonly result?: boolean | undefined;
}

/** The reference engine's evaluated conditions as an explanation (`result` absent = not evaluated). */
export function fromEngineConditions(
  loaded: Condition,
  evaluated: EngineCondition,
  written: Condition | undefined,
): Explanation {
  const result = evaluated.result === true;
  if ("all" in loaded)
    return {
      all: loaded.all.map((c, i) =>
        fromEngineConditions(c, evaluated.all?.[i] ?? {}, writtenChild(written, "all", i)),
      ),
      result,
    };
  if ("any" in loaded)
    return {
      any: loaded.any.map((c, i) =>
        fromEngineConditions(c, evaluated.any?.[i] ?? {}, writtenChild(written, "any", i)),
      ),
      result,
    };
  if ("not" in loaded)
    return {
      not: fromEngineConditions(
        loaded.not,
        evaluated.not ?? {},
        written && "not" in written ? written.not : undefined,
      ),
      result,
    };
  return explainedLeaf(loaded, written, evaluated.factResult, evaluated.valueResult, result);
}
