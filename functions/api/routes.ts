/**
 * Every HTTP route and the function that serves it: the CDK app creates API Gateway routes from
 * this list and the local server routes with it, so both expose the same API.
 */

export type FunctionName = "ingest" | "evaluate" | "auditor" | "cases" | "health";
export type Access = "public" | "signed" | "auditor" | "case-handler";

export interface RouteDefinition {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly fn: FunctionName;
  readonly access: Access;
}

export const ROUTES: readonly RouteDefinition[] = [
  { method: "GET", path: "/health", fn: "health", access: "public" },
  { method: "GET", path: "/openapi.json", fn: "health", access: "public" },
  { method: "POST", path: "/v1/records", fn: "ingest", access: "signed" },
  { method: "POST", path: "/v1/evaluate", fn: "evaluate", access: "signed" },
  { method: "GET", path: "/v1/violations", fn: "auditor", access: "auditor" },
  { method: "GET", path: "/v1/violations/{id}", fn: "auditor", access: "auditor" },
  { method: "GET", path: "/v1/records/{type}/{id}", fn: "auditor", access: "auditor" },
  { method: "GET", path: "/v1/policies", fn: "auditor", access: "auditor" },
  { method: "GET", path: "/v1/audit/verify", fn: "auditor", access: "auditor" },
  { method: "GET", path: "/v1/reports/complaints", fn: "auditor", access: "auditor" },
  { method: "POST", path: "/v1/violations/{id}/acknowledge", fn: "cases", access: "case-handler" },
  { method: "POST", path: "/v1/violations/{id}/waive", fn: "cases", access: "case-handler" },
  { method: "POST", path: "/v1/violations/{id}/reopen", fn: "cases", access: "case-handler" },
];

export function routeKey(route: RouteDefinition): string {
  return `${route.method} ${route.path}`;
}

/** Matches a concrete path against a route template; returns its path parameters. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  const m = new RegExp(`^${pattern}$`).exec(path);
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
