/**
 * GET /v1/audit/verify (auditor): checks every audit chain and digest. 200 either way: `ok: true`
 * with the counts, or `ok: false` with `firstBad` naming the first modified, missing, inserted or
 * reordered entry (or a digest whose hash or signature does not hold).
 */
import { type HttpResult, json } from "../http/api.ts";
import { auditOf } from "../runtime/audit-runtime.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { verifyAudit } from "../service/audit.ts";

export async function auditVerifyRoute(rt: Runtime): Promise<HttpResult> {
  return json(200, await verifyAudit(auditOf(rt)));
}
