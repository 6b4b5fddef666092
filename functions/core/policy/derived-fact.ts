/**
 * What a derived fact is, and what facts share to compute theirs. Each record type's facts live
 * in its module (schemas/records/<type>.ts), typed by its data; the facts for every type and the
 * registry of them all are policy/facts.ts's. This module imports no record type, so a record
 * type's module may import it without a cycle.
 */
import Big from "big.js";
import * as z from "../../../schemas/zod.ts";
import type { CodeKind } from "../code-names.ts";
import { compareExact, type Exact, toExact, UNLIMITED } from "../decimal.ts";
import { lookupByRole } from "../roles.ts";
import { toIso, toMillis } from "../time.ts";
import { PATH_HINT, parsePath } from "./path.ts";

/** What a fact computes from: a record's data (validated by its record type's schema) and the evaluation time. */
export interface RecordFactInput<Data> {
  readonly data: Data;
  readonly now: string;
  readonly nowMs: number;
  /** Value of another derived fact (memoised by the caller where it can). */
  fact(name: string, params: unknown): unknown;
}

/** A derived fact of one record type, reading its data by field. */
export interface RecordFact<Data> {
  readonly name: string;
  readonly description: string;
  /**
   * Schema of `params`; a fact without one takes none. Built when first used (`z.lazy`): params
   * are checked when a policy is loaded or documented, never while evaluating.
   */
  readonly params?: z.ZodMiniType;
  /** The kind of code its value (or each item of it) is, so messages show names (code-names.ts). */
  readonly codes?: CodeKind;
  /** The kind of code each param holds (a parameter given there is shown by name too). */
  readonly paramCodes?: Readonly<Record<string, CodeKind>>;
  compute(input: RecordFactInput<Data>, params: unknown): unknown;
}

/** CATALOGUE: missing, `null`, `""` and only whitespace all mean "not there"; so do empty lists. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

export const ZERO = new Big(0);
export const ONE = new Big(1);
/** A text field, trimmed; "" when it is not text. */
export const asText = (v: unknown): string => (typeof v === "string" ? v.trim() : "");
/** A list field; [] when it is not a list. */
// biome-ignore lint/suspicious/noExplicitAny: entries come from schema-validated arrays
export const asList = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** The schema `build` makes, built on the first call and the same one after. */
function once<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}

// The params' parts (built with the params that use them, see RecordFact.params):
/** A param naming a data path, e.g. `$.receivedAt`. */
export const dataPath = once(() =>
  z.string().check(z.refine((p: string) => parsePath(p) !== undefined, PATH_HINT)),
);
export const roleList = once(() => z.array(z.string().check(z.minLength(1))).check(z.minLength(1)));
export const authorityTable = once(() =>
  z.withMeta(z.record(z.string(), z.union([z.literal(UNLIMITED), z.number().check(z.gte(0))])), {
    description: 'role → limit (a number, or "unlimited"); roles not listed have no authority',
  }),
);

/** Latest of the earliest moments at which each wanted key was reached; undefined until all were. */
export function completedAt(
  entries: readonly { key: string; at: unknown }[],
  wanted: readonly string[],
): string | undefined {
  let latest: number | undefined;
  for (const key of wanted) {
    let earliest: number | undefined;
    for (const e of entries) {
      const ms = toMillis(e.at);
      if (ms !== undefined && e.key === key && (earliest === undefined || ms < earliest)) earliest = ms;
    }
    if (earliest === undefined) return undefined;
    if (latest === undefined || earliest > latest) latest = earliest;
  }
  return latest === undefined ? undefined : toIso(latest);
}

/** The highest limit the `table` gives any of `roles` (a role not listed has none). */
export function highestAuthority(
  roles: readonly string[],
  table: Record<string, number | string>,
): Exact | undefined {
  let best: Exact | undefined;
  for (const role of roles) {
    const limit = toExact(lookupByRole(table, role) ?? 0);
    if (limit !== undefined && (best === undefined || (compareExact(limit, best) ?? 0) > 0)) best = limit;
  }
  return best;
}
