/**
 * Expense claims (CONTRACT §1): the data schema, the derived facts policies may use on them, and
 * their random generator (tests and bench).
 */
import { Ratio, toBig } from "../../functions/core/decimal.ts";
import {
  asList,
  asText,
  authorityTable,
  highestAuthority,
  type RecordFact,
  ZERO,
} from "../../functions/core/policy/derived-fact.ts";
import { toMillis } from "../../functions/core/time.ts";
import {
  count,
  currency,
  decision,
  list,
  moneyOf,
  optional,
  person,
  role,
  roleApproval,
  text,
  timestamp,
} from "../record-fields.ts";
import * as z from "../zod.ts";
import { ANY_ROLE, BLANK, cny, DEPARTMENTS, MIN, type RecordGenerator, STAFF } from "./random.ts";
import { recordType } from "./record-type.ts";

/** The data of an expense claim (built on first use: schemas/records/record-type.ts). */
export const expenseData = () => {
  const approval = z.strictObject({
    step: z.enum(["department-review", "finance-review", "leadership-approval", "budget-adjustment"]),
    approver: person,
    role,
    decision,
    at: timestamp,
  });
  return z.strictObject({
    department: text(),
    applicant: person,
    category: text(),
    amount: moneyOf({ positive: true }),
    currency: currency(),
    budget: z.strictObject({ lineId: text(), remaining: moneyOf() }),
    attachments: count(),
    status: z.enum(["draft", "submitted", "approved", "rejected", "reimbursed"]),
    submittedAt: optional(timestamp),
    approvals: list(approval),
    budgetAdjustment: optional(
      z.strictObject({
        amount: moneyOf({ min: 0 }),
        lineTotal: moneyOf({ min: 0 }),
        approvals: list(roleApproval),
      }),
    ),
  });
};

type Expense = z.output<ReturnType<typeof expenseData>>;

const facts: readonly RecordFact<Expense>[] = [
  {
    name: "approvedSteps",
    description: "Steps of `approvals` whose decision is approved, e.g. [department-review, finance-review].",
    codes: "approvalStep",
    compute: ({ data }) =>
      asList(data.approvals)
        .filter((a) => a.decision === "approved")
        .map((a) => a.step),
  },
  {
    name: "approvalChainInOrder",
    description:
      "True when every step of `steps` has an approved entry and they can be taken in that time order (equal times allowed).",
    params: z.lazy(() => z.strictObject({ steps: z.array(z.string()).check(z.minLength(1)) })),
    compute({ data }, params) {
      const { steps } = params as { steps: string[] };
      let previous = Number.NEGATIVE_INFINITY;
      for (const step of steps) {
        let earliest: number | undefined;
        for (const a of asList(data.approvals)) {
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
    description:
      "Highest authority, from the `authority` table, among approvers of approved `step` entries; absent when there is no such entry.",
    params: z.lazy(() => z.strictObject({ step: z.string(), authority: authorityTable() })),
    paramCodes: { step: "approvalStep" },
    compute({ data }, params) {
      const { step, authority } = params as { step: string; authority: Record<string, number | string> };
      const roles = asList(data.approvals)
        .filter((a) => a.step === step && a.decision === "approved")
        .map((a) => asText(a.role));
      return highestAuthority(roles, authority);
    },
  },
  {
    name: "approvers",
    description: "Every approver named in `approvals`, whatever the decision.",
    compute: ({ data }) =>
      asList(data.approvals)
        .map((a) => asText(a.approver))
        .filter((a) => a !== ""),
  },
  {
    name: "budgetAdjustmentShare",
    description: "budgetAdjustment.amount / budgetAdjustment.lineTotal, exact; absent without an adjustment.",
    compute({ data }) {
      const adj = data.budgetAdjustment;
      if (!adj) return undefined;
      return new Ratio(toBig(adj.amount) ?? ZERO, toBig(adj.lineTotal) ?? ZERO);
    },
  },
  {
    name: "budgetAdjustmentApproverRoles",
    description: "Roles that approved the budget adjustment.",
    codes: "role",
    compute: ({ data }) => asList(data.budgetAdjustment?.approvals).map((a) => asText(a.role)),
  },
];

/** Expense claims: their data schema and derived facts. */
export const expense = recordType("expense", expenseData, facts);

type ExpenseInput = z.input<ReturnType<typeof expenseData>>;
type Step = ExpenseInput["approvals"][number];
/** Amount ranges in cents, each up to its least senior leader's authority. */
const TIERS = { small: [5_000, 500_000], mid: [500_001, 5_000_000], large: [5_000_001, 30_000_000] } as const;

/** Random expense claims: an approval chain up to the leader the amount needs, faults breaking it. */
export const randomExpense: RecordGenerator<ExpenseInput> = {
  source: "erp",
  share: 30,
  faults: ["chain", "limit", "self", "budget", "major", "docs"],
  data(g, { start }, f) {
    const applicant = g.odd(g.pick(STAFF), ...BLANK);
    const tier = g.weighted({ small: 60, mid: 30, large: 10 });
    // 10 % exactly at the leader's authority: limits are inclusive, so still compliant
    const [lo, hi] = TIERS[tier];
    const cents = g.chance(0.1) && tier !== "large" ? hi : g.int(lo, hi);
    const gm = g.pick(["general-manager", "management"]);
    // the least senior leader whose authority covers the amount; a "limit" fault goes one rank lower
    const leader = f.has("limit")
      ? { small: "sales-manager", mid: "department-head", large: "marketing-director" }[tier]
      : { small: "department-head", mid: "marketing-director", large: gm }[tier];

    let status = g.weighted({ draft: 10, submitted: 15, approved: 25, rejected: 5, reimbursed: 45 });
    if (f.has("chain") || (f.has("limit") && status !== "approved")) status = "reimbursed";
    else if ((f.has("self") || f.has("docs")) && status === "draft") status = "submitted";

    const t1 = start + g.minutes(30, 24 * 60);
    const t2 = t1 + g.minutes(0, 24 * 60); // 0: same minute; order is non-strict
    const t3 = t2 + g.minutes(30, 48 * 60);
    const step = (s: Step["step"], approver: string, role: string, at: number, ok = true): Step => ({
      step: s,
      approver: g.odd(approver, ...BLANK),
      role: g.odd(role, ...ANY_ROLE),
      decision: ok ? "approved" : "rejected",
      at: g.iso(at),
    });
    let approvals: Step[] = [];
    if (status !== "draft") approvals.push(step("department-review", "dh.lin", "department-head", t1));
    if (status === "rejected") approvals.push(step("finance-review", "fin.wang", "finance", t2, false));
    if (status === "approved" || status === "reimbursed") {
      approvals.push(step("finance-review", "fin.wang", "finance", t2));
      approvals.push(step("leadership-approval", "gm.chen", leader, t3));
    }
    if (f.has("chain")) {
      const variant = g.int(0, 2);
      if (variant === 0)
        approvals.splice(1, 1); // finance review missing
      else approvals[0] = step("department-review", "dh.lin", "department-head", t2 + MIN, variant === 1); // late or rejected
    }
    if (f.has("self")) approvals[0] = { ...(approvals[0] as Step), approver: applicant };

    let remaining = cents + (g.chance(0.1) ? 0 : g.int(0, 2_000_000)); // 0: exactly the budget left
    if (f.has("budget")) remaining = cents - (g.chance(0.3) ? 1 : g.int(1, cents));
    else if (g.chance(0.05)) {
      // over budget, but covered by an approved budget adjustment: compliant
      remaining = cents - g.int(1, cents);
      approvals.push(step("budget-adjustment", "md.li", "marketing-director", t1));
    }
    approvals = g.odd(approvals, [...approvals].reverse(), approvals.slice(1));

    let budgetAdjustment: ExpenseInput["budgetAdjustment"];
    if (f.has("major") || g.chance(0.08)) {
      const line = g.int(500, 5_000) * 10_000; // whole hundreds of CNY, in cents
      const director = { role: "marketing-director", approver: "md.li", at: g.iso(t1) };
      const management = { role: g.odd(gm, ...ANY_ROLE), approver: "gm.chen", at: g.iso(t2) };
      const major = f.has("major") || g.chance(0.5);
      // minor: up to exactly 10 % of the line; major: from one cent above it
      const amount = major ? line / 10 + (g.chance(0.4) ? 1 : g.int(1, line)) : (line / 100) * g.int(1, 10);
      const approvers = !major
        ? []
        : f.has("major")
          ? g.pick([[], [director], [management]])
          : [director, management];
      // an empty line (a share of x/0) and amounts a hair either side of 10 % of a 100 line
      budgetAdjustment = {
        amount: g.odd(cny(amount), 10, 10.01, 9.99),
        lineTotal: g.odd(cny(line), 0, 100, 0.3),
        approvals: approvers,
      };
    }
    return {
      department: g.odd(g.pick(DEPARTMENTS), "unknown"),
      applicant,
      category: g.pick(["advertising", "exhibition", "travel", "samples", "promotion"]),
      // beside the authorities of 5,000 and 50,000, and sums doubles cannot add exactly
      amount: g.odd(cny(cents), 0.01, 0.1, 0.3, 4999.99, 5000.01, 50000.01, 1234.5678),
      currency: "CNY",
      budget: { lineId: `BL-${g.int(100, 999)}`, remaining: g.odd(cny(remaining), 0, -5, 0.3) },
      attachments: f.has("docs") ? 0 : status === "draft" ? g.int(0, 2) : g.int(1, 5),
      status,
      submittedAt: status === "draft" ? undefined : g.iso(start),
      approvals,
      budgetAdjustment,
    };
  },
};
