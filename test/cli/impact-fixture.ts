/**
 * A base/proposed pair for `policy impact`: expense-approval v2 (in force from 2026-02-01) lowers
 * the marketing director's authority (50,000 → 20,000), raises the department head's
 * (5,000 → 8,000) and assigns approval-limit violations to management instead of the director.
 */
import { type RecordEnvelope, recordSchema } from "../../schemas/record.ts";
import { expense } from "../support/records.ts";
import { nextVersion } from "./policy-repo.ts";

export function expenseV2(v1: string): string {
  return nextVersion(v1, 2, "2026-02-01", (doc) => {
    doc.setIn(["parameters", "approvalAuthority", "marketing-director"], 20000);
    doc.setIn(["parameters", "approvalAuthority", "department-head"], 8000);
    const index = (doc.toJS().rules as { id: string }[]).findIndex((r) => r.id === "approval-limit");
    doc.setIn(["rules", index, "assign"], doc.createNode(["finance", "management"]));
  });
}

/** An expense approved at the leadership step by `role`. */
export function approvedExpense(
  id: string,
  amount: number,
  role: "marketing-director" | "department-head",
  options: { revision?: number; occurredAt?: string } = {},
): RecordEnvelope {
  const approver = role === "marketing-director" ? "md.li" : "dh.lin";
  return recordSchema.parse(
    expense(
      id,
      options.revision ?? 1,
      {
        amount,
        budget: { lineId: "MKT-2026-EXPO", remaining: 1_000_000 },
        status: "approved",
        approvals: [
          { step: "leadership-approval", approver, role, decision: "approved", at: "2026-03-02T09:00:00Z" },
        ],
      },
      options.occurredAt ?? "2026-03-01T08:00:00Z",
    ),
  );
}

/** Opens one (E-OPEN), resolves one (E-RESOLVE), reassigns one (E-BOTH); E-EARLY occurred under v1. */
export function impactRecords(): RecordEnvelope[] {
  return [
    approvedExpense("E-OPEN", 30000, "marketing-director"),
    approvedExpense("E-RESOLVE", 7000, "department-head"),
    approvedExpense("E-BOTH", 60000, "marketing-director"),
    approvedExpense("E-NONE", 1000, "department-head"),
    approvedExpense("E-EARLY", 7000, "department-head", { occurredAt: "2026-01-15T08:00:00Z" }),
  ];
}
