/**
 * People acting on a violation: acknowledge, waive (with an expiry), reopen. The caller is the
 * signed-in person; CONTRACT §6 is judged on the violation as stored at the moment of the write
 * (its assignees, escalations included, and its record's actor), and the history names the caller.
 */
import { type Caller, requireAllowed } from "../core/authorization.ts";
import { applyCaseAction, type CaseAction, maxWaiverDays } from "../core/case-actions.ts";
import type { StoredViolation } from "../core/lifecycle.ts";
import { findVersion } from "../core/policy/model.ts";
import type { Platform } from "./platform.ts";
import { changeViolation, ViolationNotFoundError } from "./violation-actions.ts";

export interface CaseBody {
  readonly reason: string;
  readonly until?: string;
  /** Optional; must be the caller's id. */
  readonly by?: string;
}

export async function actOnViolation(
  platform: Platform,
  id: string,
  action: CaseAction,
  body: CaseBody,
  caller: Caller,
): Promise<StoredViolation> {
  const at = platform.now().toISOString();
  const updated = await changeViolation(platform, id, (violation, context) => {
    // 403 actor_mismatch / separation_of_duties / not_assigned, before the 409 of the transition
    requireAllowed(caller, {
      action,
      violation: { assignees: violation.assignees, culprits: context.culprits },
      ...(body.by !== undefined ? { by: body.by } : {}),
    });
    if (caller.kind !== "person") throw new Error("unreachable: authorize lets only people act");
    return applyCaseAction({
      violation,
      action,
      request: { by: caller.id, reason: body.reason, ...(body.until ? { until: body.until } : {}) },
      at,
      rule: context.rule,
      culprits: context.culprits,
      maxWaiverDays: maxWaiverDays(
        findVersion(platform.set, violation.policyId, violation.policyVersion)?.parameters,
        platform.maxWaiverDays,
      ),
    });
  });
  if (!updated) throw new ViolationNotFoundError(id);
  return updated;
}
