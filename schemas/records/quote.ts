/**
 * Quotes (CONTRACT §1): the data schema, the derived facts policies may use on them, and their
 * random generator (tests and bench).
 */
import { Ratio, sum, toBig } from "../../functions/core/decimal.ts";
import {
  asList,
  asText,
  authorityTable,
  highestAuthority,
  ONE,
  type RecordFact,
  ZERO,
} from "../../functions/core/policy/derived-fact.ts";
import { toMillis } from "../../functions/core/time.ts";
import {
  count,
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
import { ANY_ROLE, BLANK, cny, type RecordGenerator } from "./random.ts";
import { recordType } from "./record-type.ts";

/** The data of a quote record (built on first use: schemas/records/record-type.ts). */
export const quoteData = () =>
  z.strictObject({
    department: text(),
    salesperson: person,
    customer: z.strictObject({ id: text(), name: text() }),
    items: list(
      z.strictObject({
        sku: text(),
        listPrice: moneyOf({ min: 0 }),
        unitPrice: moneyOf({ min: 0 }),
        quantity: count(1),
      }),
    ).check(z.minLength(1)),
    status: z.enum(["draft", "reviewed", "sent", "accepted", "rejected"]),
    reviews: list(z.strictObject({ role, reviewer: person, decision, at: timestamp })),
    approvals: list(roleApproval),
    sentAt: optional(timestamp),
  });

type Quote = z.output<ReturnType<typeof quoteData>>;

const facts: readonly RecordFact<Quote>[] = [
  {
    name: "discount",
    description:
      "Overall discount 1 − Σ(unitPrice·quantity) / Σ(listPrice·quantity), exact; 0 when the list total is 0.",
    compute({ data }) {
      const items = asList(data.items);
      const listTotal = sum(items.map((i) => (toBig(i.listPrice) ?? ZERO).times(toBig(i.quantity) ?? 0)));
      const quoted = sum(items.map((i) => (toBig(i.unitPrice) ?? ZERO).times(toBig(i.quantity) ?? 0)));
      if (listTotal.eq(0)) return new Ratio(ZERO, ONE);
      return new Ratio(listTotal.minus(quoted), listTotal);
    },
  },
  {
    name: "approvalAuthorityAtSend",
    description:
      "Highest authority, from the `authority` table, among `approvals` dated at or before sentAt, never below the `baseline` role's; absent until sent.",
    params: z.lazy(() => z.strictObject({ authority: authorityTable(), baseline: z.string() })),
    compute({ data }, params) {
      const { authority, baseline } = params as {
        authority: Record<string, number | string>;
        baseline: string;
      };
      const sent = toMillis(data.sentAt);
      if (sent === undefined) return undefined;
      const roles = asList(data.approvals)
        .filter((a) => (toMillis(a.at) ?? Number.POSITIVE_INFINITY) <= sent)
        .map((a) => asText(a.role));
      return highestAuthority([baseline, ...roles], authority);
    },
  },
  {
    name: "approvedReviewRolesAtSend",
    description: "Roles of approved `reviews` dated at or before sentAt (empty until sent).",
    codes: "role",
    compute({ data }) {
      const sent = toMillis(data.sentAt);
      if (sent === undefined) return [];
      return asList(data.reviews)
        .filter((r) => r.decision === "approved" && (toMillis(r.at) ?? Number.POSITIVE_INFINITY) <= sent)
        .map((r) => asText(r.role));
    },
  },
];

/** Quotes: their data schema and derived facts. */
export const quote = recordType("quote", quoteData, facts);

/** Discount authority in whole percent and the role granting it (general-manager: unlimited). */
const GRANTORS = [
  [5, undefined],
  [10, "sales-manager"],
  [20, "marketing-director"],
  [100, "general-manager"],
] as const;
const rankFor = (pct: number) => GRANTORS.findIndex(([limit]) => pct <= limit);

/** Random quotes: a discount approved by the role whose authority covers it, faults breaking it. */
export const randomQuote: RecordGenerator<z.input<ReturnType<typeof quoteData>>> = {
  source: "crm",
  share: 20,
  faults: ["review", "discount"],
  data(g, { start }, f) {
    const faulty = f.has("discount");
    // shaving one cent off a unit price lands just above the nominal discount (by < 0.1 %)
    const shave = g.chance(faulty ? 0.3 : 0.1);
    const pct = !faulty
      ? g.pick([0, 2, 5, 5, 8, 10, 10, 12, 15, 20, 20, 25, 30])
      : shave
        ? g.pick([5, 10, 20]) // exactly at an authority, then a cent over it
        : g.pick([8, 10, 12, 15, 20, 25, 30]);
    // whole-yuan list prices make the nominal discount exact in cents
    const items = Array.from({ length: g.int(1, 4) }, (_, i) => {
      const listCents = g.int(10, 5_000) * 100;
      const unit = (listCents * (100 - pct)) / 100 - (shave && i === 0 ? 1 : 0);
      return {
        sku: `SKU-${g.int(1000, 9999)}-${i}`,
        // free items, an empty list total, and 10 % off a price doubles cannot hold exactly
        listPrice: g.odd(cny(listCents), 0, 0.1, 0.3),
        unitPrice: g.odd(cny(unit), 0, 0.09, 0.27),
        quantity: g.int(1, 50),
      };
    });
    const status =
      f.size > 0
        ? g.pick(["sent", "accepted", "rejected"] as const)
        : g.weighted({ draft: 15, reviewed: 15, sent: 40, accepted: 20, rejected: 10 });
    const sent = start + g.minutes(60, 5 * 24 * 60);
    let rank = rankFor(shave && !faulty ? pct + 0.5 : pct); // a compliant shaved quote gets the next rank
    let approvalAt = sent - g.minutes(0, 2 * 24 * 60); // 0: approved at the sending minute, allowed
    if (faulty && !shave) {
      if (g.chance(0.5))
        rank -= 1; // approver one rank too low
      else approvalAt = sent + g.minutes(1, 600); // approved only after sending
    }
    const grantor = (GRANTORS[rank] ?? GRANTORS[0])[1];
    const role = grantor === "general-manager" ? g.pick(["general-manager", "management"]) : grantor;
    const approvals =
      status === "draft" || role === undefined
        ? []
        : [{ role: g.odd<string>(role, ...ANY_ROLE), approver: "md.li", at: g.iso(approvalAt) }];
    const review = {
      role: g.odd("sales-manager", ...ANY_ROLE),
      reviewer: g.odd("sm.zhang", ...BLANK),
      decision: "approved" as const,
      at: sent - g.minutes(0, 24 * 60),
    };
    let reviews: { role: string; reviewer: string; decision: "approved" | "rejected"; at: number }[] =
      status === "draft" ? [] : [review];
    if (f.has("review")) {
      reviews = [
        [],
        [{ ...review, at: sent + g.minutes(1, 120) }], // reviewed only after sending
        [{ ...review, decision: "rejected" as const }],
        [{ ...review, role: "marketing-director", reviewer: "md.li" }], // not a sales-manager review
      ][g.int(0, 3)] as typeof reviews;
    }
    return {
      department: "sales",
      salesperson: g.odd(g.pick(["sa.zheng", "sa.feng"]), ...BLANK),
      customer: { id: `C-${g.int(1, 500)}`, name: "客戶" },
      items,
      status,
      reviews: reviews.map((r) => ({ ...r, at: g.iso(r.at) })),
      approvals,
      sentAt: status === "draft" || status === "reviewed" ? undefined : g.iso(sent),
    };
  },
};
