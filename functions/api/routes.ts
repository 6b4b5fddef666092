/**
 * The route table: every HTTP route of the platform, grouped by the Lambda function that serves
 * it (one module each). The router (handlers/<function>.ts), API Gateway (infra/constructs/api.ts),
 * the local server (functions/local/http-server.ts) and the OpenAPI document
 * (functions/api/openapi.ts) all read it. Adding a route: one entry in its function's module and
 * the service function it calls.
 */

import { ACCESS } from "../http/access.ts";
import { AUDITOR_ROUTES } from "./auditor-routes.ts";
import { CASE_ROUTES } from "./case-routes.ts";
import { EVALUATE_ROUTES } from "./evaluate-routes.ts";
import { HEALTH_ROUTES } from "./health-routes.ts";
import { INGEST_ROUTES } from "./ingest-routes.ts";
import { LOCAL_ROUTES } from "./local-routes.ts";
import type { DeployedFunctionName, Route } from "./route.ts";

export type { Access } from "../http/access.ts";
export { type DeployedFunctionName, type FunctionName, type Route, routeKey } from "./route.ts";

export const ROUTES: readonly Route[] = [
  ...HEALTH_ROUTES,
  ...INGEST_ROUTES,
  ...EVALUATE_ROUTES,
  ...AUDITOR_ROUTES,
  ...CASE_ROUTES,
  ...LOCAL_ROUTES,
];

/** A route API Gateway serves: every one but the development issuer's (npm start only). */
export type DeployedRoute = Route & { readonly fn: DeployedFunctionName };

export const DEPLOYED_ROUTES: readonly DeployedRoute[] = ROUTES.filter(
  (r): r is DeployedRoute => ACCESS[r.access].gateway !== "local" && r.fn !== "local",
);

/** Each route template's pattern and parameter names, compiled on first use (the local server matches every request). */
const compiled = new Map<string, { readonly pattern: RegExp; readonly names: readonly string[] }>();

function compile(template: string) {
  let c = compiled.get(template);
  if (!c) {
    const names: string[] = [];
    const source = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    c = { pattern: new RegExp(`^${source}$`), names };
    compiled.set(template, c);
  }
  return c;
}

/** Matches a concrete path against a route template; returns its path parameters. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const { pattern, names } = compile(template);
  const m = pattern.exec(path);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    try {
      params[name] = decodeURIComponent(m[i + 1] as string);
    } catch {
      return undefined;
    }
  }
  return params;
}
