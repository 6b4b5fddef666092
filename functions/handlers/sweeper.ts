/** Scheduled (EventBridge Scheduler on AWS, a timer locally): re-evaluates records whose deadline is due. */
import { DomainError } from "../core/errors.ts";
import { fromEnvEvaluating } from "../runtime/evaluating-runtime.ts";
import { backgroundCorrelation } from "../runtime/logger.ts";
import { logger, type RuntimeSource } from "../runtime/runtime.ts";
import { sweep } from "../service/sweep.ts";

export function createSweeperHandler(source: RuntimeSource = fromEnvEvaluating) {
  return async () => {
    backgroundCorrelation("sweep");
    const result = await sweep((await source()).platform, logger);
    logger.info("sweep done", { ...result });
    if (result.failed > 0)
      throw new DomainError("sweep_incomplete", `sweep: ${result.failed} record(s) failed; they stay due`);
    return result;
  };
}

export const handler = createSweeperHandler();
