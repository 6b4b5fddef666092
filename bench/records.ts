/**
 * Deterministic benchmark records: the same seed always gives the same records (mulberry32, never
 * Math.random), so runs on different machines or days measure the same work.
 *
 * The mix imitates a working month: mostly compliant records, about a third violating at least one
 * rule, and many values placed exactly on a limit (an amount equal to an authority, a discount of
 * exactly 10 %, a deadline met to the minute, an authorization expiring at the access time) so the
 * plain-function cross-check exercises the catalogue's inclusive/strict conventions, not just the
 * easy middle of each range.
 */
import type * as z from "zod";
import {
  type accessData,
  type complaintData,
  type contractData,
  type expenseData,
  type quoteData,
  type RecordEnvelope,
  type RecordInput,
  type RecordType,
  recordSchema,
} from "../schemas/record.ts";
import { MANDATORY } from "./plain-rules.ts";

/** Evaluation time of every bench run; every record's business time lies in 2026 before it. */
export const BENCH_NOW = "2026-04-01T12:00:00.000Z";
export const BENCH_NOW_MS = Date.parse(BENCH_NOW);

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** mulberry32: tiny, fast, good enough for test data, and identical on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  weighted<K extends string>(table: Readonly<Record<K, number>>): K {
    const entries = Object.entries(table) as [K, number][];
    let r = this.next() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [key, w] of entries) {
      r -= w;
      if (r < 0) return key;
    }
    return (entries[entries.length - 1] as [K, number])[0];
  }
  /** Minutes in [lo, hi] as milliseconds: all times are whole minutes, so offsets stay exact. */
  minutes(lo: number, hi: number): number {
    return this.int(lo, hi) * MIN;
  }
  /** A timestamp, 30 % of them written with a +08:00 offset as a Shanghai ERP would send them. */
  iso(ms: number): string {
    if (!this.chance(0.3)) return new Date(ms).toISOString();
    return `${new Date(ms + 8 * HOUR).toISOString().slice(0, 19)}+08:00`;
  }
}

/** Integer cents → CNY amount: cents/100 is the double nearest the 2-decimal amount. */
const cny = (cents: number) => cents / 100;
/** A record's events never lie after the evaluation time: a later one has not happened yet. */
const past = (ms: number) => (ms <= BENCH_NOW_MS ? ms : undefined);

const STAFF = ["mk.wu", "mk.qian", "mk.sun", "sa.zheng", "sa.feng", "cs.liu", "cs.he", "mr.tang"];
const DEPARTMENTS = ["marketing", "sales", "customer-service", "market-research"];

/** Faults each type can get; a faulty record gets one (sometimes two) of its type's list. */
const FAULTS = {
  expense: ["chain", "limit", "self", "budget", "major", "docs"],
  quote: ["review", "discount"],
  contract: ["clause", "liability", "legal", "credit", "archive", "copies", "change"],
  complaint: ["content", "contact", "assign", "response", "resolution", "escalation"],
  access: ["auth", "agreement", "encryption", "external", "bulk"],
} as const satisfies Record<RecordType, readonly string[]>;

type Faults = ReadonlySet<string>;

type Expense = z.input<typeof expenseData>;
/** Amount ranges in cents, each up to its least senior leader's authority. */
const TIERS = { small: [5_000, 500_000], mid: [500_001, 5_000_000], large: [5_000_001, 30_000_000] } as const;
type Step = Expense["approvals"][number];

function expense(g: Gen, start: number, f: Faults): Expense {
  const applicant = g.pick(STAFF);
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
    approver,
    role,
    decision: ok ? "approved" : "rejected",
    at: g.iso(at),
  });
  const approvals: Step[] = [];
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

  let budgetAdjustment: Expense["budgetAdjustment"];
  if (f.has("major") || g.chance(0.08)) {
    const line = g.int(500, 5_000) * 10_000; // whole hundreds of CNY, in cents
    const director = { role: "marketing-director", approver: "md.li", at: g.iso(t1) };
    const management = { role: gm, approver: "gm.chen", at: g.iso(t2) };
    const major = f.has("major") || g.chance(0.5);
    // minor: up to exactly 10 % of the line; major: from one cent above it
    const amount = major ? line / 10 + (g.chance(0.4) ? 1 : g.int(1, line)) : (line / 100) * g.int(1, 10);
    const approvers = !major
      ? []
      : f.has("major")
        ? g.pick([[], [director], [management]])
        : [director, management];
    budgetAdjustment = { amount: cny(amount), lineTotal: cny(line), approvals: approvers };
  }
  return {
    department: g.pick(DEPARTMENTS),
    applicant,
    category: g.pick(["advertising", "exhibition", "travel", "samples", "promotion"]),
    amount: cny(cents),
    currency: "CNY",
    budget: { lineId: `BL-${g.int(100, 999)}`, remaining: cny(remaining) },
    attachments: f.has("docs") ? 0 : status === "draft" ? g.int(0, 2) : g.int(1, 5),
    status,
    submittedAt: status === "draft" ? undefined : g.iso(start),
    approvals,
    budgetAdjustment,
  };
}

/** Discount authority in whole percent and the role granting it (general-manager: unlimited). */
const GRANTORS = [
  [5, undefined],
  [10, "sales-manager"],
  [20, "marketing-director"],
  [100, "general-manager"],
] as const;
const rankFor = (pct: number) => GRANTORS.findIndex(([limit]) => pct <= limit);

function quote(g: Gen, start: number, f: Faults): z.input<typeof quoteData> {
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
    const list = g.int(10, 5_000) * 100;
    const unit = (list * (100 - pct)) / 100 - (shave && i === 0 ? 1 : 0);
    return {
      sku: `SKU-${g.int(1000, 9999)}-${i}`,
      listPrice: cny(list),
      unitPrice: cny(unit),
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
    status === "draft" || role === undefined ? [] : [{ role, approver: "md.li", at: g.iso(approvalAt) }];
  const review = {
    role: "sales-manager",
    reviewer: "sm.zhang",
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
    salesperson: g.pick(["sa.zheng", "sa.feng"]),
    customer: { id: `C-${g.int(1, 500)}`, name: "客戶" },
    items,
    status,
    reviews: reviews.map((r) => ({ ...r, at: g.iso(r.at) })),
    approvals,
    sentAt: status === "draft" || status === "reviewed" ? undefined : g.iso(sent),
  };
}

type Contract = z.input<typeof contractData>;
const SENIOR = ["sales-manager", "marketing-director", "general-manager", "management"];

function contract(g: Gen, start: number, f: Faults): Contract {
  const rating = f.has("credit") ? g.pick(["C", "D"] as const) : g.weighted({ A: 35, B: 35, C: 20, D: 10 });
  const terms = f.has("credit") ? g.pick([45, 60, 90]) : g.pick([0, 15, 30, 30, 45, 60, 90]);
  const risky = (rating === "C" || rating === "D") && terms > 30;
  const drop = new Set<string>(f.has("clause") ? [g.pick(MANDATORY), g.pick(MANDATORY)] : []);
  if (f.has("liability")) drop.add("default-liability");
  const clauses: Contract["clauses"] = [...MANDATORY, "default-liability" as const].filter(
    (c) => !drop.has(c),
  );
  if ((risky && !f.has("credit")) || g.chance(0.2)) clauses.push("guarantee");

  // faults that need a signature get one; otherwise 20 % are still drafts
  const needsSigning = ["legal", "archive", "copies", "change"].some((k) => f.has(k));
  const signed = needsSigning || g.chance(0.8) ? past(start + g.minutes(60, 2 * 24 * 60)) : undefined;
  let review: Contract["legalReview"] =
    signed === undefined && g.chance(0.5)
      ? undefined
      : {
          reviewer: "legal.xu",
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
  const copiesSentTo: Contract["copiesSentTo"] = [];
  const changes: Contract["changes"] = [];
  let archived: number | undefined;
  if (signed !== undefined) {
    // deadlines met, 10 % exactly on the limit; an event not yet due is simply absent (pending)
    archived = signed + (g.chance(0.1) ? 7 * DAY : g.minutes(10, 7 * 24 * 60));
    if (f.has("archive")) archived = g.chance(0.5) ? signed + 7 * DAY + g.minutes(1, 5 * 24 * 60) : undefined;
    const faulted = f.has("copies") ? g.pick(["finance", "production"]) : undefined;
    for (const department of ["finance", "production", ...(g.chance(0.3) ? ["sales"] : [])]) {
      const at =
        department !== faulted
          ? signed + (g.chance(0.1) ? 3 * DAY : g.minutes(0, 3 * 24 * 60))
          : g.chance(0.5)
            ? undefined
            : signed + 3 * DAY + g.minutes(1, 3 * 24 * 60);
      if (at !== undefined && past(at) !== undefined) copiesSentTo.push({ department, at: g.iso(at) });
    }
    if (f.has("change") || g.chance(0.2)) {
      const at = past(signed + g.minutes(60, 30 * 24 * 60)) ?? signed;
      const variant = f.has("change") ? g.int(1, 2) : 0;
      const role = variant === 1 ? g.pick(["salesperson", "legal", "finance"]) : g.pick(SENIOR); // 1: too junior
      const approvalAt = variant === 2 ? at + g.minutes(1, 600) : at - g.minutes(0, 2 * 24 * 60); // 2: too late
      const approvals = [{ role, approver: "md.li", at: g.iso(approvalAt) }];
      changes.push({ kind: g.pick(["amendment", "termination"] as const), at: g.iso(at), approvals });
    }
  }
  const archivedAt = archived === undefined ? undefined : past(archived);
  return {
    department: g.pick(["sales", "marketing"]),
    customer: { id: `C-${g.int(1, 500)}`, name: "客戶", creditRating: rating },
    amount: cny(g.int(1_000, 5_000_000) * 100),
    currency: "CNY",
    clauses,
    paymentTermDays: terms,
    legalReview: review,
    signedAt: signed === undefined ? undefined : g.iso(signed),
    archivedAt: archivedAt === undefined ? undefined : g.iso(archivedAt),
    copiesSentTo,
    changes,
  };
}

function complaint(g: Gen, start: number, f: Faults): z.input<typeof complaintData> {
  const category = f.has("escalation")
    ? g.pick(["legal", "media"] as const)
    : g.weighted({ general: 35, service: 30, quality: 20, legal: 8, media: 7 });
  const severe = category === "quality" || category === "legal" || category === "media";
  const responseLimit = severe ? 4 * 60 : 24 * 60; // minutes
  const resolveLimit = (severe ? 3 : 7) * 24 * 60;
  /** When an event happened: on time (10 % exactly at the limit) or late; absent while in the future. */
  const when = (limit: number, late = false) =>
    past(start + (late ? limit + g.int(1, 600) : g.chance(0.1) ? limit : g.int(5, limit)) * MIN);
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : g.iso(ms));
  /** A faulted event is late or never happened at all. */
  const event = (limit: number, fault: boolean) => (fault && g.chance(0.3) ? undefined : when(limit, fault));

  const assigned = event(120, f.has("assign"));
  const resolutionFault = f.has("resolution") ? g.pick(["late", "unnotified", "notified-late"]) : undefined;
  const resolved = when(resolveLimit, resolutionFault === "late");
  let notified: number | undefined;
  if (resolved !== undefined && resolutionFault !== "unnotified") {
    notified = past(
      resolutionFault === "notified-late"
        ? start + (resolveLimit + g.int(1, 600)) * MIN
        : Math.max(resolved, Math.min(resolved + g.minutes(0, 180), start + resolveLimit * MIN)),
    );
  }
  const escalations: { to: string; at: string }[] = [];
  if (category === "legal" || category === "media") {
    const management = g.pick(["management", "general-manager"]);
    const faulted = f.has("escalation") ? g.pick(["quality", management]) : undefined;
    for (const to of ["quality", management]) {
      const at = event(24 * 60, to === faulted);
      if (at !== undefined) escalations.push({ to, at: g.iso(at) });
    }
  }
  const contact = f.has("contact") ? g.pick([undefined, "", "  "]) : `138${g.int(10_000_000, 99_999_999)}`;
  return {
    department: "customer-service",
    customer: { id: `C-${g.int(1, 500)}`, name: "客戶", contact },
    channel: g.pick(["phone", "email", "online", "visit"] as const),
    category,
    content: f.has("content") ? g.pick(["", "   "]) : "產品使用問題，要求回覆",
    receivedAt: g.iso(start),
    assignedTo:
      assigned === undefined ? undefined : { person: "as.sun", role: "after-sales", at: g.iso(assigned) },
    firstResponseAt: iso(event(responseLimit, f.has("response"))),
    resolvedAt: iso(resolved),
    customerNotifiedAt: iso(notified),
    escalations,
  };
}

type Access = z.input<typeof accessData>;

function access(g: Gen, start: number, f: Faults): Access {
  const needsConfidential = ["auth", "agreement", "encryption", "external"].some((k) => f.has(k));
  let kind = g.weighted({ public: 30, "customer-info": 35, "trade-secret": 15, "market-research": 20 });
  if (needsConfidential && kind === "public") kind = "trade-secret";
  let action = g.weighted({ read: 55, export: 20, print: 15, "share-external": 10 });
  if (f.has("external")) action = "share-external";
  if (f.has("bulk")) [kind, action] = ["customer-info", "export"];
  const confidential = kind !== "public";
  const at = start;
  const bulk = action === "export" && kind === "customer-info";
  const recordCount = bulk ? (f.has("bulk") ? g.int(101, 5_000) : g.int(1, 300)) : undefined;

  // company approval wherever one is needed (external sharing, bulk export), at or before the access
  let approval: Access["disclosureApproval"];
  if ((confidential && action === "share-external") || (recordCount ?? 0) > 100)
    approval = {
      approver: "gm.chen",
      role: g.pick(["general-manager", "management"]),
      at: g.iso(at - g.minutes(0, 7200)),
    };
  if (f.has("bulk")) approval = undefined;
  if (f.has("external"))
    approval = g.pick([
      undefined,
      { approver: "md.li", role: "marketing-director", at: g.iso(at - HOUR) }, // not a company approval
      { approver: "gm.chen", role: "management", at: g.iso(at + g.minutes(1, 600)) }, // after the fact
    ]);

  let authorization: Access["authorization"];
  if (confidential || g.chance(0.3)) {
    const expires = at + (g.chance(0.05) ? g.minutes(1, 60) : g.minutes(60, 180 * 24 * 60));
    const kinds = g.chance(0.3) ? [kind, "public" as const] : [kind];
    const actions = g.chance(0.5) ? [action, "read" as const] : [action];
    authorization = { grantedBy: "dh.lin", kinds, actions, expiresAt: g.iso(expires) };
    if (f.has("auth")) {
      const expiredAt = at - (g.chance(0.5) ? 0 : g.minutes(1, 600)); // expiry is strict: at == expiry fails
      authorization = g.pick([
        undefined,
        { ...authorization, kinds: ["public"] },
        { ...authorization, actions: [action === "read" ? "print" : "read"] },
        { ...authorization, expiresAt: g.iso(expiredAt) },
      ]);
    }
  }
  const agreement = f.has("agreement")
    ? g.chance(0.5)
      ? undefined
      : at + g.minutes(1, 30 * 24 * 60) // signed only after the access
    : at - (g.chance(0.05) ? 0 : g.minutes(60, 400 * 24 * 60));
  return {
    department: g.pick(DEPARTMENTS),
    actor: {
      id: g.pick(STAFF),
      roles: [g.pick(["salesperson", "analyst", "marketing"])],
      confidentialityAgreementSignedAt: agreement === undefined ? undefined : g.iso(agreement),
    },
    resource: { kind, id: `RES-${g.int(1, 9999)}`, recordCount },
    action,
    at: g.iso(at),
    encrypted: f.has("encryption") ? false : confidential || g.chance(0.7),
    authorization,
    disclosureApproval: approval,
    recipient: action === "share-external" ? g.pick(["partner-a", "agency-b", "auditor-c"]) : undefined,
  };
}

const BUILDERS = { expense, quote, contract, complaint, access } as const;
const MIX = { expense: 30, quote: 20, contract: 15, complaint: 25, access: 10 } as const;
const SOURCES = {
  expense: "erp",
  quote: "crm",
  contract: "contracts",
  complaint: "ticketing",
  access: "iam",
} as const;
/**
 * Share of records given a fault; all others are compliant. A fault whose deadline is still
 * pending at BENCH_NOW shows no violation yet, like in production.
 */
const FAULT_RATE = 0.3;

/**
 * `count` records parsed by the record schema (so timestamps are UTC, nulls dropped), exactly as
 * the API hands them to the evaluator. Same (count, seed) → same records.
 */
export function generateRecords(count: number, seed = 20260401): RecordEnvelope[] {
  const g = new Gen(seed);
  const records: RecordEnvelope[] = [];
  for (let i = 0; i < count; i++) {
    const type = g.weighted(MIX);
    const faults = new Set<string>();
    if (g.chance(FAULT_RATE)) {
      faults.add(g.pick(FAULTS[type]));
      if (g.chance(0.15)) faults.add(g.pick(FAULTS[type]));
    }
    // 15 % are recent (deadlines may still be pending at BENCH_NOW); the rest spread over the quarter
    const ageMinutes = g.chance(0.15) ? g.int(0, 3 * 24 * 60) : g.int(3 * 24 * 60, 85 * 24 * 60);
    const start = BENCH_NOW_MS - ageMinutes * MIN;
    const input = {
      type,
      id: `${type.slice(0, 3).toUpperCase()}-2026-${String(i).padStart(6, "0")}`,
      revision: g.int(1, 4),
      occurredAt: g.iso(start),
      source: SOURCES[type],
      data: BUILDERS[type](g, start, faults),
    } as RecordInput;
    records.push(recordSchema.parse(input));
  }
  return records;
}
