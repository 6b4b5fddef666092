/**
 * The facts a policy's `when` may use. `data`, `record` and `now` always exist (CONTRACT §4);
 * the derived facts compute what plain paths cannot: exact money arithmetic, time elapsed
 * against a deadline, approval-chain order, authority tables. Those of one record type live in
 * its module (schemas/records/<type>.ts, typed by its data); the two any type may use are here.
 *
 * Every fact is a pure function of the record, the evaluation time and its params, shared
 * verbatim by the compiled evaluator and the json-rules-engine reference, so both agree by
 * construction on what a fact is; the differential test checks the rest.
 */
import type { RecordEnvelope, RecordType } from "../../../schemas/record.ts";
import { RECORD_TYPE_MODULES } from "../../../schemas/records/index.ts";
import * as z from "../../../schemas/zod.ts";
import { formatDuration, toMillis } from "../time.ts";
import { dataPath, type RecordFact, type RecordFactInput } from "./derived-fact.ts";
import { parsePath, resolvePath } from "./path.ts";

export { isPresent } from "./derived-fact.ts";

/** What a fact sees: the record, its data and the evaluation time. */
export interface FactInput
  extends RecordFactInput<
    // biome-ignore lint/suspicious/noExplicitAny: data is validated by the record schema; facts read it by field
    any
  > {
  readonly record: RecordEnvelope;
}

/** A derived fact as policies see it: a record type's own (with `appliesTo`), or one for every type. */
export interface DerivedFact extends RecordFact<unknown> {
  /** Record types whose policies may use it; `undefined` = every type. */
  readonly appliesTo?: readonly RecordType[];
  compute(input: FactInput, params: unknown): unknown;
}

/** Time elapsed between two moments; `pending` when the awaited moment has not happened yet. */
export class Elapsed {
  readonly ms: number;
  readonly fromMs: number;
  readonly pending: boolean;
  constructor(ms: number, fromMs: number, pending: boolean) {
    this.ms = ms;
    this.fromMs = fromMs;
    this.pending = pending;
  }
  toJSON(): string {
    return formatDuration(this.ms);
  }
  toString(): string {
    return formatDuration(this.ms);
  }
}

/** A condition value (or a derived fact's param) that names another fact, as json-rules-engine reads one. */
export function isFactReference(
  v: unknown,
): v is { fact: string; path?: string; params?: Record<string, unknown> } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.hasOwn(v, "fact");
}

// Params schemas are built when a policy is checked or documented (z.lazy): evaluating needs none.
const elapsedParams = z.lazy(() =>
  z.strictObject({
    from: z.withMeta(dataPath(), {
      description: "data path of the moment the clock starts, e.g. $.receivedAt",
    }),
    to: z.withMeta(
      z.union([
        dataPath(),
        z.array(dataPath()).check(z.minLength(1)),
        z.strictObject({ fact: z.string(), params: z.optional(z.unknown()) }),
      ]),
      {
        description:
          "the awaited moment: a data path, a list of paths (all of them must have happened), or a derived fact giving a timestamp",
      },
    ),
  }),
);

const elapsed: DerivedFact = {
  name: "elapsed",
  description:
    "Time from `from` to `to`; while `to` has not happened, time from `from` to now (so a deadline passes with no new record). Compare with longerThan / notLongerThan.",
  params: elapsedParams,
  compute({ data, nowMs, fact }, params) {
    const p = params as z.output<typeof elapsedParams>;
    const fromMs = toMillis(resolvePath(data, parsePath(p.from) ?? []));
    if (fromMs === undefined) return undefined;
    const moments: unknown[] =
      typeof p.to === "string"
        ? [resolvePath(data, parsePath(p.to) ?? [])]
        : Array.isArray(p.to)
          ? p.to.map((path) => resolvePath(data, parsePath(path) ?? []))
          : [fact(p.to.fact, p.to.params)];
    const present = moments.map(toMillis);
    const pending = present.some((ms) => ms === undefined);
    // The awaited moment is at least the latest one already recorded, and, while any is still
    // missing, at least now.
    let until = pending ? nowMs : Number.NEGATIVE_INFINITY;
    for (const ms of present) if (ms !== undefined && ms > until) until = ms;
    return new Elapsed(until - fromMs, fromMs, pending);
  },
};

const valueIf: DerivedFact = {
  name: "valueIf",
  description:
    "`value` when the data at `path` is one of `in`, else `otherwise`. For messages: the limit that applied, e.g. a severe category's deadline.",
  params: z.lazy(() =>
    z.strictObject({
      path: dataPath(),
      in: z.array(z.union([z.string(), z.number(), z.boolean()])).check(z.minLength(1)),
      value: z.unknown(),
      otherwise: z.unknown(),
    }),
  ),
  compute({ data }, params) {
    const p = params as { path: string; in: unknown[]; value: unknown; otherwise: unknown };
    const actual = resolvePath(data, parsePath(p.path) ?? []);
    return p.in.includes(actual as never) ? p.value : p.otherwise;
  },
};

/** Every derived fact: `elapsed`, each record type's own (its module's, in the types' order), then `valueIf`. */
export const DERIVED_FACTS: readonly DerivedFact[] = [
  elapsed,
  ...RECORD_TYPE_MODULES.flatMap((m) =>
    m.facts.map((f: RecordFact<unknown>): DerivedFact => ({ ...f, appliesTo: [m.type] })),
  ),
  valueIf,
];

export const BASE_FACTS = {
  data: "The record's data (read fields with `path: $.field`).",
  record: "The record envelope: type, id, revision, occurredAt, source.",
  now: "The evaluation time, an ISO 8601 UTC timestamp.",
} as const;

export const DERIVED_FACT_BY_NAME: ReadonlyMap<string, DerivedFact> = new Map(
  DERIVED_FACTS.map((f) => [f.name, f]),
);

/** Computes a derived fact with no memo: the reference engine's way (json-rules-engine caches its own). */
export function computeFact(name: string, params: unknown, base: Omit<FactInput, "fact">): unknown {
  const fact = DERIVED_FACT_BY_NAME.get(name);
  if (!fact) throw new Error(`unknown fact ${name}`);
  const input: FactInput = { ...base, fact: (n, p) => computeFact(n, p, base) };
  return fact.compute(input, params ?? {});
}
