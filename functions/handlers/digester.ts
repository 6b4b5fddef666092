/**
 * Scheduled (EventBridge Scheduler on AWS, a timer locally): seals every audit chain's head into the
 * next signed, chained digest.
 */

import { auditOf } from "../runtime/audit-runtime.ts";
import { fromEnv, logger, type RuntimeSource } from "../runtime/runtime.ts";
import { type DigestOutcome, writeDigest } from "../service/audit.ts";

export function createDigesterHandler(source: RuntimeSource = fromEnv) {
  return async (): Promise<DigestOutcome> => {
    const outcome = await writeDigest(auditOf(await source()));
    logger.info("audit digest", { ...outcome });
    return outcome;
  };
}

export const handler = createDigesterHandler();
