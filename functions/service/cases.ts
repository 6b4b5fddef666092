/** Case handlers acting on a violation: acknowledge, waive (with an expiry), reopen. */
import { applyCaseAction, type CaseAction, type CaseRequest, maxWaiverDays } from "../core/case-actions.ts";
import type { StoredViolation } from "../core/lifecycle.ts";
import type { Platform } from "./platform.ts";
import { changeViolation, ViolationNotFoundError } from "./violation-actions.ts";

export async function actOnViolation(
  platform: Platform,
  id: string,
  action: CaseAction,
  request: CaseRequest,
): Promise<StoredViolation> {
  const at = platform.now().toISOString();
  const updated = await changeViolation(platform, id, (violation, context) =>
    applyCaseAction({
      violation,
      action,
      request,
      at,
      rule: context.rule,
      culprits: context.culprits,
      maxWaiverDays: maxWaiverDays(
        platform.set.versions.find(
          (v) => v.id === violation.policyId && v.version === violation.policyVersion,
        )?.parameters,
        platform.maxWaiverDays,
      ),
    }),
  );
  if (!updated) throw new ViolationNotFoundError(id);
  return updated;
}
