/**
 * The derived facts (functions/core/policy/facts.ts), one table row at a time: what each computes
 * from a record's data, its params and the evaluation time, including where the data is partial
 * (a deadline still running, an approval not given yet). Pure: no Java; the engine and
 * integration tests prove the same facts inside whole evaluations.
 */
import Big from "big.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareExact, Ratio } from "../../functions/core/decimal.ts";
import {
  computeFact,
  DERIVED_FACTS,
  Elapsed,
  isFactReference,
  isPresent,
} from "../../functions/core/policy/facts.ts";
import { recordSchema } from "../../schemas/record.ts";
import { expense } from "../support/records.ts";

const HOUR = 3_600_000;
const NOW = "2026-03-03T08:00:00Z";
/** Derived facts read the record's data; the envelope is there for completeness. */
const RECORD = recordSchema.parse(expense("EXP-1", 1));

function fact(name: string, data: unknown, params: unknown = {}, now = NOW): unknown {
  return computeFact(name, params, { record: RECORD, data, now, nowMs: Date.parse(now) });
}

/** Exact values compare exactly (a Ratio to its decimal), elapsed times by ms and pending. */
function expectFact(actual: unknown, expected: unknown) {
  if (expected instanceof Ratio || expected instanceof Big) expect(compareExact(actual, expected)).toBe(0);
  else if (expected instanceof Elapsed) {
    expect(actual).toBeInstanceOf(Elapsed);
    const e = actual as Elapsed;
    expect({ ms: e.ms, pending: e.pending }).toEqual({ ms: expected.ms, pending: expected.pending });
  } else expect(actual).toEqual(expected);
}

const big = (s: string | number) => new Big(s);
const ratio = (n: number, d: number) => new Ratio(big(n), big(d));
const approval = (step: string, role: string, decision: string, at: string, approver = "x.y") => ({
  step,
  role,
  decision,
  at,
  approver,
});
const AUTHORITY = { "department-head": 10000, finance: 50000, "general-manager": "unlimited" };

interface Row {
  readonly title: string;
  readonly data: unknown;
  readonly params?: unknown;
  readonly now?: string;
  readonly expected: unknown;
}

/** Rows for each derived fact: every fact of DERIVED_FACTS has some (checked below). */
const ROWS: Readonly<Record<string, readonly Row[]>> = {
  elapsed: [
    {
      title: "from one moment to another that happened",
      data: { receivedAt: "2026-03-01T08:00:00Z", firstResponseAt: "2026-03-01T10:30:00Z" },
      params: { from: "$.receivedAt", to: "$.firstResponseAt" },
      expected: new Elapsed(2.5 * HOUR, 0, false),
    },
    {
      title: "while the awaited moment has not happened: until now, pending",
      data: { receivedAt: "2026-03-01T08:00:00Z" },
      params: { from: "$.receivedAt", to: "$.firstResponseAt" },
      expected: new Elapsed(48 * HOUR, 0, true),
    },
    {
      title: "to a list of moments: the latest, once all happened",
      data: { a: "2026-03-01T08:00:00Z", b: "2026-03-01T09:00:00Z", c: "2026-03-01T12:00:00+08:00" },
      params: { from: "$.a", to: ["$.b", "$.c"] },
      expected: new Elapsed(HOUR, 0, false),
    },
    {
      title: "to a list with one missing: at least now",
      data: { a: "2026-03-01T08:00:00Z", b: "2026-03-01T09:00:00Z" },
      params: { from: "$.a", to: ["$.b", "$.c"] },
      expected: new Elapsed(48 * HOUR, 0, true),
    },
    {
      title: "to a later recorded moment than now (a clock ahead): that moment",
      data: { a: "2026-03-01T08:00:00Z", b: "2026-03-04T08:00:00Z" },
      params: { from: "$.a", to: ["$.b", "$.c"] },
      expected: new Elapsed(72 * HOUR, 0, true),
    },
    {
      title: "to a derived fact's moment",
      data: {
        receivedAt: "2026-03-01T08:00:00Z",
        escalations: [{ to: "general-manager", at: "2026-03-01T20:00:00Z" }],
      },
      params: { from: "$.receivedAt", to: { fact: "escalatedToAllAt", params: { roles: ["management"] } } },
      expected: new Elapsed(12 * HOUR, 0, false),
    },
    {
      title: "without a start: absent",
      data: { firstResponseAt: "2026-03-01T10:30:00Z" },
      params: { from: "$.receivedAt", to: "$.firstResponseAt" },
      expected: undefined,
    },
  ],
  approvedSteps: [
    {
      title: "the steps approved, in their order",
      data: {
        approvals: [
          approval("department-review", "department-head", "approved", "2026-03-01T09:00:00Z"),
          approval("finance-review", "finance", "rejected", "2026-03-01T10:00:00Z"),
          approval("finance-review", "finance", "approved", "2026-03-01T11:00:00Z"),
        ],
      },
      expected: ["department-review", "finance-review"],
    },
    { title: "no approvals", data: {}, expected: [] },
  ],
  approvalChainInOrder: [
    {
      title: "each step approved after the previous one",
      data: {
        approvals: [
          approval("b", "finance", "approved", "2026-03-01T10:00:00Z"),
          approval("a", "department-head", "approved", "2026-03-01T09:00:00Z"),
        ],
      },
      params: { steps: ["a", "b"] },
      expected: true,
    },
    {
      title: "equal times are in order",
      data: {
        approvals: [
          approval("a", "department-head", "approved", "2026-03-01T09:00:00Z"),
          approval("b", "finance", "approved", "2026-03-01T09:00:00Z"),
        ],
      },
      params: { steps: ["a", "b"] },
      expected: true,
    },
    {
      title: "the second step approved before the first",
      data: {
        approvals: [
          approval("a", "department-head", "approved", "2026-03-01T10:00:00Z"),
          approval("b", "finance", "approved", "2026-03-01T09:00:00Z"),
        ],
      },
      params: { steps: ["a", "b"] },
      expected: false,
    },
    {
      title: "a later approval of the second step puts it back in order",
      data: {
        approvals: [
          approval("a", "department-head", "approved", "2026-03-01T10:00:00Z"),
          approval("b", "finance", "approved", "2026-03-01T09:00:00Z"),
          approval("b", "finance", "approved", "2026-03-01T11:00:00Z"),
        ],
      },
      params: { steps: ["a", "b"] },
      expected: true,
    },
    {
      title: "a step only rejected",
      data: { approvals: [approval("a", "department-head", "rejected", "2026-03-01T09:00:00Z")] },
      params: { steps: ["a"] },
      expected: false,
    },
  ],
  approverAuthority: [
    {
      title: "the highest authority among the step's approvers",
      data: {
        approvals: [
          approval("finance-review", "department-head", "approved", "2026-03-01T09:00:00Z"),
          approval("finance-review", "finance", "approved", "2026-03-01T10:00:00Z"),
          approval("other", "general-manager", "approved", "2026-03-01T10:00:00Z"),
        ],
      },
      params: { step: "finance-review", authority: AUTHORITY },
      expected: big(50000),
    },
    {
      title: "management stands for general-manager: unlimited",
      data: { approvals: [approval("finance-review", "management", "approved", "2026-03-01T09:00:00Z")] },
      params: { step: "finance-review", authority: AUTHORITY },
      expected: "unlimited",
    },
    {
      title: "a role not in the table has no authority",
      data: { approvals: [approval("finance-review", "intern", "approved", "2026-03-01T09:00:00Z")] },
      params: { step: "finance-review", authority: AUTHORITY },
      expected: big(0),
    },
    {
      title: "no approved entry of the step: absent",
      data: { approvals: [approval("finance-review", "finance", "rejected", "2026-03-01T09:00:00Z")] },
      params: { step: "finance-review", authority: AUTHORITY },
      expected: undefined,
    },
  ],
  approvers: [
    {
      title: "every approver named, whatever the decision, trimmed",
      data: {
        approvals: [
          approval("a", "r", "approved", "2026-03-01T09:00:00Z", " fin.wang "),
          approval("b", "r", "rejected", "2026-03-01T09:00:00Z", "mgr.li"),
          approval("c", "r", "approved", "2026-03-01T09:00:00Z", "  "),
        ],
      },
      expected: ["fin.wang", "mgr.li"],
    },
  ],
  budgetAdjustmentShare: [
    {
      title: "the adjustment's share of the line, exact",
      data: { budgetAdjustment: { amount: 1500, lineTotal: 10000, approvals: [] } },
      expected: ratio(15, 100),
    },
    {
      title: "a third stays a third",
      data: { budgetAdjustment: { amount: 1, lineTotal: 3, approvals: [] } },
      expected: ratio(1, 3),
    },
    { title: "no adjustment: absent", data: {}, expected: undefined },
  ],
  budgetAdjustmentApproverRoles: [
    {
      title: "the roles that approved the adjustment",
      data: {
        budgetAdjustment: {
          amount: 1,
          lineTotal: 3,
          approvals: [{ role: " finance " }, { role: "management" }],
        },
      },
      expected: ["finance", "management"],
    },
    { title: "no adjustment", data: {}, expected: [] },
  ],
  discount: [
    {
      title: "1 − quoted / list over every item",
      data: {
        items: [
          { listPrice: 1000, unitPrice: 880, quantity: 50 },
          { listPrice: 200, unitPrice: 200, quantity: 10 },
        ],
      },
      expected: ratio(6000, 52000),
    },
    {
      title: "12 % exactly, as 0.12",
      data: { items: [{ listPrice: 1000, unitPrice: 880, quantity: 50 }] },
      expected: big("0.12"),
    },
    {
      title: "a list total of 0: no discount",
      data: { items: [{ listPrice: 0, unitPrice: 0, quantity: 5 }] },
      expected: big(0),
    },
    { title: "no items: no discount", data: {}, expected: big(0) },
  ],
  approvalAuthorityAtSend: [
    {
      title: "approvals up to sentAt count, later ones do not",
      data: {
        sentAt: "2026-03-05T03:00:00Z",
        approvals: [
          { role: "sales-manager", at: "2026-03-05T02:00:00Z" },
          { role: "general-manager", at: "2026-03-05T04:00:00Z" },
        ],
      },
      params: {
        authority: { salesperson: 0.05, "sales-manager": 0.1, management: 0.2 },
        baseline: "salesperson",
      },
      expected: big("0.1"),
    },
    {
      title: "never below the baseline role's",
      data: { sentAt: "2026-03-05T03:00:00Z", approvals: [] },
      params: { authority: { salesperson: 0.05, "sales-manager": 0.1 }, baseline: "salesperson" },
      expected: big("0.05"),
    },
    {
      title: "not sent yet: absent",
      data: { approvals: [{ role: "sales-manager", at: "2026-03-05T02:00:00Z" }] },
      params: { authority: { salesperson: 0.05 }, baseline: "salesperson" },
      expected: undefined,
    },
  ],
  approvedReviewRolesAtSend: [
    {
      title: "approved reviews up to sentAt",
      data: {
        sentAt: "2026-03-05T03:00:00Z",
        reviews: [
          { role: "legal", decision: "approved", at: "2026-03-05T01:00:00Z" },
          { role: "finance", decision: "rejected", at: "2026-03-05T01:00:00Z" },
          { role: "sales-manager", decision: "approved", at: "2026-03-05T05:00:00Z" },
        ],
      },
      expected: ["legal"],
    },
    {
      title: "not sent yet: none",
      data: { reviews: [{ role: "legal", decision: "approved", at: "2026-03-05T01:00:00Z" }] },
      expected: [],
    },
  ],
  missingClauses: [
    {
      title: "the required clauses it lacks, in the order required",
      data: { clauses: ["payment", "confidentiality"] },
      params: { required: ["liability", "payment", "termination"] },
      expected: ["liability", "termination"],
    },
    {
      title: "none missing",
      data: { clauses: ["a", "b"] },
      params: { required: ["b"] },
      expected: [],
    },
  ],
  copiesCompletedAt: [
    {
      title: "the latest of each department's earliest copy",
      data: {
        copiesSentTo: [
          { department: "finance", at: "2026-03-02T10:00:00Z" },
          { department: "legal", at: "2026-03-03T10:00:00Z" },
          { department: "legal", at: "2026-03-02T09:00:00Z" },
        ],
      },
      params: { departments: ["finance", "legal"] },
      expected: "2026-03-02T10:00:00.000Z",
    },
    {
      title: "a department without a copy: absent",
      data: { copiesSentTo: [{ department: "finance", at: "2026-03-02T10:00:00Z" }] },
      params: { departments: ["finance", "legal"] },
      expected: undefined,
    },
  ],
  copiesNotSentWithin: [
    {
      title: "departments without a copy by the deadline, in the order given",
      data: {
        signedAt: "2026-03-01T00:00:00Z",
        copiesSentTo: [
          { department: "finance", at: "2026-03-03T00:00:00Z" },
          { department: "legal", at: "2026-03-04T00:00:01Z" },
        ],
      },
      params: { departments: ["legal", "finance", "archive"], from: "$.signedAt", within: "P3D" },
      expected: ["legal", "archive"],
    },
    {
      title: "not signed yet: none late",
      data: { copiesSentTo: [] },
      params: { departments: ["legal"], from: "$.signedAt", within: "P3D" },
      expected: [],
    },
  ],
  unapprovedChanges: [
    {
      title: "changes without an approval by the minimum role or higher, dated at or before them",
      data: {
        changes: [
          {
            kind: "amendment",
            at: "2026-03-02T00:00:00Z",
            approvals: [{ role: "management", at: "2026-03-01T00:00:00Z" }],
          },
          {
            kind: "amendment",
            at: "2026-03-03T00:00:00Z",
            approvals: [{ role: "salesperson", at: "2026-03-01T00:00:00Z" }],
          },
          {
            kind: "termination",
            at: "2026-03-04T00:00:00Z",
            approvals: [{ role: "general-manager", at: "2026-03-05T00:00:00Z" }],
          },
          {
            kind: "amendment",
            at: "2026-03-05T00:00:00Z",
            approvals: [{ role: "legal", at: "2026-03-01T00:00:00Z" }],
          },
        ],
      },
      params: { minimumRole: "marketing-director" },
      expected: [
        "amendment 2026-03-03T00:00:00Z",
        "termination 2026-03-04T00:00:00Z",
        "amendment 2026-03-05T00:00:00Z",
      ],
    },
    { title: "no changes", data: {}, params: { minimumRole: "management" }, expected: [] },
  ],
  escalatedToAllAt: [
    {
      title: "when the last of the roles was first escalated to (general-manager = management)",
      data: {
        escalations: [
          { to: "after-sales-manager", at: "2026-03-01T09:00:00Z" },
          { to: "general-manager", at: "2026-03-01T12:00:00Z" },
          { to: "after-sales-manager", at: "2026-03-01T08:00:00Z" },
        ],
      },
      params: { roles: ["after-sales-manager", "management"] },
      expected: "2026-03-01T12:00:00.000Z",
    },
    {
      title: "a role never escalated to: absent",
      data: { escalations: [{ to: "after-sales-manager", at: "2026-03-01T09:00:00Z" }] },
      params: { roles: ["after-sales-manager", "management"] },
      expected: undefined,
    },
  ],
  authorizationCoversAccess: [
    {
      title: "kind and action authorized, expiring after the access",
      data: {
        at: "2026-03-01T09:00:00Z",
        action: "download",
        resource: { kind: "customer-list" },
        authorization: {
          kinds: ["customer-list"],
          actions: ["view", "download"],
          expiresAt: "2026-03-02T00:00:00Z",
        },
      },
      expected: true,
    },
    {
      title: "expiring at the very moment of access: not covered",
      data: {
        at: "2026-03-01T09:00:00Z",
        action: "view",
        resource: { kind: "customer-list" },
        authorization: { kinds: ["customer-list"], actions: ["view"], expiresAt: "2026-03-01T09:00:00Z" },
      },
      expected: false,
    },
    {
      title: "another action",
      data: {
        at: "2026-03-01T09:00:00Z",
        action: "export",
        resource: { kind: "customer-list" },
        authorization: { kinds: ["customer-list"], actions: ["view"], expiresAt: "2026-03-02T00:00:00Z" },
      },
      expected: false,
    },
    { title: "no authorization", data: { at: "2026-03-01T09:00:00Z", action: "view" }, expected: false },
  ],
  companyDisclosureApprovalAt: [
    {
      title: "a general manager's approval",
      data: { disclosureApproval: { role: "general-manager", at: "2026-03-01T09:00:00Z" } },
      expected: "2026-03-01T09:00:00Z",
    },
    {
      title: "a department head's approval is not the company's",
      data: { disclosureApproval: { role: "department-head", at: "2026-03-01T09:00:00Z" } },
      expected: undefined,
    },
    {
      title: "an approval without a time",
      data: { disclosureApproval: { role: "management", at: " " } },
      expected: undefined,
    },
  ],
  valueIf: [
    {
      title: "the value when the data is one of `in`",
      data: { category: "safety" },
      params: { path: "$.category", in: ["safety", "legal"], value: "PT24H", otherwise: "P3D" },
      expected: "PT24H",
    },
    {
      title: "otherwise the other",
      data: { category: "general" },
      params: { path: "$.category", in: ["safety"], value: "PT24H", otherwise: "P3D" },
      expected: "P3D",
    },
  ],
};

describe("derived facts", () => {
  it("every derived fact has rows, and no row names an unknown fact", () => {
    expect(Object.keys(ROWS).sort()).toEqual(DERIVED_FACTS.map((f) => f.name).sort());
  });

  for (const [name, rows] of Object.entries(ROWS))
    it.each(rows)(`${name}: $title`, ({ data, params, now, expected }) => {
      expectFact(fact(name, data, params, now), expected);
    });

  it("accepts the params of every row (each fact's own params schema)", () => {
    for (const [name, rows] of Object.entries(ROWS)) {
      const schema = DERIVED_FACTS.find((f) => f.name === name)?.params;
      for (const row of rows)
        if (schema) expect(schema.safeParse(row.params).success, `${name}: ${row.title}`).toBe(true);
    }
  });

  it("elapsed, still pending, grows with the clock; once the moment is there, it stops (property)", () => {
    const from = Date.parse("2026-03-01T00:00:00Z");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 90 * 24 }),
        fc.integer({ min: 0, max: 90 * 24 }),
        fc.integer({ min: 0, max: 90 * 24 }),
        (nowHours, laterHours, toHours) => {
          const now = new Date(from + nowHours * HOUR).toISOString();
          const later = new Date(from + (nowHours + laterHours) * HOUR).toISOString();
          const params = { from: "$.from", to: "$.to" };
          const open = { from: "2026-03-01T00:00:00Z" };
          const a = fact("elapsed", open, params, now) as Elapsed;
          const b = fact("elapsed", open, params, later) as Elapsed;
          expect(a.pending && b.pending).toBe(true);
          expect(b.ms - a.ms).toBe(laterHours * HOUR);
          const done = { ...open, to: new Date(from + toHours * HOUR).toISOString() };
          const c = fact("elapsed", done, params, now) as Elapsed;
          const d = fact("elapsed", done, params, later) as Elapsed;
          expect([c.pending, c.ms]).toEqual([false, toHours * HOUR]);
          expect(d.ms).toBe(c.ms);
        },
      ),
    );
  });

  it("discount is exactly 1 − quoted / list, whatever the prices (property)", () => {
    const cents = fc.integer({ min: 0, max: 10_000_000 });
    const item = fc.record({
      listPrice: cents,
      unitPrice: cents,
      quantity: fc.integer({ min: 1, max: 1000 }),
    });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 5 }), (items) => {
        const asMoney = items.map((i) => ({
          ...i,
          listPrice: i.listPrice / 100,
          unitPrice: i.unitPrice / 100,
        }));
        const d = fact("discount", { items: asMoney }) as Ratio;
        const list = items.reduce((t, i) => t + BigInt(i.listPrice) * BigInt(i.quantity), 0n);
        const quoted = items.reduce((t, i) => t + BigInt(i.unitPrice) * BigInt(i.quantity), 0n);
        if (list === 0n) expect(compareExact(d, 0)).toBe(0);
        // d = (list − quoted) / list exactly: d · list = list − quoted
        else
          expect(
            compareExact(new Ratio(d.num.times(list.toString()), d.den), new Big((list - quoted).toString())),
          ).toBe(0);
      }),
    );
  });
});

describe("isPresent", () => {
  it.each([
    [undefined, false],
    [null, false],
    ["", false],
    [" \t\n", false],
    [[], false],
    ["x", true],
    [0, true],
    [false, true],
    [[null], true],
    [{}, true],
  ])("%j: %s", (value, expected) => {
    expect(isPresent(value)).toBe(expected);
  });
});

describe("isFactReference", () => {
  it.each([
    [{ fact: "discount" }, true],
    [{ fact: "elapsed", params: {} }, true],
    [{ param: "limit" }, false],
    [[{ fact: "x" }], false],
    ["discount", false],
    [null, false],
  ])("%j: %s", (value, expected) => {
    expect(isFactReference(value)).toBe(expected);
  });
});
