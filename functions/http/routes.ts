/**
 * Every HTTP route and the function that serves it: the CDK app creates API Gateway routes from
 * this list and the local server routes with it, so both expose the same API.
 */

export type FunctionName = "ingest" | "evaluate" | "auditor" | "cases" | "health" | "local";
/**
 * public: anyone; signed: ingest clients (HMAC); auditor: auditors and the machine reader (a
 * signed-in person who is not an auditor gets 403); person: any signed-in person or the machine
 * reader, each route then applies CONTRACT §6 (functions/core/authorization.ts); local: the
 * development issuer of `npm start`, never deployed.
 */
export type Access = "public" | "signed" | "auditor" | "person" | "local";

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
  { method: "GET", path: "/v1/violations", fn: "auditor", access: "person" },
  { method: "GET", path: "/v1/violations/{id}", fn: "auditor", access: "person" },
  { method: "GET", path: "/v1/me", fn: "auditor", access: "person" },
  { method: "GET", path: "/v1/records/{type}/{id}", fn: "auditor", access: "auditor" },
  { method: "GET", path: "/v1/policies", fn: "auditor", access: "auditor" },
  { method: "GET", path: "/v1/audit/verify", fn: "auditor", access: "auditor" },
  { method: "GET", path: "/v1/reports/complaints", fn: "auditor", access: "auditor" },
  { method: "POST", path: "/v1/violations/{id}/acknowledge", fn: "cases", access: "person" },
  { method: "POST", path: "/v1/violations/{id}/waive", fn: "cases", access: "person" },
  { method: "POST", path: "/v1/violations/{id}/reopen", fn: "cases", access: "person" },
  // the development issuer (CONTRACT §6): npm start only
  { method: "GET", path: "/.well-known/openid-configuration", fn: "local", access: "local" },
  { method: "GET", path: "/.well-known/jwks.json", fn: "local", access: "local" },
  { method: "GET", path: "/local/people", fn: "local", access: "local" },
  { method: "POST", path: "/local/sign-in", fn: "local", access: "local" },
];

/** A function API Gateway routes to (the development issuer runs only under npm start). */
export type DeployedFunctionName = Exclude<FunctionName, "local">;
export type DeployedAccess = Exclude<Access, "local">;
export type DeployedRoute = RouteDefinition & {
  readonly fn: DeployedFunctionName;
  readonly access: DeployedAccess;
};

/** The routes API Gateway serves (everything but the local development issuer). */
export const DEPLOYED_ROUTES: readonly DeployedRoute[] = ROUTES.filter(
  (r): r is DeployedRoute => r.access !== "local" && r.fn !== "local",
);

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
