/**
 * Compiles a rule's conditions into closures. json-rules-engine stays the reference semantics
 * (engine/reference.ts); this path removes its per-run overhead (JSONPath parsing, Almanac,
 * promises) that dominates evaluation, and the differential property test proves both agree.
 */
import type { Condition } from "../../../schemas/policy.ts";
import { Elapsed, isFactReference } from "../policy/facts.ts";
import type { LoadedRule } from "../policy/model.ts";
import { resolveOperator } from "../policy/operators.ts";
import { parsePath, readFactPath } from "../policy/path.ts";
import { parseDuration } from "../time.ts";
import { type EvalContext, factKey } from "./context.ts";
import { type Explanation, explainedLeaf, writtenChild } from "./explanation.ts";

type Read = (ctx: EvalContext) => unknown;
type Test = (ctx: EvalContext) => boolean;

interface FactRef {
  fact: string;
  path?: string;
  params?: unknown;
}

/** A pending deadline: the rule's outcome can change once `elapsed` passes `limitMs`. */
export interface DeadlineProbe {
  readonly read: Read;
  readonly limitMs: number;
  /** Sibling conditions of enclosing `all` groups: while one is false the deadline cannot matter. */
  readonly guards: readonly Test[];
}

export interface CompiledRule {
  readonly rule: LoadedRule;
  readonly test: Test;
  readonly evidence: readonly { key: string; read: Read }[];
  readonly deadlines: readonly DeadlineProbe[];
  /** Every condition evaluated, none skipped (CONTRACT §2); compiled on first use only. */
  readonly explain: (ctx: EvalContext) => Explanation;
}

export function compileFactRead(ref: FactRef): Read {
  const segments = ref.path === undefined ? undefined : parsePath(ref.path);
  if (ref.fact === "data") {
    if (!segments) return (ctx) => ctx.data;
    if (segments.length === 1) {
      const key = segments[0] as string | number;
      return (ctx) => {
        const d = ctx.data as Record<string | number, unknown>;
        return Object.hasOwn(d, key) ? d[key] : undefined;
      };
    }
    return (ctx) => readFactPath(ctx.data, segments);
  }
  if (ref.fact === "record") return (ctx) => readFactPath(ctx.record, segments);
  if (ref.fact === "now") return (ctx) => readFactPath(ctx.now, segments);
  const key = factKey(ref.fact, ref.params ?? {});
  const { fact, params } = ref;
  return (ctx) => readFactPath(ctx.derived(key, fact, params ?? {}), segments);
}

function compileCondition(condition: Condition, deadlines: DeadlineProbe[]): Test {
  if ("all" in condition) {
    const parts: Test[] = [];
    const timeless: boolean[] = [];
    const probes: DeadlineProbe[][] = [];
    for (const child of condition.all) {
      const own: DeadlineProbe[] = [];
      parts.push(compileCondition(child, own));
      timeless.push(own.length === 0);
      probes.push(own);
    }
    for (const [index, own] of probes.entries()) {
      // siblings that do not depend on time: while one is false, this deadline cannot matter
      const siblings = parts.filter((_, i) => i !== index && timeless[i]);
      for (const probe of own) deadlines.push({ ...probe, guards: [...probe.guards, ...siblings] });
    }
    return (ctx) => {
      for (const part of parts) if (!part(ctx)) return false;
      return true;
    };
  }
  if ("any" in condition) {
    const parts = condition.any.map((c) => compileCondition(c, deadlines));
    return (ctx) => {
      for (const part of parts) if (part(ctx)) return true;
      return false;
    };
  }
  if ("not" in condition) {
    const inner = compileCondition(condition.not, deadlines);
    return (ctx) => !inner(ctx);
  }
  const operator = resolveOperator(condition.operator);
  if (!operator) throw new Error(`unknown operator ${condition.operator}`); // the loader refuses these
  const evaluate = operator.evaluate;
  const left = compileFactRead(condition);
  if (
    condition.fact === "elapsed" &&
    typeof condition.value === "string" &&
    operator.decorators.length === 0
  ) {
    const limitMs = parseDuration(condition.value);
    if (limitMs !== undefined) deadlines.push({ read: left, limitMs, guards: [] });
  }
  if (isFactReference(condition.value)) {
    const right = compileFactRead(condition.value);
    return (ctx) => evaluate(left(ctx), right(ctx));
  }
  const value = condition.value;
  return (ctx) => evaluate(left(ctx), value);
}

/**
 * Explain mode: the same fact reads and operators as `compileCondition`, but every child of a group
 * is evaluated (no short-circuit) and each node records what it read. Costs nothing until asked.
 */
function compileExplanation(condition: Condition, written: Condition | undefined): Explain {
  if ("all" in condition) {
    const parts = condition.all.map((c, i) => compileExplanation(c, writtenChild(written, "all", i)));
    return (ctx) => {
      const all = parts.map((part) => part(ctx));
      return { all, result: all.every((n) => n.result) };
    };
  }
  if ("any" in condition) {
    const parts = condition.any.map((c, i) => compileExplanation(c, writtenChild(written, "any", i)));
    return (ctx) => {
      const any = parts.map((part) => part(ctx));
      return { any, result: any.some((n) => n.result) };
    };
  }
  if ("not" in condition) {
    const inner = compileExplanation(condition.not, written && "not" in written ? written.not : undefined);
    return (ctx) => {
      const not = inner(ctx);
      return { not, result: !not.result };
    };
  }
  const operator = resolveOperator(condition.operator);
  if (!operator) throw new Error(`unknown operator ${condition.operator}`); // the loader refuses these
  const evaluate = operator.evaluate;
  const left = compileFactRead(condition);
  const literal = condition.value;
  const right: Read = isFactReference(literal) ? compileFactRead(literal) : () => literal;
  return (ctx) => {
    const actual = left(ctx);
    const expected = right(ctx);
    return explainedLeaf(condition, written, actual, expected, evaluate(actual, expected));
  };
}

type Explain = (ctx: EvalContext) => Explanation;

export function compileRule(rule: LoadedRule): CompiledRule {
  const deadlines: DeadlineProbe[] = [];
  const test = compileCondition(rule.when, deadlines);
  let explain: Explain | undefined;
  return {
    rule,
    test,
    evidence: rule.evidence.map((spec) => ({ key: spec.key, read: compileFactRead(spec) })),
    deadlines,
    explain: (ctx) => {
      explain ??= compileExplanation(rule.when, rule.whenAsWritten);
      return explain(ctx);
    },
  };
}

/** Earliest moment after which a still-pending deadline of this rule passes, if any. */
export function nextDeadline(compiled: CompiledRule, ctx: EvalContext): number | undefined {
  let next: number | undefined;
  for (const probe of compiled.deadlines) {
    const elapsed = probe.read(ctx);
    if (!(elapsed instanceof Elapsed) || !elapsed.pending || elapsed.ms > probe.limitMs) continue;
    if (!probe.guards.every((guard) => guard(ctx))) continue;
    // "within N" includes N: the outcome changes at the first instant after from + N
    const at = elapsed.fromMs + probe.limitMs + 1;
    if (next === undefined || at < next) next = at;
  }
  return next;
}
