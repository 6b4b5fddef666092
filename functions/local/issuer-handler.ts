/**
 * The development issuer's routes (CONTRACT §6; `npm start` only, never deployed):
 *   GET  /.well-known/openid-configuration   discovery document
 *   GET  /.well-known/jwks.json              its public keys
 *   GET  /local/people                       the directory, for a sign-in picker
 *   POST /local/sign-in {"person": "<id>"}   {token, expiresAt, person} for any person (no password)
 */
import { signInRequestSchema } from "../../schemas/api.ts";
import { directoryOf } from "../core/directory.ts";
import { visible } from "../core/visible.ts";
import type { RuntimeSource } from "../handlers/runtime.ts";
import { json } from "../http/api.ts";
import { jsonBody, rawBody } from "../http/body.ts";
import { HttpError, notFound } from "../http/errors.ts";
import { type HttpHandler, httpHandler } from "../http/pipeline.ts";
import { parseOr400 } from "../http/validate.ts";
import type { DevIssuer } from "./dev-issuer.ts";

export function createIssuerHandler(issuer: DevIssuer, source: RuntimeSource): HttpHandler {
  const reads = httpHandler(async (event) => {
    const { platform } = await source();
    switch (event.routeKey) {
      case "GET /.well-known/openid-configuration":
        return json(200, issuer.discovery());
      case "GET /.well-known/jwks.json":
        return json(200, issuer.jwks, { "cache-control": "public, max-age=300" });
      case "GET /local/people": {
        const directory = directoryOf(platform.set.org);
        return json(200, { items: directory.people.map((p) => directory.view(p)) });
      }
      default:
        throw notFound(`route ${event.routeKey}`);
    }
  });
  const signIn = httpHandler(
    async (event) => {
      const { platform } = await source();
      const { person } = parseOr400(signInRequestSchema, event.jsonBody, "request");
      const answer = await issuer.signIn(person, platform.now());
      if (!answer) {
        const message = `${visible(person)} is not a person of the directory (GET /local/people lists them)`;
        throw new HttpError(400, "validation_failed", message, { issues: [{ path: "person", message }] });
      }
      return json(200, answer, { "cache-control": "no-store" });
    },
    rawBody(),
    jsonBody(),
  );
  return (event, context) => (event.routeKey === "POST /local/sign-in" ? signIn : reads)(event, context);
}
