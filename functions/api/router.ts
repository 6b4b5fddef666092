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
import type { AnySchema } from "../../schemas/zod.ts";
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

/** The 404 of a route whose path parameters name nothing. */
function routeNotFound(route: Route<never>, event: HttpEvent): Error {
  const raw = (event.pathParameters ?? {}) as Record<string, string>;
  return notFound(route.notFound?.(raw) ?? `${event.rawPath ?? route.path}`);
}

function parseParams(route: Route<never>, event: HttpEvent): unknown {
  const raw = event.pathParameters ?? {};
  if (!route.params) return raw;
  const parsed = route.params.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw routeNotFound(route, event);
}

/**
 * A zoned route's query and body schemas in `zone`, built on the first request and again only if
 * the zone changes (it is the policy set's: one per process), not on every request.
 */
function zonedSchemas(route: Route<never>) {
  let built: { zone: string; query: AnySchema | undefined; body: AnySchema | undefined } | undefined;
  return (zone: string) => {
    if (built?.zone !== zone)
      built = { zone, query: route.zoned?.query?.(zone), body: route.zoned?.body?.(zone) };
    return built;
  };
}

function serveRoute<R extends AnyRuntime>(route: Route<R>, source: RuntimeSourceOf<R>): HttpHandler {
  const runtime = async () => source();
  const inZone = zonedSchemas(route);
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
      if (route.exists && !(await route.exists(params, runtime))) throw routeNotFound(route, event);
      // dates in queries and bodies are days in the company's time zone (CONTRACT §8)
      const zoned = route.zoned ? inZone(companyTimeZone((await runtime()).platform.set.org)) : undefined;
      const querySchema = zoned?.query || route.query;
      const bodySchema = zoned?.body || route.body;
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
