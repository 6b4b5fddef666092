/**
 * GET /v1/audit/verify (auditor): checks every audit chain and digest, the anchored digests, and
 * that every stored revision and violation change has its entry. 200 either way: `ok: true` with
 * the counts (and `pending`: events the consumer has not reached yet), or `ok: false` with
 * `firstBad` naming the first modified, missing, inserted or reordered entry (or digest).
 */
import { type HttpResult, json } from "../http/api.ts";
import { auditWithAnchorOf } from "../runtime/audit-anchor-runtime.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { verifyAudit } from "../service/audit.ts";

export async function auditVerifyRoute(rt: Runtime): Promise<HttpResult> {
  return json(200, await verifyAudit(await auditWithAnchorOf(rt)));
}
