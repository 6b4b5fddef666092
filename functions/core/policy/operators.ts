/**
 * Operators a condition may use: json-rules-engine's built-in ones (re-implemented here with the
 * same semantics for the compiled evaluator; the reference engine uses its own), its decorators
 * (`not:equal`, `someFact:in` …), and ours for exact money, time and roles.
 *
 * Each operator declares the `value` it accepts so a policy with a wrong value type fails to load
 * instead of silently never firing.
 */
import * as z from "zod";
import { compareExact } from "../decimal.ts";
import { canonicalRole } from "../roles.ts";
import { DURATION_HINT, parseDuration, toMillis } from "../time.ts";
import { Elapsed, isPresent } from "./facts.ts";

export interface OperatorSpec {
  readonly name: string;
  readonly description: string;
  /** Schema for a literal `value` (fact references are checked separately). */
  readonly value: z.ZodType;
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
const exactValue = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/), z.literal("unlimited")]);
const durationValue = z.string().refine((s) => parseDuration(s) !== undefined, DURATION_HINT);
const rolesValue = z.array(z.string().min(1)).min(1);

function roleSet(v: unknown): Set<string> {
  return new Set(Array.isArray(v) ? v.filter((r) => typeof r === "string").map(canonicalRole) : []);
}

function timeCompare(a: unknown, b: unknown): number | undefined {
  const x = toMillis(a);
  const y = toMillis(b);
  return x === undefined || y === undefined ? undefined : x - y;
}

const exact =
  (pass: (c: number) => boolean) =>
  (a: unknown, b: unknown): boolean => {
    const c = compareExact(a, b);
    return c !== undefined && pass(c);
  };

export const OPERATORS: readonly OperatorSpec[] = [
  // json-rules-engine built-ins
  { name: "equal", builtin: true, description: "fact === value", value: anyValue, test: (a, b) => a === b },
  {
    name: "notEqual",
    builtin: true,
    description: "fact !== value",
    value: anyValue,
    test: (a, b) => a !== b,
  },
  {
    name: "in",
    builtin: true,
    description: "fact is one of the values",
    value: arrayValue,
    test: (a, b) => (b as unknown[]).indexOf(a) > -1,
  },
  {
    name: "notIn",
    builtin: true,
    description: "fact is none of the values",
    value: arrayValue,
    test: (a, b) => (b as unknown[]).indexOf(a) === -1,
  },
  {
    name: "contains",
    builtin: true,
    description: "the fact (a list) contains the value",
    value: anyValue,
    accepts: Array.isArray,
    test: (a, b) => (a as unknown[]).indexOf(b) > -1,
  },
  {
    name: "doesNotContain",
    builtin: true,
    description: "the fact (a list) does not contain the value",
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
      value: exactValue,
      test: exact(pass),
    }),
  ),
  {
    name: "timeAfter",
    description: "the fact's timestamp is strictly later than the value's; false when either is missing",
    value: anyValue,
    test: (a, b) => (timeCompare(a, b) ?? 0) > 0,
  },
  {
    name: "timeAtOrBefore",
    description: "the fact's timestamp is at or before the value's; false when either is missing",
    value: anyValue,
    test: (a, b) => {
      const c = timeCompare(a, b);
      return c !== undefined && c <= 0;
    },
  },
  {
    name: "longerThan",
    description: 'an `elapsed` fact is strictly longer than the ISO 8601 duration (so "within N" includes N)',
    value: durationValue,
    test: (a, b) => a instanceof Elapsed && a.ms > (parseDuration(b as string) ?? Number.POSITIVE_INFINITY),
  },
  {
    name: "notLongerThan",
    description: "an `elapsed` fact is at most the ISO 8601 duration",
    value: durationValue,
    test: (a, b) => a instanceof Elapsed && a.ms <= (parseDuration(b as string) ?? Number.NEGATIVE_INFINITY),
  },
  {
    name: "includesAllRoles",
    description: "the fact (a list of roles) includes every role of the value (general-manager = management)",
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
    value: rolesValue,
    test: (a, b) => {
      const have = roleSet(a);
      return [...roleSet(b)].some((r) => have.has(r));
    },
  },
];

/** json-rules-engine's operator decorators, with its semantics. */
export const DECORATORS: Readonly<
  Record<
    string,
    {
      accepts?: (factValue: unknown) => boolean;
      valueIsList?: boolean;
      wrap: (next: (a: unknown, b: unknown) => boolean) => (a: unknown, b: unknown) => boolean;
    }
  >
> = {
  someFact: { accepts: Array.isArray, wrap: (next) => (a, b) => (a as unknown[]).some((fv) => next(fv, b)) },
  someValue: { valueIsList: true, wrap: (next) => (a, b) => (b as unknown[]).some((jv) => next(a, jv)) },
  everyFact: {
    accepts: Array.isArray,
    wrap: (next) => (a, b) => (a as unknown[]).every((fv) => next(fv, b)),
  },
  everyValue: { valueIsList: true, wrap: (next) => (a, b) => (b as unknown[]).every((jv) => next(a, jv)) },
  swap: { wrap: (next) => (a, b) => next(b, a) },
  not: { wrap: (next) => (a, b) => !next(a, b) },
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
