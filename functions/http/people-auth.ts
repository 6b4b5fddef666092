/**
 * Middleware of every person route (CONTRACT §6): who is calling.
 *   - `Authorization: Bearer <JWT>`: verified (functions/http/oidc.ts); a person token must name a
 *     person of the directory by `email` or by `preferred_username` equal to their id (401
 *     otherwise); a machine reader's access token (scope `compliance/read`) reads and never acts.
 *   - `Authorization: Bearer <the machine reader's token>` (COMPLIANCE_AUDITOR_TOKEN): the machine
 *     reader, compared in constant time over hashes of both sides.
 * No credential, a bad one, or someone the directory does not know: 401. An ingest signature
 * instead of a bearer: 403 (it grants no route but ingest).
 */
import type { MiddlewareObj } from "@middy/core";
import type { Caller } from "../core/authorization.ts";
import { directoryOf } from "../core/directory.ts";
import type { OrgDirectory } from "../core/policy/model.ts";
import { type HttpEvent, type HttpResult, header } from "./api.ts";
import { constantTimeEqual } from "./constant-time.ts";
import type { Credentials } from "./credentials.ts";
import { forbidden, unauthorized } from "./errors.ts";
import { looksLikeJwt, TokenError } from "./oidc.ts";

export interface PeopleAuthContext {
  readonly credentials: Credentials;
  readonly org: OrgDirectory;
  /** The platform's clock: tokens expire by it. */
  readonly now: () => Date;
}

/** The machine reader's id in logs and the audit trail (it never acts, so never in history). */
export const MACHINE_READER = "machine-reader";

/** The machine reader's token, compared in constant time over hashes of both sides. */
export function sameSecret(given: string, expected: string | undefined): boolean {
  return expected !== undefined && expected !== "" && constantTimeEqual(expected, given);
}

/** Who a bearer credential names, or an HttpError 401. */
export async function callerOf(token: string, context: PeopleAuthContext): Promise<Caller> {
  const { credentials } = context;
  if (sameSecret(token, credentials.readerToken)) return { kind: "reader" };
  if (!looksLikeJwt(token)) throw unauthorized("unknown bearer token");
  if (!credentials.verifyToken)
    throw unauthorized("no sign-in issuer is configured: JWTs cannot be accepted");
  let identity: Awaited<ReturnType<NonNullable<Credentials["verifyToken"]>>>;
  try {
    identity = await credentials.verifyToken(token, context.now());
  } catch (error) {
    if (error instanceof TokenError) throw unauthorized(error.message);
    throw error;
  }
  if (identity.kind === "reader") return { kind: "reader" };
  const directory = directoryOf(context.org);
  const person =
    (identity.email ? directory.byEmail(identity.email) : undefined) ??
    (identity.preferredUsername ? directory.byId(identity.preferredUsername) : undefined);
  if (!person)
    throw unauthorized(
      "the token names nobody in the directory (policies/org.yaml people: by email, or preferred_username = a person id)",
    );
  return { kind: "person", id: person.id, auditor: directory.isAuditor(person.id) };
}

export function signedIn(
  get: () => PeopleAuthContext | Promise<PeopleAuthContext>,
): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const auth = header(event, "authorization");
      const match = auth ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth) : null;
      if (!match) {
        if (header(event, "x-signature")) throw forbidden("an ingest signature grants no route but ingest");
        throw unauthorized(
          auth
            ? "Authorization must be Bearer <token>"
            : "sign in: Authorization: Bearer <ID token> (locally: POST /local/sign-in)",
        );
      }
      const caller = await callerOf(match[1] as string, await get());
      event.caller = caller;
      event.principal =
        caller.kind === "person" ? { kind: "person", id: caller.id } : { kind: "reader", id: MACHINE_READER };
    },
  };
}
