/**
 * Middleware: every error becomes a JSON answer (CONTRACT §2). HttpErrors keep their status and
 * code; anything else is logged with the correlation id and answered 500 without internals.
 */

import type { Logger } from "@aws-lambda-powertools/logger";
import type { MiddlewareObj } from "@middy/core";
import { type HttpEvent, type HttpResult, json } from "./api.ts";
import { HttpError } from "./errors.ts";

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
      logger.error("unexpected error", { error: error as Error });
      request.response = json(500, { error: { code: "internal_error", message: "internal error" } });
    },
  };
}
