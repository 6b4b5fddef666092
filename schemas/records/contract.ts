/**
 * Contracts (CONTRACT §1): the data schema, the derived facts policies may use on them, and their
 * random generator (tests and bench).
 */
import {
  asList,
  asText,
  completedAt,
  dataPath,
  type RecordFact,
} from "../../functions/core/policy/derived-fact.ts";
import { parsePath, resolvePath } from "../../functions/core/policy/path.ts";
import { isAtLeast } from "../../functions/core/roles.ts";
import { parseDuration, toMillis } from "../../functions/core/time.ts";
import {
  count,
  currency,
  decision,
  list,
  moneyOf,
  optional,
  person,
  roleApproval,
  text,
  timestamp,
} from "../record-fields.ts";
import * as z from "../zod.ts";
import { ANY_ROLE, BLANK, cny, DAY, HOUR, type RecordGenerator } from "./random.ts";
import { recordType } from "./record-type.ts";

/** The clauses every contract must have (the catalogue's; default liability has a rule of its own). */
export const MANDATORY_CLAUSES = [
  "rights-obligations",
  "product-spec",
  "quantity",
  "price",
  "delivery-date",
  "payment-terms",
] as const;
export const CLAUSES = [...MANDATORY_CLAUSES, "default-liability", "guarantee"] as const;

/** The data of a contract record (built on first use: schemas/records/record-type.ts). */
export const contractData = () =>
  z.strictObject({
    department: text(),
    customer: z.strictObject({ id: text(), name: text(), creditRating: z.enum(["A", "B", "C", "D"]) }),
    amount: moneyOf({ min: 0 }),
    currency: currency(),
    clauses: list(z.enum(CLAUSES)),
    paymentTermDays: count(),
    legalReview: optional(z.strictObject({ reviewer: person, decision, at: timestamp })),
    signedAt: optional(timestamp),
    archivedAt: optional(timestamp),
    copiesSentTo: list(z.strictObject({ department: text(), at: timestamp })),
    changes: list(
      z.strictObject({
        kind: z.enum(["amendment", "termination"]),
        at: timestamp,
        approvals: list(roleApproval),
      }),
    ),
  });

type Contract = z.output<ReturnType<typeof contractData>>;

const facts: readonly RecordFact<Contract>[] = [
  {
    name: "missingClauses",
    description: "Clauses of `required` that the contract's `clauses` lack, in the order given.",
    params: z.lazy(() => z.strictObject({ required: z.array(z.string()).check(z.minLength(1)) })),
    codes: "clause",
    paramCodes: { required: "clause" },
    compute({ data }, params) {
      const have = new Set(asList(data.clauses));
      return (params as { required: string[] }).required.filter((c) => !have.has(c));
    },
  },
  {
    name: "copiesCompletedAt",
    description:
      "When every department of `departments` had received a copy (the latest of their earliest copies); absent until all have.",
    params: z.lazy(() => z.strictObject({ departments: z.array(z.string()).check(z.minLength(1)) })),
    paramCodes: { departments: "department" },
    compute({ data }, params) {
      const entries = asList(data.copiesSentTo).map((c) => ({ key: asText(c.department), at: c.at }));
      return completedAt(entries, (params as { departments: string[] }).departments);
    },
  },
  {
    name: "copiesNotSentWithin",
    description:
      "Departments of `departments` that had no copy by `within` after `from` (e.g. $.signedAt), in the order given; empty while `from` is missing. For messages: which copies are late.",
    params: z.lazy(() =>
      z.strictObject({
        departments: z.array(z.string()).check(z.minLength(1)),
        from: dataPath(),
        within: z
          .string()
          .check(z.refine((s: string) => parseDuration(s) !== undefined, "must be an ISO 8601 duration")),
      }),
    ),
    codes: "department",
    paramCodes: { departments: "department" },
    compute({ data }, params) {
      const p = params as { departments: string[]; from: string; within: string };
      const fromMs = toMillis(resolvePath(data, parsePath(p.from) ?? []));
      if (fromMs === undefined) return [];
      const deadline = fromMs + (parseDuration(p.within) ?? 0);
      const served = new Set(
        asList(data.copiesSentTo)
          .filter((c) => (toMillis(c.at) ?? Number.POSITIVE_INFINITY) <= deadline)
          .map((c) => asText(c.department)),
      );
      return p.departments.filter((d) => !served.has(d));
    },
  },
  {
    name: "unapprovedChanges",
    description:
      "Changes (amendments, terminations) with no approval by `minimumRole` or higher dated at or before the change.",
    params: z.lazy(() => z.strictObject({ minimumRole: z.string() })),
    codes: "changeKind", // each item is "<kind> <at>"
    paramCodes: { minimumRole: "role" },
    compute({ data }, params) {
      const { minimumRole } = params as { minimumRole: string };
      return asList(data.changes)
        .filter((change) => {
          const at = toMillis(change.at) ?? Number.NEGATIVE_INFINITY;
          return !asList(change.approvals).some(
            (a) =>
              isAtLeast(asText(a.role), minimumRole) && (toMillis(a.at) ?? Number.POSITIVE_INFINITY) <= at,
          );
        })
        .map((change) => `${change.kind} ${change.at}`);
    },
  },
];

/** Contracts: their data schema and derived facts. */
export const contract = recordType("contract", contractData, facts);

type ContractInput = z.input<ReturnType<typeof contractData>>;
const SENIOR = ["sales-manager", "marketing-director", "general-manager", "management"];

/** Random contracts: clauses, legal review, archiving, copies and changes, faults breaking them. */
export const randomContract: RecordGenerator<ContractInput> = {
  source: "contracts",
  share: 15,
  faults: ["clause", "liability", "legal", "credit", "archive", "copies", "change"],
  data(g, { start, past }, f) {
    const rating = f.has("credit") ? g.pick(["C", "D"] as const) : g.weighted({ A: 35, B: 35, C: 20, D: 10 });
    const terms = f.has("credit") ? g.pick([45, 60, 90]) : g.pick([0, 15, 30, 30, 45, 60, 90]);
    const risky = (rating === "C" || rating === "D") && terms > 30;
    const drop = new Set<string>(
      f.has("clause") ? [g.pick(MANDATORY_CLAUSES), g.pick(MANDATORY_CLAUSES)] : [],
    );
    if (f.has("liability")) drop.add("default-liability");
    const clauses: ContractInput["clauses"] = [...MANDATORY_CLAUSES, "default-liability" as const].filter(
      (c) => !drop.has(c),
    );
    if ((risky && !f.has("credit")) || g.chance(0.2)) clauses.push("guarantee");

    // faults that need a signature get one; otherwise 20 % are still drafts
    const needsSigning = ["legal", "archive", "copies", "change"].some((k) => f.has(k));
    const signed = needsSigning || g.chance(0.8) ? past(start + g.minutes(60, 2 * 24 * 60)) : undefined;
    let review: ContractInput["legalReview"] =
      signed === undefined && g.chance(0.5)
        ? undefined
        : {
            reviewer: g.odd("legal.xu", ...BLANK),
            decision: "approved",
            at: g.iso((signed ?? start) - g.minutes(0, 5 * 24 * 60)),
          };
    if (f.has("legal") && signed !== undefined) {
      review = g.pick([
        undefined,
        { reviewer: "legal.xu", decision: "rejected", at: g.iso(signed - HOUR) },
        { reviewer: "legal.xu", decision: "approved", at: g.iso(signed + g.minutes(1, 600)) }, // after signing
      ] as const);
    }
    const copiesSentTo: ContractInput["copiesSentTo"] = [];
    const changes: ContractInput["changes"] = [];
    let archived: number | undefined;
    if (signed !== undefined) {
      // deadlines met, 10 % exactly on the limit; an event not yet due is simply absent (pending)
      archived = signed + (g.chance(0.1) ? 7 * DAY : g.minutes(10, 7 * 24 * 60));
      if (f.has("archive"))
        archived = g.chance(0.5) ? signed + 7 * DAY + g.minutes(1, 5 * 24 * 60) : undefined;
      const faulted = f.has("copies") ? g.pick(["finance", "production"]) : undefined;
      for (const department of ["finance", "production", ...(g.chance(0.3) ? ["sales"] : [])]) {
        const at =
          department !== faulted
            ? signed + (g.chance(0.1) ? 3 * DAY : g.minutes(0, 3 * 24 * 60))
            : g.chance(0.5)
              ? undefined
              : signed + 3 * DAY + g.minutes(1, 3 * 24 * 60);
        if (at !== undefined && past(at) !== undefined)
          copiesSentTo.push({ department: g.odd(department, "legal"), at: g.iso(at) });
      }
      if (f.has("change") || g.chance(0.2)) {
        const at = past(signed + g.minutes(60, 30 * 24 * 60)) ?? signed;
        const variant = f.has("change") ? g.int(1, 2) : 0;
        const role = variant === 1 ? g.pick(["salesperson", "legal", "finance"]) : g.pick(SENIOR); // 1: too junior
        const approvalAt = variant === 2 ? at + g.minutes(1, 600) : at - g.minutes(0, 2 * 24 * 60); // 2: too late
        const approvals = [{ role: g.odd(role, ...ANY_ROLE), approver: "md.li", at: g.iso(approvalAt) }];
        changes.push({ kind: g.pick(["amendment", "termination"] as const), at: g.iso(at), approvals });
      }
    }
    const archivedAt = archived === undefined ? undefined : past(archived);
    return {
      department: g.pick(["sales", "marketing"]),
      customer: { id: `C-${g.int(1, 500)}`, name: "客戶", creditRating: rating },
      amount: cny(g.int(1_000, 5_000_000) * 100),
      currency: "CNY",
      clauses: g.odd(clauses, [], [...CLAUSES]),
      // a day either side of the 30 days a risky customer may be given
      paymentTermDays: g.odd(terms, 29, 30, 31),
      legalReview: review,
      signedAt: signed === undefined ? undefined : g.iso(signed),
      // archived with no signature at all
      archivedAt: g.odd(
        archivedAt === undefined ? undefined : g.iso(archivedAt),
        new Date(start + DAY).toISOString(),
      ),
      copiesSentTo,
      changes,
    };
  },
};
