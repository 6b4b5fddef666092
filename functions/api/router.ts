/**
 * The router: one Lambda handler for a group of routes of the table. API Gateway (and the local
 * server, which routes the same way) has already matched the path and names the route in
 * `event.routeKey`, so dispatching is a map lookup; each route gets its own middy chain:
 * correlation id, errors → JSON, its access kind's middlewares, then validation of path
 * parameters (404 when they name nothing), query and body (400), then `serve`.
 *
 * Why not @middy/http-router: it matches method and path again with its own regexes, which API
 * Gateway has done already; the lookup here is a few lines and adds nothing to the bundles.
 */
import type * as z from "zod";
import { companyTimeZone } from "../core/time.ts";
import { accessMiddlewares } from "../http/access.ts";
import { type HttpEvent, type HttpResult, json } from "../http/api.ts";
import { notFound } from "../http/errors.ts";
import { type HttpHandler, httpHandler } from "../http/pipeline.ts";
import { parseOr400, parseQuery, refuseQuery } from "../http/validate.ts";
import type { RuntimeSourceOf } from "../runtime/policy-runtime.ts";
import { type Answer, type AnyRuntime, type Route, routeKey } from "./route.ts";

function toResult(answer: Answer): HttpResult {
  if ("bytes" in answer)
    return {
      statusCode: answer.status,
      headers: { ...answer.headers },
      body: answer.bytes.toString("base64"),
      isBase64Encoded: true,
    };
  if ("text" in answer)
    return { statusCode: answer.status, headers: { ...answer.headers }, body: answer.text };
  return json(answer.status, answer.json, { ...answer.headers });
}

function parseParams(route: Route<never>, event: HttpEvent): unknown {
  const raw = event.pathParameters ?? {};
  if (!route.params) return raw;
  const parsed = (route.params as z.ZodType).safeParse(raw);
  if (parsed.success) return parsed.data;
  throw notFound(route.notFound?.(raw as Record<string, string>) ?? `${event.rawPath ?? route.path}`);
}

function serveRoute<R extends AnyRuntime>(route: Route<R>, source: RuntimeSourceOf<R>): HttpHandler {
  const runtime = async () => source();
  const middlewares = accessMiddlewares(
    route.access,
    {
      credentials: async () => (await runtime()).credentials,
      now: async () => (await runtime()).platform.now(),
      org: async () => (await runtime()).platform.set.org,
    },
    route.body !== undefined,
  );
  return httpHandler(
    async (event) => {
      const params = parseParams(route, event);
      if (route.exists && !(await route.exists(params, runtime)))
        throw notFound(
          route.notFound?.((event.pathParameters ?? {}) as Record<string, string>) ??
            `${event.rawPath ?? route.path}`,
        );
      // dates in queries and bodies are days in the company's time zone (CONTRACT §8)
      const zone = route.zoned ? companyTimeZone((await runtime()).platform.set.org) : undefined;
      const querySchema = (zone !== undefined && route.zoned?.query?.(zone)) || route.query;
      const bodySchema = (zone !== undefined && route.zoned?.body?.(zone)) || route.body;
      const query = querySchema
        ? parseQuery(querySchema, event.queryStringParameters ?? {})
        : refuseQuery(event.queryStringParameters);
      const body = bodySchema
        ? parseOr400(bodySchema, event.jsonBody, route.bodyName ?? "request")
        : undefined;
      return toResult(await route.serve({ params, query, body, event, runtime }));
    },
    ...middlewares,
  );
}

/** The Lambda handler of `routes` (a function's group of the table), on the runtime they need. */
export function routeHandler<R extends AnyRuntime>(
  routes: readonly Route<R>[],
  source: RuntimeSourceOf<R>,
): HttpHandler {
  const byKey = new Map(routes.map((r) => [routeKey(r), serveRoute(r, source)]));
  const unknown = httpHandler(async (event) => {
    throw notFound(`route ${event.routeKey}`);
  });
  return (event, context) => (byKey.get(event.routeKey) ?? unknown)(event, context);
}
