/**
 * The development issuer's routes (CONTRACT §6; `npm start` only, never deployed):
 *   GET  /.well-known/openid-configuration   discovery document
 *   GET  /.well-known/jwks.json              its public keys
 *   GET  /local/people                       the directory, for a sign-in picker
 *   POST /local/sign-in {"person": "<id>"}   {token, expiresAt, person} for any person (no password)
 */
import * as z from "zod";
import { signInRequestSchema } from "../../schemas/api.ts";
import { directoryOf } from "../core/directory.ts";
import { DomainError } from "../core/errors.ts";
import { visible } from "../core/visible.ts";
import type { DevIssuer } from "../runtime/dev-issuer.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { ok, type Route, route } from "./route.ts";

const jsonObject = z.looseObject({}).meta({ id: "JsonObject", description: "a JSON object" });

function issuerOf(rt: Runtime): DevIssuer {
  if (!rt.devIssuer) throw new DomainError("not_found", "no development issuer: this is not npm start");
  return rt.devIssuer;
}

export const LOCAL_ROUTES: readonly Route[] = [
  route({
    method: "GET",
    path: "/.well-known/openid-configuration",
    fn: "local",
    access: "local",
    doc: {
      operationId: "getOpenIdConfiguration",
      summary: "The development issuer's discovery document",
      description:
        "OpenID Connect discovery: `issuer` (this server's URL) and `jwks_uri`. Local runtime only.",
      responses: ({ ref, json }) => ({ 200: json("The discovery document.", ref(jsonObject)) }),
    },
    serve: async ({ runtime }) => ok(issuerOf(await runtime()).discovery()),
  }),
  route({
    method: "GET",
    path: "/.well-known/jwks.json",
    fn: "local",
    access: "local",
    doc: {
      operationId: "getJwks",
      summary: "The development issuer's public keys",
      description:
        "The JWKS its ID tokens are verified against (a key pair made at each start). Local runtime only.",
      responses: ({ ref, json }) => ({ 200: json("The JSON Web Key Set.", ref(jsonObject)) }),
    },
    serve: async ({ runtime }) => ({
      status: 200,
      json: issuerOf(await runtime()).jwks,
      headers: { "cache-control": "public, max-age=300" },
    }),
  }),
  route({
    method: "GET",
    path: "/local/people",
    fn: "local",
    access: "local",
    doc: {
      operationId: "listLocalPeople",
      summary: "The directory, for a sign-in picker",
      description: "Every person of `policies/org.yaml`, with their roles. Local runtime only.",
      responses: ({ ref, json }) => ({ 200: json("The people.", ref("PeopleList")) }),
    },
    serve: async ({ runtime }) => {
      const directory = directoryOf((await runtime()).platform.set.org);
      return ok({ items: directory.people.map((p) => directory.view(p)) });
    },
  }),
  route({
    method: "POST",
    path: "/local/sign-in",
    fn: "local",
    access: "local",
    body: signInRequestSchema,
    doc: {
      operationId: "localSignIn",
      summary: "Sign in as anyone of the directory (development only)",
      description:
        "An ID token for the person, without a password: `npm start` is its own development issuer and is never deployed. Send it as `Authorization: Bearer <token>`.",
      body: "the person to sign in as.",
      responses: ({ ref, json, error }) => ({
        200: json("The token and who it names.", ref("SignIn")),
        400: error("`validation_failed`: no `person`, or nobody of the directory has this id."),
      }),
    },
    serve: async ({ body: { person }, runtime }) => {
      const rt = await runtime();
      const answer = await issuerOf(rt).signIn(person, rt.platform.now());
      if (!answer) {
        const message = `${visible(person)} is not a person of the directory (GET /local/people lists them)`;
        throw new DomainError("validation_failed", message, { issues: [{ path: "person", message }] });
      }
      return { status: 200, json: answer, headers: { "cache-control": "no-store" } };
    },
  }),
];
