/**
 * Middleware: every error becomes a JSON answer (CONTRACT §2), its status from the error's code
 * (functions/core/errors.ts, the one mapping). A code that means our fault (500), and anything
 * that is not a DomainError, is logged with the correlation id and answered `internal_error`
 * without internals.
 */

import type { Logger } from "@aws-lambda-powertools/logger";
import type { MiddlewareObj } from "@middy/core";
import { httpOutcome, isDomainError } from "../core/errors.ts";
import { isDependencyUnavailable } from "../store/errors.ts";
import { type HttpEvent, type HttpResult, json } from "./api.ts";
import { errorBody } from "./errors.ts";

const INTERNAL = { error: { code: "internal_error", message: "internal error" } } as const;

export function errorResponse(logger: Logger): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      if (isDomainError(error)) {
        const { status, headers } = httpOutcome(error.code);
        if (status < 500) {
          logger.info("request refused", { status, code: error.code });
          request.response = json(status, errorBody(error), { ...headers });
          return;
        }
      }
      if (isDependencyUnavailable(error)) {
        // not our bug and not the caller's: a dependency is down (the cause chain says so); say
        // when to retry, and keep it off the 5xx-means-our-fault alarm
        logger.warn("dependency unavailable", { error: error as Error });
        const { status, headers } = httpOutcome("unavailable");
        request.response = json(
          status,
          { error: { code: "unavailable", message: "a dependency is unavailable; retry later" } },
          { ...headers },
        );
        return;
      }
      if (isDomainError(error)) logger.error("request failed", { code: error.code, error });
      else logger.error("unexpected error", { error: error as Error });
      request.response = json(500, INTERNAL);
    },
  };
}
