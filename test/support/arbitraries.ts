/**
 * fast-check arbitraries for schema-valid records (no maintained zod-4 bridge exists, so they are
 * written by hand). Values cluster around the catalogue's limits and deadlines so random records
 * hit boundaries often: amounts near budgets and authorities, discounts near 5/10/20 %,
 * timestamps a hair either side of 2 h, 4 h, 24 h, 3 and 7 days.
 */
import fc from "fast-check";
import { CLAUSES, COMPLAINT_CATEGORIES, type RecordEnvelope, recordSchema } from "../../schemas/record.ts";

const BASE = Date.parse("2026-03-01T08:00:00Z");
const HOUR = 3_600_000;
const OFFSETS_H = [-1, 0, 1, 2, 4, 24, 72, 168, 200];

/** A timestamp near BASE: a few hours or days after it, sometimes one second either side. */
export const instant = fc
  .tuple(fc.constantFrom(...OFFSETS_H), fc.constantFrom(-1000, 0, 0, 1000))
  .map(([h, ms]) => new Date(BASE + h * HOUR + ms).toISOString());

export const now = fc
  .tuple(fc.constantFrom(0, 2, 4, 24, 72, 168, 400), fc.constantFrom(-1000, 0, 1000))
  .map(([h, ms]) => new Date(BASE + h * HOUR + ms).toISOString());

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const person = fc.constantFrom("a.wu", "b.li", "dh.lin", "md.li", "gm.chen", "", " ");
const role = fc.constantFrom(
  "salesperson",
  "sales-manager",
  "marketing-director",
  "general-manager",
  "management",
  "department-head",
  "finance",
  "quality",
  "legal",
);
const money = fc.oneof(
  fc.constantFrom(0.01, 0.1, 0.2, 0.3, 4999.99, 5000, 5000.01, 8000, 50000, 50000.01, 100000),
  fc.integer({ min: 1, max: 200_000 }),
  // CONTRACT §1: money has at most 4 decimal places
  fc
    .double({ min: 0.01, max: 1e6, noNaN: true, noDefaultInfinity: true })
    .map((x) => Math.round(x * 1e4) / 1e4),
);
const decision = fc.constantFrom("approved", "rejected");
const roleApproval = fc.record({ role, approver: person, at: instant });

const expenseData = fc.record({
  department: fc.constantFrom("marketing", "sales", "unknown"),
  applicant: person,
  category: fc.constantFrom("travel", "events"),
  amount: money,
  currency: fc.constant("CNY"),
  budget: fc.record({ lineId: fc.constant("L1"), remaining: fc.oneof(money, fc.constantFrom(0, -5)) }),
  attachments: fc.nat(3),
  status: fc.constantFrom("draft", "submitted", "approved", "rejected", "reimbursed"),
  submittedAt: maybe(instant),
  approvals: fc.array(
    fc.record({
      step: fc.constantFrom(
        "department-review",
        "finance-review",
        "leadership-approval",
        "budget-adjustment",
      ),
      approver: person,
      role,
      decision,
      at: instant,
    }),
    { maxLength: 5 },
  ),
  budgetAdjustment: maybe(
    fc.record({
      amount: fc.oneof(money, fc.constantFrom(10, 10.01, 9.99)),
      lineTotal: fc.constantFrom(0, 100, 1000, 0.3),
      approvals: fc.array(roleApproval, { maxLength: 3 }),
    }),
  ),
});

const quoteData = fc.record({
  department: fc.constantFrom("sales", "marketing"),
  salesperson: person,
  customer: fc.record({ id: fc.constant("C1"), name: fc.constant("ACME") }),
  items: fc.array(
    fc.record({
      sku: fc.constant("SKU"),
      listPrice: fc.constantFrom(0, 0.1, 0.3, 1, 100, 99.99),
      unitPrice: fc.constantFrom(0, 0.09, 0.27, 0.95, 0.9, 0.8, 90, 95, 80, 100),
      quantity: fc.constantFrom(1, 2, 3), // counts are integers from 1
    }),
    { minLength: 1, maxLength: 3 },
  ),
  status: fc.constantFrom("draft", "reviewed", "sent", "accepted", "rejected"),
  reviews: fc.array(fc.record({ role, reviewer: person, decision, at: instant }), { maxLength: 2 }),
  approvals: fc.array(roleApproval, { maxLength: 3 }),
  sentAt: maybe(instant),
});

const contractData = fc.record({
  department: fc.constantFrom("sales"),
  customer: fc.record({
    id: fc.constant("C1"),
    name: fc.constant("ACME"),
    creditRating: fc.constantFrom("A", "B", "C", "D"),
  }),
  amount: money,
  currency: fc.constant("CNY"),
  clauses: fc.subarray([...CLAUSES]),
  paymentTermDays: fc.constantFrom(0, 29, 30, 31, 90),
  legalReview: maybe(fc.record({ reviewer: person, decision, at: instant })),
  signedAt: maybe(instant),
  archivedAt: maybe(instant),
  copiesSentTo: fc.array(
    fc.record({ department: fc.constantFrom("finance", "production", "legal"), at: instant }),
    { maxLength: 3 },
  ),
  changes: fc.array(
    fc.record({
      kind: fc.constantFrom("amendment", "termination"),
      at: instant,
      approvals: fc.array(roleApproval, { maxLength: 2 }),
    }),
    { maxLength: 2 },
  ),
});

const complaintData = fc.record({
  department: fc.constantFrom("customer-service"),
  customer: fc.record({
    id: fc.constant("C1"),
    name: fc.constant("n"),
    contact: maybe(fc.constantFrom("", " ", "138")),
  }),
  channel: fc.constantFrom("phone", "email", "online", "visit"),
  category: fc.constantFrom(...COMPLAINT_CATEGORIES),
  content: fc.constantFrom("", "  ", "broken"),
  receivedAt: fc.constant(new Date(BASE).toISOString()),
  assignedTo: maybe(fc.record({ person, role, at: instant })),
  firstResponseAt: maybe(instant),
  resolvedAt: maybe(instant),
  customerNotifiedAt: maybe(instant),
  escalations: fc.array(
    fc.record({ to: fc.constantFrom("quality", "management", "general-manager", "legal"), at: instant }),
    {
      maxLength: 3,
    },
  ),
});

const kind = fc.constantFrom("customer-info", "trade-secret", "market-research", "public");
const action = fc.constantFrom("read", "export", "print", "share-external");
const accessData = fc.record({
  department: fc.constantFrom("sales", "market-research"),
  actor: fc.record({
    id: person,
    roles: fc.array(role, { maxLength: 2 }),
    confidentialityAgreementSignedAt: maybe(instant),
  }),
  resource: fc.record({
    kind,
    id: fc.constant("R1"),
    recordCount: maybe(fc.constantFrom(0, 99, 100, 101, 5000)),
  }),
  action,
  at: instant,
  encrypted: fc.boolean(),
  authorization: maybe(
    fc.record({
      grantedBy: person,
      kinds: fc.subarray(["customer-info", "trade-secret", "market-research", "public"]),
      actions: fc.subarray(["read", "export", "print", "share-external"]),
      expiresAt: instant,
    }),
  ),
  disclosureApproval: maybe(fc.record({ approver: person, role, at: instant })),
  recipient: maybe(fc.constantFrom("partner", "")),
});

const DATA = {
  expense: expenseData,
  quote: quoteData,
  contract: contractData,
  complaint: complaintData,
  access: accessData,
};

/** Raw JSON a caller could send (nulls included), valid against the record schema. */
export const recordInput = fc.constantFrom(...(Object.keys(DATA) as (keyof typeof DATA)[])).chain((type) =>
  fc.record({
    type: fc.constant(type),
    id: fc.stringMatching(/^[A-Za-z0-9._:-]{1,12}$/),
    revision: fc.integer({ min: 1, max: 5 }),
    occurredAt: fc.constantFrom("2026-03-01T08:00:00Z", "2026-03-01T16:00:00+08:00", "2025-12-31T23:59:59Z"),
    source: fc.constantFrom("erp", "crm"),
    data: DATA[type] as fc.Arbitrary<unknown>,
  }),
);

/** Parsed records, as the engine receives them. */
export const record: fc.Arbitrary<RecordEnvelope> = recordInput.map((r) => recordSchema.parse(r));
