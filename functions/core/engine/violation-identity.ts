/**
 * What names a violation and its states, without the rule engine: its id (derived from the
 * record type, record id, policyId and ruleId only) and its statuses. The stores, queries and API
 * schemas import this, not violation.ts, so functions that never evaluate carry no engine.
 */
import { createHash } from "node:crypto";

export const VIOLATION_STATUSES = ["open", "acknowledged", "waived", "resolved"] as const;
export type ViolationStatus = (typeof VIOLATION_STATUSES)[number];

/** 32 hex characters of sha256 over the four identifying fields. */
export function violationId(type: string, recordId: string, policyId: string, ruleId: string): string {
  return createHash("sha256")
    .update(JSON.stringify([type, recordId, policyId, ruleId]))
    .digest("hex")
    .slice(0, 32);
}
