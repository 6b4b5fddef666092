/**
 * Middleware: a correlation id per request (the caller's X-Correlation-Id, else API Gateway's
 * request id), on every log line and echoed in the response.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { MiddlewareObj } from "@middy/core";
import { type HttpEvent, type HttpResult, header } from "./api.ts";

const SAFE = /^[A-Za-z0-9._:-]{1,128}$/;

export function correlationId(logger: Logger): MiddlewareObj<HttpEvent, HttpResult> {
  const echo = async (request: { event: HttpEvent; response?: HttpResult | null }) => {
    const id = request.event.correlationId;
    if (request.response && id)
      request.response.headers = { ...request.response.headers, "x-correlation-id": id };
  };
  return {
    before: async (request) => {
      const given = header(request.event, "x-correlation-id");
      const id = given && SAFE.test(given) ? given : request.event.requestContext?.requestId || randomUUID();
      // kept on the event: the local server runs requests concurrently through one handler
      request.event.correlationId = id;
      logger.setCorrelationId(id);
    },
    after: echo,
    onError: echo,
  };
}
