/**
 * The one way an HTTP handler is assembled: correlation id, errors → JSON, then the route's own
 * middlewares (body, auth, parsing), then a small function that only does the route's work.
 */
import middy, { type MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import type { HttpEvent, HttpResult } from "./api.ts";
import { correlationId } from "./correlation.ts";
import { errorResponse } from "./error-response.ts";
import { logger } from "./logger.ts";
import { refuseUnknownQuery } from "./query-guard.ts";

export type Route = (event: HttpEvent) => Promise<HttpResult>;
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export function httpHandler(
  route: Route,
  ...middlewares: MiddlewareObj<HttpEvent, HttpResult>[]
): HttpHandler {
  let chain = middy<HttpEvent, HttpResult>().use(correlationId(logger)).use(errorResponse(logger));
  for (const m of middlewares) chain = chain.use(m);
  // after authentication: a stranger learns nothing about what a route accepts
  chain = chain.use(refuseUnknownQuery());
  return chain.handler(route) as unknown as HttpHandler;
}
