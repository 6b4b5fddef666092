/** A stored violation for tests that need one without judging a record (override what matters). */
import type { StoredViolation } from "../../functions/core/lifecycle.ts";

/** An open expense-approval/over-budget violation assigned to finance (fin.wang), detected 2026-03-02. */
export function storedViolation(overrides: Partial<StoredViolation> = {}): StoredViolation {
  return {
    id: "v1",
    policyId: "expense-approval",
    policyVersion: 1,
    ruleId: "over-budget",
    area: "approval-limits",
    severity: "high",
    record: { type: "expense", id: "E-1", revision: 1 },
    status: "open",
    message: { zh: "x", en: "x" },
    assignees: [{ role: "finance", people: ["fin.wang"] }],
    dueAt: "2026-03-04T00:00:00.000Z",
    detectedAt: "2026-03-02T00:00:00.000Z",
    resolvedAt: null,
    evidence: {},
    source: [],
    history: [{ status: "open", at: "2026-03-02T00:00:00.000Z", by: "system", reason: null }],
    updatedAt: "2026-03-02T00:00:00.000Z",
    ver: 1,
    ...overrides,
  };
}
