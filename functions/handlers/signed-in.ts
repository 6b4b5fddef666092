/** The sign-in middleware of person routes, fed from a handler's runtime (CONTRACT §6). */
import type { MiddlewareObj } from "@middy/core";
import type { Caller } from "../core/authorization.ts";
import type { HttpEvent, HttpResult } from "../http/api.ts";
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
