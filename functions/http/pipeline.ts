/**
 * The one way an HTTP handler is assembled: correlation id, errors → JSON, then the route's own
 * middlewares (body, auth, parsing), then a small function that only does the route's work.
 */
import middy, { type MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import { logger } from "../runtime/logger.ts";
import type { HttpEvent, HttpResult } from "./api.ts";
import { correlationId } from "./correlation.ts";
import { errorResponse } from "./error-response.ts";

export type HttpFunction = (event: HttpEvent) => Promise<HttpResult>;
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export function httpHandler(
  fn: HttpFunction,
  ...middlewares: MiddlewareObj<HttpEvent, HttpResult>[]
): HttpHandler {
  let chain = middy<HttpEvent, HttpResult>().use(correlationId(logger)).use(errorResponse(logger));
  for (const m of middlewares) chain = chain.use(m);
  return chain.handler(fn) as unknown as HttpHandler;
}
