/**
 * The facts a policy's `when` may use. `data`, `record` and `now` always exist (CONTRACT §4);
 * the derived facts below compute what plain paths cannot: exact money arithmetic, time elapsed
 * against a deadline, approval-chain order, authority tables.
 *
 * Every fact is a pure function of the record, the evaluation time and its params, shared
 * verbatim by the compiled evaluator and the json-rules-engine reference, so both agree by
 * construction on what a fact is; the differential test checks the rest.
 */
import Big from "big.js";
import * as z from "zod";
import type { RecordEnvelope, RecordType } from "../../../schemas/record.ts";
import type { CodeKind } from "../code-names.ts";
import { compareExact, type Exact, Ratio, sum, toBig, toExact, UNLIMITED } from "../decimal.ts";
import { canonicalRole, isAtLeast, lookupByRole, sameRole } from "../roles.ts";
import { formatDuration, parseDuration, toIso, toMillis } from "../time.ts";
import { PATH_HINT, parsePath, resolvePath } from "./path.ts";

/** What a fact sees: the record, its data and the evaluation time. */
export interface FactInput {
  readonly record: RecordEnvelope;
  // biome-ignore lint/suspicious/noExplicitAny: data is validated by the record schema; facts read it by field
  readonly data: any;
  readonly now: string;
  readonly nowMs: number;
  /** Value of another derived fact (memoised by the caller where it can). */
  fact(name: string, params: unknown): unknown;
}

export interface DerivedFact {
  readonly name: string;
  readonly description: string;
  /** Record types whose policies may use it; `undefined` = every type. */
  readonly appliesTo?: readonly RecordType[];
  /** Schema of `params`; a fact without one takes none. */
  readonly params?: z.ZodType;
  /** The kind of code its value (or each item of it) is, so messages show names (code-names.ts). */
  readonly codes?: CodeKind;
  /** The kind of code each param holds (a parameter given there is shown by name too). */
  readonly paramCodes?: Readonly<Record<string, CodeKind>>;
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

/** CATALOGUE: missing, `null`, `""` and only whitespace all mean "not there"; so do empty lists. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

const ZERO = new Big(0);
const ONE = new Big(1);
const text = (v: unknown): string => (typeof v === "string" ? v.trim() : "");
// biome-ignore lint/suspicious/noExplicitAny: entries come from schema-validated arrays
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

const dataPath = z.string().refine((p) => parsePath(p) !== undefined, PATH_HINT);
const roleList = z.array(z.string().min(1)).min(1);
const authorityTable = z
  .record(z.string(), z.union([z.literal(UNLIMITED), z.number().min(0)]))
  .meta({ description: 'role → limit (a number, or "unlimited"); roles not listed have no authority' });
const factRef = z.strictObject({ fact: z.string(), params: z.unknown().optional() });

/** Latest of the earliest moments at which each wanted key was reached; undefined until all were. */
function completedAt(
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

function highestAuthority(
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

const elapsedParams = z.strictObject({
  from: dataPath.meta({ description: "data path of the moment the clock starts, e.g. $.receivedAt" }),
  to: z.union([dataPath, z.array(dataPath).min(1), factRef]).meta({
    description:
      "the awaited moment: a data path, a list of paths (all of them must have happened), or a derived fact giving a timestamp",
  }),
});

export const DERIVED_FACTS: readonly DerivedFact[] = [
  {
    name: "elapsed",
    description:
      "Time from `from` to `to`; while `to` has not happened, time from `from` to now (so a deadline passes with no new record). Compare with longerThan / notLongerThan.",
    params: elapsedParams,
    compute({ data, nowMs, fact }, params) {
      const p = params as z.infer<typeof elapsedParams>;
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
  },
  {
    name: "approvedSteps",
    appliesTo: ["expense"],
    description: "Steps of `approvals` whose decision is approved, e.g. [department-review, finance-review].",
    codes: "approvalStep",
    compute: ({ data }) =>
      list(data.approvals)
        .filter((a) => a.decision === "approved")
        .map((a) => a.step),
  },
  {
    name: "approvalChainInOrder",
    appliesTo: ["expense"],
    description:
      "True when every step of `steps` has an approved entry and they can be taken in that time order (equal times allowed).",
    params: z.strictObject({ steps: z.array(z.string()).min(1) }),
    compute({ data }, params) {
      const { steps } = params as { steps: string[] };
      let previous = Number.NEGATIVE_INFINITY;
      for (const step of steps) {
        let earliest: number | undefined;
        for (const a of list(data.approvals)) {
          const ms = toMillis(a.at);
          if (a.step !== step || a.decision !== "approved" || ms === undefined || ms < previous) continue;
          if (earliest === undefined || ms < earliest) earliest = ms;
        }
        if (earliest === undefined) return false;
        previous = earliest;
      }
      return true;
    },
  },
  {
    name: "approverAuthority",
    appliesTo: ["expense"],
    description:
      "Highest authority, from the `authority` table, among approvers of approved `step` entries; absent when there is no such entry.",
    params: z.strictObject({ step: z.string(), authority: authorityTable }),
    paramCodes: { step: "approvalStep" },
    compute({ data }, params) {
      const { step, authority } = params as { step: string; authority: Record<string, number | string> };
      const roles = list(data.approvals)
        .filter((a) => a.step === step && a.decision === "approved")
        .map((a) => text(a.role));
      return highestAuthority(roles, authority);
    },
  },
  {
    name: "approvers",
    appliesTo: ["expense"],
    description: "Every approver named in `approvals`, whatever the decision.",
    compute: ({ data }) =>
      list(data.approvals)
        .map((a) => text(a.approver))
        .filter((a) => a !== ""),
  },
  {
    name: "budgetAdjustmentShare",
    appliesTo: ["expense"],
    description: "budgetAdjustment.amount / budgetAdjustment.lineTotal, exact; absent without an adjustment.",
    compute({ data }) {
      const adj = data.budgetAdjustment;
      if (!adj) return undefined;
      return new Ratio(toBig(adj.amount) ?? ZERO, toBig(adj.lineTotal) ?? ZERO);
    },
  },
  {
    name: "budgetAdjustmentApproverRoles",
    appliesTo: ["expense"],
    description: "Roles that approved the budget adjustment.",
    codes: "role",
    compute: ({ data }) => list(data.budgetAdjustment?.approvals).map((a) => text(a.role)),
  },
  {
    name: "discount",
    appliesTo: ["quote"],
    description:
      "Overall discount 1 − Σ(unitPrice·quantity) / Σ(listPrice·quantity), exact; 0 when the list total is 0.",
    compute({ data }) {
      const items = list(data.items);
      const listTotal = sum(items.map((i) => (toBig(i.listPrice) ?? ZERO).times(toBig(i.quantity) ?? 0)));
      const quoted = sum(items.map((i) => (toBig(i.unitPrice) ?? ZERO).times(toBig(i.quantity) ?? 0)));
      if (listTotal.eq(0)) return new Ratio(ZERO, ONE);
      return new Ratio(listTotal.minus(quoted), listTotal);
    },
  },
  {
    name: "approvalAuthorityAtSend",
    appliesTo: ["quote"],
    description:
      "Highest authority, from the `authority` table, among `approvals` dated at or before sentAt, never below the `baseline` role's; absent until sent.",
    params: z.strictObject({ authority: authorityTable, baseline: z.string() }),
    compute({ data }, params) {
      const { authority, baseline } = params as {
        authority: Record<string, number | string>;
        baseline: string;
      };
      const sent = toMillis(data.sentAt);
      if (sent === undefined) return undefined;
      const roles = list(data.approvals)
        .filter((a) => (toMillis(a.at) ?? Number.POSITIVE_INFINITY) <= sent)
        .map((a) => text(a.role));
      return highestAuthority([baseline, ...roles], authority);
    },
  },
  {
    name: "approvedReviewRolesAtSend",
    appliesTo: ["quote"],
    description: "Roles of approved `reviews` dated at or before sentAt (empty until sent).",
    codes: "role",
    compute({ data }) {
      const sent = toMillis(data.sentAt);
      if (sent === undefined) return [];
      return list(data.reviews)
        .filter((r) => r.decision === "approved" && (toMillis(r.at) ?? Number.POSITIVE_INFINITY) <= sent)
        .map((r) => text(r.role));
    },
  },
  {
    name: "missingClauses",
    appliesTo: ["contract"],
    description: "Clauses of `required` that the contract's `clauses` lack, in the order given.",
    params: z.strictObject({ required: z.array(z.string()).min(1) }),
    codes: "clause",
    paramCodes: { required: "clause" },
    compute({ data }, params) {
      const have = new Set(list(data.clauses));
      return (params as { required: string[] }).required.filter((c) => !have.has(c));
    },
  },
  {
    name: "copiesCompletedAt",
    appliesTo: ["contract"],
    description:
      "When every department of `departments` had received a copy (the latest of their earliest copies); absent until all have.",
    params: z.strictObject({ departments: z.array(z.string()).min(1) }),
    paramCodes: { departments: "department" },
    compute({ data }, params) {
      const entries = list(data.copiesSentTo).map((c) => ({ key: text(c.department), at: c.at }));
      return completedAt(entries, (params as { departments: string[] }).departments);
    },
  },
  {
    name: "copiesNotSentWithin",
    appliesTo: ["contract"],
    description:
      "Departments of `departments` that had no copy by `within` after `from` (e.g. $.signedAt), in the order given; empty while `from` is missing. For messages: which copies are late.",
    params: z.strictObject({
      departments: z.array(z.string()).min(1),
      from: dataPath,
      within: z.string().refine((s) => parseDuration(s) !== undefined, "must be an ISO 8601 duration"),
    }),
    codes: "department",
    paramCodes: { departments: "department" },
    compute({ data }, params) {
      const p = params as { departments: string[]; from: string; within: string };
      const fromMs = toMillis(resolvePath(data, parsePath(p.from) ?? []));
      if (fromMs === undefined) return [];
      const deadline = fromMs + (parseDuration(p.within) ?? 0);
      const served = new Set(
        list(data.copiesSentTo)
          .filter((c) => (toMillis(c.at) ?? Number.POSITIVE_INFINITY) <= deadline)
          .map((c) => text(c.department)),
      );
      return p.departments.filter((d) => !served.has(d));
    },
  },
  {
    name: "unapprovedChanges",
    appliesTo: ["contract"],
    description:
      "Changes (amendments, terminations) with no approval by `minimumRole` or higher dated at or before the change.",
    params: z.strictObject({ minimumRole: z.string() }),
    codes: "changeKind", // each item is "<kind> <at>"
    paramCodes: { minimumRole: "role" },
    compute({ data }, params) {
      const { minimumRole } = params as { minimumRole: string };
      return list(data.changes)
        .filter((change) => {
          const at = toMillis(change.at) ?? Number.NEGATIVE_INFINITY;
          return !list(change.approvals).some(
            (a) => isAtLeast(text(a.role), minimumRole) && (toMillis(a.at) ?? Number.POSITIVE_INFINITY) <= at,
          );
        })
        .map((change) => `${change.kind} ${change.at}`);
    },
  },
  {
    name: "escalatedToAllAt",
    appliesTo: ["complaint"],
    description:
      "When the complaint had been escalated to every role of `roles` (the latest of their earliest escalations); absent until it has.",
    params: z.strictObject({ roles: roleList }),
    paramCodes: { roles: "role" },
    compute({ data }, params) {
      const entries = list(data.escalations).map((e) => ({ key: canonicalRole(text(e.to)), at: e.at }));
      return completedAt(entries, (params as { roles: string[] }).roles.map(canonicalRole));
    },
  },
  {
    name: "authorizationCoversAccess",
    appliesTo: ["access"],
    description:
      "True when `authorization` includes the resource kind and the action, and expires strictly after the access time.",
    compute({ data }) {
      const auth = data.authorization;
      if (!auth) return false;
      const at = toMillis(data.at);
      const expires = toMillis(auth.expiresAt);
      return (
        list(auth.kinds).includes(data.resource?.kind) &&
        list(auth.actions).includes(data.action) &&
        at !== undefined &&
        expires !== undefined &&
        expires > at
      );
    },
  },
  {
    name: "companyDisclosureApprovalAt",
    appliesTo: ["access"],
    description:
      "Time of `disclosureApproval` when it is a company approval (role general-manager or management); absent otherwise.",
    compute({ data }) {
      const approval = data.disclosureApproval;
      if (!approval || !sameRole(text(approval.role), "management")) return undefined;
      return isPresent(approval.at) ? approval.at : undefined;
    },
  },
  {
    name: "valueIf",
    description:
      "`value` when the data at `path` is one of `in`, else `otherwise`. For messages: the limit that applied, e.g. a severe category's deadline.",
    params: z.strictObject({
      path: dataPath,
      in: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
      value: z.unknown(),
      otherwise: z.unknown(),
    }),
    compute({ data }, params) {
      const p = params as { path: string; in: unknown[]; value: unknown; otherwise: unknown };
      const actual = resolvePath(data, parsePath(p.path) ?? []);
      return p.in.includes(actual as never) ? p.value : p.otherwise;
    },
  },
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
