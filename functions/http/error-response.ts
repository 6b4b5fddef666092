/**
 * Middleware: every error becomes a JSON answer (CONTRACT §2). HttpErrors keep their status and
 * code; anything else is logged with the correlation id and answered 500 without internals.
 */

import type { Logger } from "@aws-lambda-powertools/logger";
import type { MiddlewareObj } from "@middy/core";
import { isDependencyUnavailable } from "../store/errors.ts";
import { type HttpEvent, type HttpResult, json } from "./api.ts";
import { HttpError } from "./errors.ts";

/** Seconds a caller should wait before retrying after a 503. */
export const RETRY_AFTER_S = 5;

export function errorResponse(logger: Logger): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof HttpError) {
        if (error.status >= 500) logger.error("request failed", { code: error.code, error });
        else logger.info("request refused", { status: error.status, code: error.code });
        request.response = json(error.status, error.toBody(), { ...error.headers });
        return;
      }
      if (isDependencyUnavailable(error)) {
        // not our bug and not the caller's: a dependency is down; say when to retry
        logger.warn("dependency unavailable", { error: error as Error });
        request.response = json(
          503,
          { error: { code: "unavailable", message: "a dependency is unavailable; retry later" } },
          { "retry-after": String(RETRY_AFTER_S) },
        );
        return;
      }
      logger.error("unexpected error", { error: error as Error });
      request.response = json(500, { error: { code: "internal_error", message: "internal error" } });
    },
  };
}
