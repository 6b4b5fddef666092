/** Small builders of valid records for integration tests (defaults fire nothing). */
import type { RecordInput } from "../../schemas/record.ts";

type Data = Record<string, unknown>;

export function expense(
  id: string,
  revision: number,
  data: Data = {},
  occurredAt = "2026-03-01T08:00:00Z",
): RecordInput {
  return {
    type: "expense",
    id,
    revision,
    occurredAt,
    source: "erp",
    data: {
      department: "marketing",
      applicant: "a.wu",
      category: "travel",
      amount: 3000,
      currency: "CNY",
      budget: { lineId: "MKT-2026-TRAVEL", remaining: 8000 },
      attachments: 2,
      status: "submitted",
      submittedAt: "2026-03-01T08:00:00Z",
      approvals: [],
      ...data,
    },
  } as RecordInput;
}

/** An expense over its remaining budget: fires expense-approval/over-budget only. */
export function overBudget(id: string, revision: number, amount = 12000): RecordInput {
  return expense(id, revision, { amount });
}

export function complaint(id: string, revision: number, data: Data = {}): RecordInput {
  return {
    type: "complaint",
    id,
    revision,
    occurredAt: "2026-03-01T08:00:00Z",
    source: "crm",
    data: {
      department: "customer-service",
      customer: { id: "C-1", name: "ACME", contact: "+86 138 0000 0000" },
      channel: "phone",
      category: "general",
      content: "the device stopped working",
      receivedAt: "2026-03-01T08:00:00Z",
      assignedTo: { person: "as.sun", role: "after-sales", at: "2026-03-01T08:30:00Z" },
      escalations: [],
      ...data,
    },
  } as RecordInput;
}

/** A general complaint nobody was assigned to, received 2026-03-01T08:00Z. */
export function unassignedComplaint(id = "CMP-1"): RecordInput {
  return complaint(id, 1, {
    customer: { id: "C1", name: "n", contact: "c@example.com" },
    content: "x",
    assignedTo: undefined,
  });
}

/** A plain quote: one item at a 10 % discount, sent, nothing to review (`item` overrides the item). */
export function quote(id: string, revision = 1, item: Data = {}): RecordInput {
  return {
    type: "quote",
    id,
    revision,
    occurredAt: "2026-03-01T08:00:00Z",
    source: "crm",
    data: {
      department: "sales",
      salesperson: "a.wu",
      customer: { id: "C1", name: "ACME" },
      items: [{ sku: "S", listPrice: 100, unitPrice: 90, quantity: 1, ...item }],
      status: "sent",
      reviews: [],
      approvals: [],
      sentAt: "2026-03-01T09:00:00Z",
    },
  } as RecordInput;
}

/** A quote whose 12 % discount was approved by a sales manager only: quote-approval/discount-authority. */
export function discountedQuote(
  id: string,
  revision: number,
  occurredAt = "2026-03-05T03:00:00Z",
): RecordInput {
  return {
    type: "quote",
    id,
    revision,
    occurredAt,
    source: "crm",
    data: {
      department: "sales",
      salesperson: "sp.wu",
      customer: { id: "CUS-0931", name: "華南醫療器械有限公司" },
      items: [{ sku: "LX-BPM-200", listPrice: 1000, unitPrice: 880, quantity: 50 }],
      status: "sent",
      reviews: [
        { role: "sales-manager", reviewer: "sm.zhang", decision: "approved", at: "2026-03-05T02:00:00Z" },
      ],
      approvals: [{ role: "sales-manager", approver: "sm.zhang", at: "2026-03-05T02:00:00Z" }],
      sentAt: "2026-03-05T03:00:00Z",
    },
  };
}
