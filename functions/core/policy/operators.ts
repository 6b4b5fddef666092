/**
 * Operators a condition may use: json-rules-engine's built-in ones (re-implemented here with the
 * same semantics for the compiled evaluator; the reference engine uses its own), its decorators
 * (`not:equal`, `someFact:in` …), and ours for exact money, time and roles.
 *
 * Each operator declares the `value` it accepts so a policy with a wrong value type fails to load
 * instead of silently never firing.
 */
import * as z from "../../../schemas/zod.ts";
import { compareExact } from "../decimal.ts";
import { canonicalRole } from "../roles.ts";
import { DURATION_HINT, parseDuration, toMillis } from "../time.ts";
import { Elapsed, isPresent } from "./facts.ts";

/** A language of the words people read (policy messages and rule words are in both). */
export type Lang = "zh" | "en";

/**
 * How a condition with this operator reads: the words after the fact, given the value already in
 * words (`value`) and as written (`raw`), e.g. en "is more than 5,000", zh "大於 5,000".
 */
export type OperatorWords = Readonly<Record<Lang, (value: string, raw: unknown) => string>>;

export interface OperatorSpec {
  readonly name: string;
  readonly description: string;
  /** Part of the definition, so an operator without words does not compile. */
  readonly words: OperatorWords;
  /** Schema for a literal `value` (fact references are checked separately). */
  readonly value: z.ZodMiniType;
  /** json-rules-engine's fact-value validator: when false the operator is false. */
  readonly accepts?: (factValue: unknown) => boolean;
  readonly test: (factValue: unknown, value: unknown) => boolean;
  /** Built into json-rules-engine (not registered on the reference engine). */
  readonly builtin?: boolean;
}

const anyValue = z.unknown();
const arrayValue = z.array(z.unknown());
// json-rules-engine's numberValidator, verbatim in meaning
const numeric = (v: unknown) => Number.parseFloat(v as string).toString() !== "NaN";
// built when a policy is checked (z.lazy): evaluating needs none of them
const exactValue = z.lazy(() =>
  z.union([z.number(), z.string().check(z.regex(/^-?\d+(\.\d+)?$/)), z.literal("unlimited")]),
);
const durationValue = z.lazy(() =>
  z.string().check(z.refine((s: string) => parseDuration(s) !== undefined, DURATION_HINT)),
);
const rolesValue = z.lazy(() => z.array(z.string().check(z.minLength(1))).check(z.minLength(1)));

function roleSet(v: unknown): Set<string> {
  return new Set(Array.isArray(v) ? v.filter((r) => typeof r === "string").map(canonicalRole) : []);
}

function timeCompare(a: unknown, b: unknown): number | undefined {
  const x = toMillis(a);
  const y = toMillis(b);
  return x === undefined || y === undefined ? undefined : x - y;
}

/** Words of the usual shape: a phrase, then the value. */
const phrase = (en: string, zh: string): OperatorWords => ({
  en: (value) => `${en} ${value}`,
  zh: (value) => `${zh} ${value}`,
});

const exact =
  (pass: (c: number) => boolean) =>
  (a: unknown, b: unknown): boolean => {
    const c = compareExact(a, b);
    return c !== undefined && pass(c);
  };

const COMPARISON_WORDS: Readonly<Record<"<" | "<=" | ">" | ">=", OperatorWords>> = {
  "<": phrase("is less than", "小於"),
  "<=": phrase("is at most", "不超過"),
  ">": phrase("is more than", "大於"),
  ">=": phrase("is at least", "不少於"),
};

export const OPERATORS: readonly OperatorSpec[] = [
  // json-rules-engine built-ins
  {
    name: "equal",
    builtin: true,
    description: "fact === value",
    words: phrase("is", "為"),
    value: anyValue,
    test: (a, b) => a === b,
  },
  {
    name: "notEqual",
    builtin: true,
    description: "fact !== value",
    words: phrase("is not", "不為"),
    value: anyValue,
    test: (a, b) => a !== b,
  },
  {
    name: "in",
    builtin: true,
    description: "fact is one of the values",
    words: { en: (v) => `is one of ${v}`, zh: (v) => `是 ${v} 之一` },
    value: arrayValue,
    test: (a, b) => (b as unknown[]).indexOf(a) > -1,
  },
  {
    name: "notIn",
    builtin: true,
    description: "fact is none of the values",
    words: { en: (v) => `is none of ${v}`, zh: (v) => `不是 ${v} 中任何一個` },
    value: arrayValue,
    test: (a, b) => (b as unknown[]).indexOf(a) === -1,
  },
  {
    name: "contains",
    builtin: true,
    description: "the fact (a list) contains the value",
    words: phrase("contains", "包含"),
    value: anyValue,
    accepts: Array.isArray,
    test: (a, b) => (a as unknown[]).indexOf(b) > -1,
  },
  {
    name: "doesNotContain",
    builtin: true,
    description: "the fact (a list) does not contain the value",
    words: phrase("does not contain", "不包含"),
    value: anyValue,
    accepts: Array.isArray,
    test: (a, b) => (a as unknown[]).indexOf(b) === -1,
  },
  ...(
    [
      ["lessThan", "<", (a: number, b: number) => a < b],
      ["lessThanInclusive", "<=", (a: number, b: number) => a <= b],
      ["greaterThan", ">", (a: number, b: number) => a > b],
      ["greaterThanInclusive", ">=", (a: number, b: number) => a >= b],
    ] as const
  ).map(
    ([name, sign, cmp]): OperatorSpec => ({
      name,
      builtin: true,
      description: `fact ${sign} value (JavaScript numbers; use the decimal operators for money)`,
      words: COMPARISON_WORDS[sign],
      value: anyValue,
      accepts: numeric,
      test: (a, b) => cmp(a as number, b as number),
    }),
  ),
  // ours
  {
    name: "present",
    description:
      "value true: the fact is there; false: it is missing (absent, null, blank text and empty lists count as missing)",
    words: {
      en: (_, raw) => (raw === false ? "is missing" : "is present"),
      zh: (_, raw) => (raw === false ? "缺失" : "存在"),
    },
    value: z.boolean(),
    test: (a, b) => isPresent(a) === b,
  },
  ...(
    [
      ["decimalGreaterThan", ">", (c: number) => c > 0],
      ["decimalGreaterThanInclusive", ">=", (c: number) => c >= 0],
      ["decimalLessThan", "<", (c: number) => c < 0],
      ["decimalLessThanInclusive", "<=", (c: number) => c <= 0],
    ] as const
  ).map(
    ([name, sign, pass]): OperatorSpec => ({
      name,
      description: `fact ${sign} value in exact decimal arithmetic ("unlimited" is above every number); false when either is missing`,
      words: COMPARISON_WORDS[sign],
      value: exactValue,
      test: exact(pass),
    }),
  ),
  {
    name: "timeAfter",
    description: "the fact's timestamp is strictly later than the value's; false when either is missing",
    words: phrase("is after", "晚於"),
    value: anyValue,
    test: (a, b) => (timeCompare(a, b) ?? 0) > 0,
  },
  {
    name: "timeAtOrBefore",
    description: "the fact's timestamp is at or before the value's; false when either is missing",
    words: phrase("is at or before", "不晚於"),
    value: anyValue,
    test: (a, b) => {
      const c = timeCompare(a, b);
      return c !== undefined && c <= 0;
    },
  },
  {
    name: "longerThan",
    description: 'an `elapsed` fact is strictly longer than the ISO 8601 duration (so "within N" includes N)',
    words: phrase("is longer than", "超過"),
    value: durationValue,
    test: (a, b) => a instanceof Elapsed && a.ms > (parseDuration(b as string) ?? Number.POSITIVE_INFINITY),
  },
  {
    name: "notLongerThan",
    description: "an `elapsed` fact is at most the ISO 8601 duration",
    words: phrase("is at most", "不超過"),
    value: durationValue,
    test: (a, b) => a instanceof Elapsed && a.ms <= (parseDuration(b as string) ?? Number.NEGATIVE_INFINITY),
  },
  {
    name: "includesAllRoles",
    description: "the fact (a list of roles) includes every role of the value (general-manager = management)",
    words: phrase("includes all the roles", "包含全部角色"),
    value: rolesValue,
    test: (a, b) => {
      const have = roleSet(a);
      return [...roleSet(b)].every((r) => have.has(r));
    },
  },
  {
    name: "includesAnyRole",
    description:
      "the fact (a list of roles) includes at least one role of the value (general-manager = management)",
    words: phrase("includes one of the roles", "包含其中一個角色"),
    value: rolesValue,
    test: (a, b) => {
      const have = roleSet(a);
      return [...roleSet(b)].some((r) => have.has(r));
    },
  },
];

export interface DecoratorSpec {
  readonly accepts?: (factValue: unknown) => boolean;
  readonly valueIsList?: boolean;
  readonly wrap: (next: (a: unknown, b: unknown) => boolean) => (a: unknown, b: unknown) => boolean;
  /** How a decorated condition reads, from the fact in words and the rest of the condition in words. */
  readonly words: Readonly<Record<Lang, (fact: string, rest: string) => string>>;
}

/** json-rules-engine's operator decorators, with its semantics. */
export const DECORATORS: Readonly<Record<string, DecoratorSpec>> = {
  someFact: {
    accepts: Array.isArray,
    wrap: (next) => (a, b) => (a as unknown[]).some((fv) => next(fv, b)),
    words: {
      en: (fact, rest) => `some item of ${fact} ${rest}`,
      zh: (fact, rest) => `${fact} 中有一項 ${rest}`,
    },
  },
  someValue: {
    valueIsList: true,
    wrap: (next) => (a, b) => (b as unknown[]).some((jv) => next(a, jv)),
    words: {
      en: (fact, rest) => `${fact} ${rest} (for at least one of them)`,
      zh: (fact, rest) => `${fact} ${rest}（至少其中一個）`,
    },
  },
  everyFact: {
    accepts: Array.isArray,
    wrap: (next) => (a, b) => (a as unknown[]).every((fv) => next(fv, b)),
    words: {
      en: (fact, rest) => `every item of ${fact} ${rest}`,
      zh: (fact, rest) => `${fact} 中每一項都 ${rest}`,
    },
  },
  everyValue: {
    valueIsList: true,
    wrap: (next) => (a, b) => (b as unknown[]).every((jv) => next(a, jv)),
    words: {
      en: (fact, rest) => `${fact} ${rest} (for each of them)`,
      zh: (fact, rest) => `${fact} ${rest}（其中每一個）`,
    },
  },
  swap: {
    wrap: (next) => (a, b) => next(b, a),
    words: { en: (fact, rest) => `(swapped) ${fact} ${rest}`, zh: (fact, rest) => `（對調）${fact} ${rest}` },
  },
  not: {
    wrap: (next) => (a, b) => !next(a, b),
    words: { en: (fact, rest) => `not (${fact} ${rest})`, zh: (fact, rest) => `並非（${fact} ${rest}）` },
  },
};

export const OPERATOR_BY_NAME: ReadonlyMap<string, OperatorSpec> = new Map(OPERATORS.map((o) => [o.name, o]));

export interface ResolvedOperator {
  readonly base: OperatorSpec;
  readonly decorators: readonly string[];
  /** Evaluates like json-rules-engine's Operator.evaluate: validator first, then the test. */
  readonly evaluate: (factValue: unknown, value: unknown) => boolean;
}

/** Resolves `dec1:dec2:name` the way json-rules-engine's OperatorMap does; undefined if unknown. */
export function resolveOperator(name: string): ResolvedOperator | undefined {
  const parts = name.split(":");
  const baseName = parts.pop() as string;
  const base = OPERATOR_BY_NAME.get(baseName);
  if (!base || parts.some((d) => !Object.hasOwn(DECORATORS, d))) return undefined;
  let evaluate = (a: unknown, b: unknown) => (base.accepts ? base.accepts(a) : true) && base.test(a, b);
  // json-rules-engine applies decorators from the innermost (rightmost) outwards
  for (const d of [...parts].reverse()) {
    const decorator = DECORATORS[d];
    if (!decorator) return undefined;
    const next = evaluate;
    const wrapped = decorator.wrap(next);
    const accepts = decorator.accepts;
    evaluate = accepts ? (a, b) => accepts(a) && wrapped(a, b) : wrapped;
  }
  return { base, decorators: parts, evaluate };
}
