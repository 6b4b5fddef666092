/**
 * Scheduled (EventBridge Scheduler on AWS, a timer locally): seals every audit chain's end into the
 * next signed, chained digest, and anchors it outside the tables (the Object Lock bucket on AWS).
 */

import { auditWithAnchorOf } from "../runtime/audit-anchor-runtime.ts";
import { backgroundCorrelation } from "../runtime/logger.ts";
import { fromEnv, logger, type RuntimeSource } from "../runtime/runtime.ts";
import { type DigestOutcome, writeDigest } from "../service/audit.ts";

export function createDigesterHandler(source: RuntimeSource = fromEnv) {
  return async (): Promise<DigestOutcome> => {
    backgroundCorrelation("digest");
    const outcome = await writeDigest(await auditWithAnchorOf(await source()));
    logger.info("audit digest", { ...outcome });
    return outcome;
  };
}

export const handler = createDigesterHandler();
