/**
 * Who may call a route. Each access kind names the principals it admits and how API Gateway
 * authorizes it; the route table (functions/api/) gives every route one kind, the router builds
 * its middlewares from it, CDK its authorizer, the OpenAPI document its security.
 *
 *   public   anyone
 *   signed   ingest clients (HMAC signature, checked by the function)
 *   reader   POST /v1/evaluate: an ingest client's signature, or a reader's bearer (CONTRACT §2)
 *   auditor  signed-in people and the machine reader; the route then refuses a person who is not
 *            an auditor (functions/core/authorization.ts)
 *   person   signed-in people and the machine reader; each route applies CONTRACT §6
 *   local    the development issuer of `npm start` (open, never deployed)
 *
 * On AWS, API Gateway's JWT authorizer checks person and auditor routes' tokens first; the
 * function checks them again with the same code as locally (functions/http/oidc.ts).
 */
import type { MiddlewareObj } from "@middy/core";
import { requireAllowed } from "../core/authorization.ts";
import type { OrgDirectory } from "../core/policy/model.ts";
import { type HttpEvent, type HttpResult, header, type PrincipalKind } from "./api.ts";
import { jsonBody, rawBody } from "./body.ts";
import type { Credentials } from "./credentials.ts";
import { signedIn } from "./people-auth.ts";
import { signedRequest } from "./signature.ts";

interface AccessKind {
  /** the principals this kind admits (none: anyone) */
  readonly principals: readonly PrincipalKind[];
  /**
   * API Gateway's authorizer on AWS: none (public, or checked by the function), jwt (the sign-in
   * issuer's tokens), or local (not deployed at all)
   */
  readonly gateway: "none" | "jwt" | "local";
}

export const ACCESS = {
  public: { principals: [], gateway: "none" },
  signed: { principals: ["ingest"], gateway: "none" },
  reader: { principals: ["ingest", "person", "reader"], gateway: "none" },
  auditor: { principals: ["person", "reader"], gateway: "jwt" },
  person: { principals: ["person", "reader"], gateway: "jwt" },
  local: { principals: [], gateway: "local" },
} as const satisfies Readonly<Record<string, AccessKind>>;

export type Access = keyof typeof ACCESS;

/** What the access middlewares need: the credentials, the directory and the clock. */
export interface AccessContext {
  readonly credentials: () => Promise<Credentials>;
  readonly now: () => Promise<Date>;
  /** the org directory sign-in finds people in */
  readonly org: () => Promise<OrgDirectory>;
}

function signedInWith(ctx: AccessContext): MiddlewareObj<HttpEvent, HttpResult> {
  return signedIn(async () => {
    const now = await ctx.now();
    return { credentials: await ctx.credentials(), org: await ctx.org(), now: () => now };
  });
}

/** Auditor-only routes: a signed-in person who is not an auditor is 403 `not_auditor`. */
function auditorsOnly(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const caller = request.event.caller;
      if (!caller) throw new Error("auditor route without the sign-in middleware");
      requireAllowed(caller, { action: "audit" });
    },
  };
}

/**
 * A signature (X-Signature or X-Client-Id present) is judged as an ingest client's; a request with
 * only `Authorization` as a reader's bearer; neither is 401 (the signature's answer).
 */
function signedOrSignedIn(ctx: AccessContext): MiddlewareObj<HttpEvent, HttpResult> {
  const signed = signedRequest(ctx.credentials, ctx.now);
  const reader = signedInWith(ctx);
  return {
    before: async (request) => {
      const event = request.event;
      const signature =
        header(event, "x-signature") !== undefined || header(event, "x-client-id") !== undefined;
      const bearer = header(event, "authorization") !== undefined;
      return (bearer && !signature ? reader : signed).before?.(request);
    },
  };
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
    case "local":
      return body;
    case "signed":
      return [rawBody(), signedRequest(ctx.credentials, ctx.now), ...(hasBody ? [jsonBody()] : [])];
    case "reader":
      return [rawBody(), signedOrSignedIn(ctx), ...(hasBody ? [jsonBody()] : [])];
    case "auditor":
      return [signedInWith(ctx), auditorsOnly(), ...body];
    case "person":
      return [signedInWith(ctx), ...body];
  }
}
