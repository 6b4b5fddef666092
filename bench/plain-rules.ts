/**
 * The 25 catalogue rules of policy version 1 hand-written as one plain TypeScript function: no
 * policy files, no condition tree, parameters hard-coded. It is the practical speed limit the
 * compiled evaluator is measured against, and a second, independent reading of the CATALOGUE that
 * the bench cross-checks against the engine.
 *
 * Same conventions as the engine: inclusive limits, strict expiry, missing = blank, money compared
 * exactly (products and quotients in integer cents, or big.js when an amount has more than 2
 * decimals), general-manager = management, deadlines measured against `now` while awaited.
 */
import Big from "big.js";
import type { RecordEnvelope } from "../schemas/record.ts";
import { MANDATORY_CLAUSES } from "../schemas/records/contract.ts";

type DataOf<T extends RecordEnvelope["type"]> = Extract<RecordEnvelope, { type: T }>["data"];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const time = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
const present = (s: string | undefined) => s !== undefined && s.trim() !== "";
const isManagement = (role: string) => role === "general-manager" || role === "management";
/** "X or higher": salesperson 0 < sales-manager 1 < marketing-director 2 < general-manager = management 3. */
const rank = (role: string) =>
  isManagement(role) ? 3 : ["salesperson", "sales-manager", "marketing-director"].indexOf(role);

/** Expense approval authority in CNY (roles not listed: none). */
function expenseAuthority(role: string): number {
  if (role === "department-head") return 5_000;
  if (role === "marketing-director") return 50_000;
  return isManagement(role) ? Number.POSITIVE_INFINITY : 0;
}

/** Discount authority in whole percent (roles not listed: none). */
function discountAuthority(role: string): number {
  if (role === "salesperson") return 5;
  if (role === "sales-manager") return 10;
  if (role === "marketing-director") return 20;
  return isManagement(role) ? Number.POSITIVE_INFINITY : 0;
}

/** Integer cents of an amount with at most 2 decimals; undefined otherwise (then use big.js). */
function cents(amount: number): number | undefined {
  const c = Math.round(amount * 100);
  return Number.isSafeInteger(c) && c / 100 === amount ? c : undefined;
}

/** num/den > p/q (q > 0), exactly; x/0 is +∞ for x > 0 and 0 for x = 0, as the engine's Ratio. */
function ratioAbove(num: Big, den: Big, p: number, q: number): boolean {
  if (den.eq(0)) return num.gt(0);
  const left = num.times(q);
  const right = den.times(p);
  return den.gt(0) ? left.gt(right) : left.lt(right);
}

/** Overall discount 1 − Σunit·qty / Σlist·qty above `pct` %; no discount when the list total is 0. */
function discountAbove(items: DataOf<"quote">["items"], pct: number): boolean {
  let list = 0;
  let quoted = 0;
  for (const i of items) {
    const l = cents(i.listPrice);
    const u = cents(i.unitPrice);
    if (l === undefined || u === undefined || !Number.isInteger(i.quantity))
      return discountAboveBig(items, pct);
    list += l * i.quantity;
    quoted += u * i.quantity;
  }
  // integers up to 2^53 are exact in doubles, so cross-multiplication is exact below that
  if (!Number.isSafeInteger(list * 100) || !Number.isSafeInteger(quoted * 100))
    return discountAboveBig(items, pct);
  if (list === 0) return false;
  return list > 0 ? (list - quoted) * 100 > pct * list : (list - quoted) * 100 < pct * list;
}

function discountAboveBig(items: DataOf<"quote">["items"], pct: number): boolean {
  let list = new Big(0);
  let quoted = new Big(0);
  for (const i of items) {
    list = list.plus(new Big(i.listPrice).times(i.quantity));
    quoted = quoted.plus(new Big(i.unitPrice).times(i.quantity));
  }
  return !list.eq(0) && ratioAbove(list.minus(quoted), list, pct, 100);
}

/** Latest of the earliest times each wanted key was reached; undefined until all were. */
function completedAt(
  entries: readonly { key: string; at: string }[],
  wanted: readonly string[],
): number | undefined {
  let latest: number | undefined;
  for (const key of wanted) {
    let earliest = Number.POSITIVE_INFINITY;
    for (const e of entries) if (e.key === key) earliest = Math.min(earliest, Date.parse(e.at));
    if (earliest === Number.POSITIVE_INFINITY) return undefined;
    latest = latest === undefined ? earliest : Math.max(latest, earliest);
  }
  return latest;
}

/** Time from `from` to the awaited moment, or to now while it is still awaited. */
const elapsed = (from: string, until: number | undefined, nowMs: number) =>
  (until ?? nowMs) - Date.parse(from);

function expense(d: DataOf<"expense">, out: string[]): void {
  // approval-chain: each step's earliest approval no earlier than the previous step's
  if (d.status === "reimbursed") {
    let previous = Number.NEGATIVE_INFINITY;
    for (const step of ["department-review", "finance-review", "leadership-approval"]) {
      let earliest = Number.POSITIVE_INFINITY;
      for (const a of d.approvals) {
        const at = Date.parse(a.at);
        if (a.step === step && a.decision === "approved" && at >= previous && at < earliest) earliest = at;
      }
      previous = earliest;
    }
    if (previous === Number.POSITIVE_INFINITY) out.push("expense-approval/approval-chain");
  }
  let authority = -1; // -1: no approved leadership step
  let adjusted = false;
  let self = false;
  for (const a of d.approvals) {
    const approver = a.approver.trim();
    if (approver !== "" && approver === d.applicant) self = true;
    if (a.decision !== "approved") continue;
    if (a.step === "leadership-approval") authority = Math.max(authority, expenseAuthority(a.role.trim()));
    if (a.step === "budget-adjustment") adjusted = true;
  }
  if (authority >= 0 && authority < d.amount) out.push("expense-approval/approval-limit");
  if (self) out.push("expense-approval/self-approval");
  if (d.amount > d.budget.remaining && !adjusted) out.push("expense-approval/over-budget"); // doubles compare exactly
  const adj = d.budgetAdjustment;
  if (adj) {
    // share of the line above 10 %, exactly (rare, so big.js is cheap enough here)
    const major = ratioAbove(new Big(adj.amount), new Big(adj.lineTotal), 1, 10);
    const roles = adj.approvals.map((a) => a.role.trim());
    if (major && !(roles.includes("marketing-director") && roles.some(isManagement)))
      out.push("expense-approval/major-budget-adjustment");
  }
  if (d.status !== "draft" && d.attachments === 0) out.push("expense-approval/supporting-documents");
}

function quote(d: DataOf<"quote">, out: string[]): void {
  const sent = time(d.sentAt);
  if (sent === undefined) return;
  const reviewed = d.reviews.some(
    (r) => r.decision === "approved" && r.role.trim() === "sales-manager" && Date.parse(r.at) <= sent,
  );
  if (!reviewed) out.push("quote-approval/manager-review");
  let authority = discountAuthority("salesperson");
  for (const a of d.approvals)
    if (Date.parse(a.at) <= sent) authority = Math.max(authority, discountAuthority(a.role.trim()));
  if (authority !== Number.POSITIVE_INFINITY && discountAbove(d.items, authority))
    out.push("quote-approval/discount-authority");
}

/** v1's mandatory clauses (hard-coded as every parameter here: the list the contract generator drops from). */
const MANDATORY = MANDATORY_CLAUSES;

function contract(d: DataOf<"contract">, nowMs: number, out: string[]): void {
  if (MANDATORY.some((c) => !d.clauses.includes(c))) out.push("contract-clauses/mandatory-clauses");
  if (!d.clauses.includes("default-liability")) out.push("contract-clauses/default-liability");
  const signed = time(d.signedAt);
  const review = d.legalReview;
  if (signed !== undefined && (review?.decision !== "approved" || Date.parse(review.at) > signed))
    out.push("contract-clauses/legal-review");
  const risky = d.customer.creditRating === "C" || d.customer.creditRating === "D";
  if (risky && !d.clauses.includes("guarantee") && d.paymentTermDays > 30)
    out.push("contract-clauses/credit-safeguard");
  if (signed !== undefined) {
    if ((time(d.archivedAt) ?? nowMs) - signed > 7 * DAY) out.push("contract-clauses/archive-deadline");
    const copies = completedAt(
      d.copiesSentTo.map((c) => ({ key: c.department.trim(), at: c.at })),
      ["finance", "production"],
    );
    if ((copies ?? nowMs) - signed > 3 * DAY) out.push("contract-clauses/copies-distributed");
  }
  const unapproved = d.changes.some((c) => {
    const at = Date.parse(c.at);
    return !c.approvals.some((a) => rank(a.role.trim()) >= 1 && Date.parse(a.at) <= at);
  });
  if (unapproved) out.push("contract-clauses/change-approval");
}

function complaint(d: DataOf<"complaint">, nowMs: number, out: string[]): void {
  if (!present(d.content) || !present(d.customer.contact)) out.push("complaint-response/record-completeness");
  if (elapsed(d.receivedAt, time(d.assignedTo?.at), nowMs) > 2 * HOUR)
    out.push("complaint-response/assignment");
  const severe = d.category === "quality" || d.category === "legal" || d.category === "media";
  if (elapsed(d.receivedAt, time(d.firstResponseAt), nowMs) > (severe ? 4 : 24) * HOUR)
    out.push("complaint-response/first-response");
  // resolution awaits two events: done at the later one; while either is missing, not before now
  const resolved = time(d.resolvedAt);
  const notified = time(d.customerNotifiedAt);
  const done =
    resolved !== undefined && notified !== undefined
      ? Math.max(resolved, notified)
      : Math.max(nowMs, resolved ?? nowMs, notified ?? nowMs);
  if (elapsed(d.receivedAt, done, nowMs) > (severe ? 3 : 7) * DAY) out.push("complaint-response/resolution");
  if (d.category === "legal" || d.category === "media") {
    const entries = d.escalations.map((e) => ({
      key: isManagement(e.to.trim()) ? "management" : e.to.trim(),
      at: e.at,
    }));
    const escalated = completedAt(entries, ["quality", "management"]);
    if (elapsed(d.receivedAt, escalated, nowMs) > 24 * HOUR) out.push("complaint-response/escalation");
  }
}

function access(d: DataOf<"access">, out: string[]): void {
  const at = Date.parse(d.at);
  const kind = d.resource.kind;
  const confidential = kind !== "public";
  const auth = d.authorization;
  // only a general-manager / management approval counts as the company's
  const company =
    d.disclosureApproval && isManagement(d.disclosureApproval.role.trim())
      ? Date.parse(d.disclosureApproval.at)
      : undefined;
  if (confidential) {
    const covered =
      auth?.kinds.includes(kind) && auth.actions.includes(d.action) && Date.parse(auth.expiresAt) > at;
    if (!covered) out.push("confidential-access/authorized-personnel");
    const agreement = time(d.actor.confidentialityAgreementSignedAt);
    if (agreement === undefined || agreement > at) out.push("confidential-access/confidentiality-agreement");
    if (!d.encrypted) out.push("confidential-access/encryption");
    if (d.action === "share-external" && (company === undefined || company > at))
      out.push("confidential-access/external-disclosure");
  }
  if (
    d.action === "export" &&
    kind === "customer-info" &&
    (d.resource.recordCount ?? 0) > 100 &&
    company === undefined
  )
    out.push("confidential-access/bulk-customer-export");
}

/** The `policyId/ruleId` of every rule of version 1 that fires for the record at `nowMs`. */
export function plainEvaluate(record: RecordEnvelope, nowMs: number): string[] {
  const out: string[] = [];
  switch (record.type) {
    case "expense":
      expense(record.data, out);
      break;
    case "quote":
      quote(record.data, out);
      break;
    case "contract":
      contract(record.data, nowMs, out);
      break;
    case "complaint":
      complaint(record.data, nowMs, out);
      break;
    case "access":
      access(record.data, out);
      break;
  }
  return out;
}
