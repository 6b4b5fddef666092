/**
 * Who may call a route. Each access kind names the principals it admits and how API Gateway
 * authorizes it; the route table (functions/api/) gives every route one kind, the router builds
 * its middlewares from it, CDK its authorizer and IAM policies, the OpenAPI document its security.
 * A new kind (e.g. "person", or "reader" = auditor | machine reader | person) is one entry here,
 * its middlewares in `authenticate` and its prose in functions/api/openapi-prose.ts; the compiler
 * points at each place (the tables are exhaustive over Access).
 */
import type { MiddlewareObj } from "@middy/core";
import type { HttpEvent, HttpResult, PrincipalKind } from "./api.ts";
import { bearer } from "./bearer.ts";
import { jsonBody, rawBody } from "./body.ts";
import type { Credentials } from "./credentials.ts";
import { signedRequest } from "./signature.ts";

interface AccessKind {
  /** the principals this kind admits (none: anyone) */
  readonly principals: readonly PrincipalKind[];
  /** API Gateway's authorizer on AWS: none (public or checked by the function), or IAM (SigV4) */
  readonly gateway: "none" | "iam";
}

export const ACCESS = {
  public: { principals: [], gateway: "none" },
  signed: { principals: ["ingest"], gateway: "none" },
  auditor: { principals: ["auditor"], gateway: "iam" },
  "case-handler": { principals: ["case-handler"], gateway: "iam" },
} as const satisfies Readonly<Record<string, AccessKind>>;

export type Access = keyof typeof ACCESS;

/** What the access middlewares need: the credentials and the clock (signatures have a window). */
export interface AccessContext {
  readonly credentials: () => Promise<Credentials>;
  readonly now: () => Promise<Date>;
}

/**
 * The middlewares that admit a route's callers and read its body, in order. A signature covers
 * the raw bytes, so a signed route reads (and size-limits) the body before checking it; a bearer
 * route checks the credential first, so a caller without one learns nothing about the body.
 */
export function accessMiddlewares(
  access: Access,
  ctx: AccessContext,
  hasBody: boolean,
): MiddlewareObj<HttpEvent, HttpResult>[] {
  const body = hasBody ? [rawBody(), jsonBody()] : [];
  switch (access) {
    case "public":
      return body;
    case "signed":
      return [rawBody(), signedRequest(ctx.credentials, ctx.now), ...(hasBody ? [jsonBody()] : [])];
    case "auditor":
    case "case-handler":
      return [bearer(ctx.credentials, access), ...body];
  }
}
