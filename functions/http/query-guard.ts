/**
 * Unknown query parameters are a 400 on every route (CONTRACT §2): a misspelt or injected
 * parameter (`?__proto__=1`, `?limt=5`) is never silently ignored. Routes whose query is parsed
 * by a strict schema (the violation list, evaluate, reports) refuse unknown names there; this
 * guard covers the routes that take no query at all.
 */
import type { MiddlewareObj } from "@middy/core";
import type { HttpEvent, HttpResult } from "./api.ts";
import { HttpError } from "./errors.ts";

/** Route keys that take no query parameter. */
const NO_QUERY: ReadonlySet<string> = new Set([
  "GET /health",
  "GET /openapi.json",
  "POST /v1/records",
  "GET /v1/violations/{id}",
  "GET /v1/records/{type}/{id}",
  "GET /v1/records/{type}/{id}/revisions/{n}",
  "GET /v1/policies",
  "GET /v1/policies/{id}/versions/{n}",
  "GET /v1/audit/verify",
  "GET /v1/me",
  "POST /v1/violations/{id}/acknowledge",
  "POST /v1/violations/{id}/waive",
  "POST /v1/violations/{id}/reopen",
]);

export function refuseUnknownQuery(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const event = request.event;
      if (!NO_QUERY.has(event.routeKey)) return;
      const names = Object.keys(event.queryStringParameters ?? {});
      if (names.length === 0) return;
      throw new HttpError(400, "validation_failed", `query is invalid: this route takes no parameters`, {
        issues: names.slice(0, 20).map((name) => ({
          path: name.slice(0, 100),
          message: `unknown parameter "${name.slice(0, 100)}": this route accepts none`,
        })),
      });
    },
  };
}
