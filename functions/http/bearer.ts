/**
 * Middleware: auditor and case-handler routes. Locally a bearer token per persona; on AWS the
 * IAM authorizer of API Gateway has already checked the caller's SigV4 signature and policy.
 * No credential → 401; another persona's credential → 403 (an auditor cannot act on cases, an
 * ingest signature opens no auditor route).
 */
import type { MiddlewareObj } from "@middy/core";
import { type HttpEvent, type HttpResult, header } from "./api.ts";
import { constantTimeEqual } from "./constant-time.ts";
import type { Credentials } from "./credentials.ts";
import { forbidden, unauthorized } from "./errors.ts";

type Persona = "auditor" | "case-handler";

function same(a: string, b: string | undefined): boolean {
  return constantTimeEqual(a, b); // hashed first: the token's length does not show either
}

export function bearer(
  getCredentials: () => Credentials | Promise<Credentials>,
  persona: Persona,
): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const credentials = await getCredentials();
      if (credentials.mode === "iam") {
        const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam;
        if (!iam) throw unauthorized("IAM (SigV4) authorization is required");
        event.principal = { kind: persona, id: iam.userArn ?? "iam" };
        return;
      }
      const auth = header(event, "authorization");
      const match = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
      if (!match) {
        if (header(event, "x-signature"))
          throw forbidden(`an ingest signature does not grant ${persona} routes`);
        throw unauthorized(`a ${persona} bearer token is required (Authorization: Bearer …)`);
      }
      const token = match[1] as string;
      const wanted = persona === "auditor" ? credentials.auditorToken : credentials.caseHandlerToken;
      const other = persona === "auditor" ? credentials.caseHandlerToken : credentials.auditorToken;
      if (same(token, wanted)) {
        event.principal = { kind: persona, id: persona };
        return;
      }
      if (same(token, other)) throw forbidden(`this token does not grant ${persona} routes`);
      throw unauthorized("unknown token");
    },
  };
}
