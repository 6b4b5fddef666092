/**
 * The field kinds every record type's data is made of (CONTRACT §1): text, lists, money, counts,
 * people, roles, timestamps, optional fields. The record types (schemas/records/) build their
 * data schemas from these, so a bound or a convention is written once.
 *
 * Conventions enforced here:
 * - every object is strict: an unknown field is an error, so typos never pass silently;
 * - an optional field may be absent or `null` (same meaning); parsing drops `null` so the rest of
 *   the code only ever sees "absent";
 * - timestamps accept `Z` or an offset and are normalised to UTC (`toISOString()`).
 */
import { dateTime } from "./time.ts";
import * as z from "./zod.ts";

/**
 * What each transform of these schemas outputs. zod cannot see through a transform, so the
 * answers' JSON Schema (their output form, in the OpenAPI document) reads it from here; a
 * transform reached from an answer and missing here fails generation. Each output is built when a
 * document asks for it: no function serving requests needs it.
 */
export const transformOutputs = new WeakMap<z.core.$ZodType, () => z.core.$ZodType>();

/** ISO 8601 timestamp with `Z` or an offset (seconds optional), normalised to UTC (CONTRACT §8). */
transformOutputs.set(dateTime._zod.def.out, () => z.iso.datetime({ precision: 3 }));
export const timestamp = dateTime;

/** Optional field: absent and `null` mean the same; `null` is dropped while parsing. */
export function optional<T extends z.ZodMiniType>(schema: T) {
  const dropNull = z.pipe(
    z.optional(z.nullable(schema)),
    z.transform((v: z.output<T> | null | undefined) => (v === null ? undefined : v)),
  );
  // absence is the business of the enclosing optional
  transformOutputs.set(dropNull._zod.def.out, () => schema);
  return z.optional(dropNull);
}

/**
 * Bounds (CONTRACT §1): everything a record may carry must also fit what we store and derive from
 * it — a DynamoDB item (400 KB, numbers of at most 38 digits between 10^-130 and 10^126, and the
 * SDK's safe-integer range) and a readable message. So money has at most 4 decimal places and a
 * magnitude below 10^15, counts are integers up to 10^9, strings at most 1,000 characters
 * (`content` 10,000) and arrays at most 1,000 items. Anything else is a 400 naming the field.
 */
export const LIMITS = {
  moneyMagnitude: 1e15,
  moneyDecimals: 4,
  count: 1e9,
  text: 1000,
  content: 10_000,
  items: 1000,
} as const;

/** Text of at most `max` characters (UTF-16 code units, as JSON counts them). */
export const text = (max: number = LIMITS.text) =>
  z.string().check(z.maxLength(max, `must be at most ${max} characters`));
/** A list of at most 1,000 items. */
export const list = <T extends z.ZodMiniType>(item: T) =>
  z.array(item).check(z.maxLength(LIMITS.items, `must have at most ${LIMITS.items} items`));

/**
 * Decimal places of a number as JSON wrote it: JavaScript prints the shortest form that reads back
 * to the same double, so "12.5" → 1, "0.0001" → 4, "1e-7" → 7 (and a 40-digit integer is beyond
 * the magnitude bound anyway).
 */
function decimalPlaces(n: number): number {
  const [mantissa = "", exponent] = String(Math.abs(n)).split("e");
  const fraction = mantissa.split(".")[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

/** Money: finite, at most 4 decimal places, magnitude below 10^15; `min: 0` for prices and amounts. */
export const moneyOf = (opts: { min?: number; positive?: boolean } = {}) => {
  let n = z
    .number()
    .check(z.refine(Number.isFinite, "must be a finite number"))
    .check(z.refine((v: number) => Math.abs(v) < LIMITS.moneyMagnitude, "must be below 10^15 in magnitude"))
    .check(
      z.refine(
        (v: number) => decimalPlaces(v) <= LIMITS.moneyDecimals,
        `must have at most ${LIMITS.moneyDecimals} decimal places`,
      ),
    );
  if (opts.positive) n = n.check(z.refine((v: number) => v > 0, "must be greater than 0"));
  else if (opts.min !== undefined)
    n = n.check(z.refine((v: number) => v >= (opts.min as number), "must be ≥ 0"));
  return z.withMeta(n, {
    description: `money: at most ${LIMITS.moneyDecimals} decimal places, magnitude below 10^15${
      opts.positive ? ", > 0" : opts.min !== undefined ? ", ≥ 0" : ""
    }`,
  });
};
/** Counts: integers from `min` to 10^9. */
export const count = (min = 0) =>
  z.withMeta(
    z
      .number()
      .check(z.int("must be an integer"))
      .check(z.gte(min, `must be at least ${min}`))
      .check(z.lte(LIMITS.count, "must be at most 10^9")),
    { description: `integer from ${min} to 10^9` },
  );

/** A currency code. */
export const currency = () => text().check(z.regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as CNY"));

export const person = z.withMeta(text(), {
  description: "person id from the org directory (policies/org.yaml)",
});
export const role = z.withMeta(text(), {
  description: "role name, e.g. finance, sales-manager, general-manager",
});
export const decision = z.enum(["approved", "rejected"]);
/** An approval by a role: who, in which role, when. */
export const roleApproval = z.strictObject({ role, approver: person, at: timestamp });
