/** The sign-in middleware of person routes, fed from a handler's runtime (CONTRACT §6). */
import type { MiddlewareObj } from "@middy/core";
import type { Caller } from "../core/authorization.ts";
import { type HttpEvent, type HttpResult, header } from "../http/api.ts";
import { signedIn } from "../http/people-auth.ts";
import type { RuntimeSource } from "./runtime.ts";

export function signedInFrom(source: RuntimeSource): MiddlewareObj<HttpEvent, HttpResult> {
  return signedIn(async () => {
    const rt = await source();
    return { credentials: rt.credentials, org: rt.platform.set.org, now: rt.platform.now };
  });
}

/** The caller the sign-in middleware found (it runs before every person route's work). */
export function callerOf(event: HttpEvent): Caller {
  if (!event.caller) throw new Error("person route without the sign-in middleware");
  return event.caller;
}

/**
 * POST /v1/evaluate (CONTRACT §2): an ingest client's signature, or a reader's bearer (a signed-in
 * person or the machine reader). A request with `X-Signature` or `X-Client-Id` is judged as signed;
 * one with only `Authorization` as a reader's; one with neither is 401.
 */
export function signedOrSignedIn(
  source: RuntimeSource,
  signed: MiddlewareObj<HttpEvent, HttpResult>,
): MiddlewareObj<HttpEvent, HttpResult> {
  const reader = signedInFrom(source);
  return {
    before: async (request) => {
      const bearer = header(request.event, "authorization") !== undefined;
      const signature =
        header(request.event, "x-signature") !== undefined ||
        header(request.event, "x-client-id") !== undefined;
      return (bearer && !signature ? reader : signed).before?.(request);
    },
  };
}
