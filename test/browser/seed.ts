/**
 * What the browser tests find on the platform: records posted the way an ERP would, chosen so
 * that every view has something to show.
 *
 * - EXP-CONSOLE-1 (expense, two revisions): applied for by fin.wang, who is also in the finance role
 *   the violations are assigned to — so fin.wang sees them in the queue and, as the record's
 *   culprit, is refused a waiver (separation of duties), while fin.zhao (finance) may act.
 * - EXP-CONSOLE-2: another department's expense, for filters.
 * - CMP-CONSOLE-1..3: complaints received in 2026 Q4 (one legal), for the complaint report.
 */
import { postRecord, waitForViolations } from "./platform.ts";

export const CULPRIT = "fin.wang";
export const ASSIGNEE = "fin.zhao";
export const EXPENSE = "EXP-CONSOLE-1";
export const OTHER_EXPENSE = "EXP-CONSOLE-2";
export const COMPLAINT_QUARTER = { year: "2026", quarter: "4", from: "2026-10-01", to: "2026-12-31" };

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

function expense(id: string, revision: number, data: Record<string, unknown>) {
  return {
    type: "expense",
    id,
    revision,
    occurredAt: daysAgo(3),
    source: "erp",
    data: {
      department: "marketing",
      applicant: CULPRIT,
      category: "travel",
      amount: 12000,
      currency: "CNY",
      budget: { lineId: "L1", remaining: 8000 },
      attachments: 1,
      status: "submitted",
      submittedAt: daysAgo(3),
      approvals: [],
      ...data,
    },
  };
}

/** An expense over its remaining budget (12,000 against 8,000), for the dry run: not posted. */
export function dryRunRecord(id: string, occurredAt: string, source: string) {
  return {
    type: "expense",
    id,
    revision: 1,
    occurredAt,
    source,
    data: {
      department: "marketing",
      applicant: "a.wu",
      category: "travel",
      amount: 12000,
      currency: "CNY",
      budget: { lineId: "L1", remaining: 8000 },
      attachments: 1,
      status: "submitted",
      approvals: [],
    },
  };
}

function complaint(id: string, category: string, receivedAt: string) {
  return {
    type: "complaint",
    id,
    revision: 1,
    occurredAt: receivedAt,
    source: "crm",
    data: {
      department: "customer-service",
      customer: { id: `C-${id}`, name: "某客戶", contact: "+86 10 0000 0000" },
      channel: "phone",
      category,
      content: "產品有問題 / a product problem",
      receivedAt,
      escalations: [],
    },
  };
}

export async function seed(base: string): Promise<void> {
  await postRecord(base, expense(EXPENSE, 1, {}));
  await postRecord(base, expense(EXPENSE, 2, { attachments: 0, amount: 12500 }));
  await postRecord(
    base,
    expense(OTHER_EXPENSE, 1, { department: "sales", applicant: "a.wu", amount: 30000 }),
  );
  await postRecord(base, complaint("CMP-CONSOLE-1", "general", "2026-10-12T02:00:00Z"));
  await postRecord(base, complaint("CMP-CONSOLE-2", "legal", "2026-11-03T09:30:00+08:00"));
  await postRecord(base, complaint("CMP-CONSOLE-3", "quality", "2026-11-20T16:00:00Z"));
  await waitForViolations(base, EXPENSE, 1);
  await waitForViolations(base, OTHER_EXPENSE, 1);
  await waitForViolations(base, "CMP-CONSOLE-3", 1);
}
