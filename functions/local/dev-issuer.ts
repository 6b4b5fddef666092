/**
 * `npm start`'s own OpenID Connect issuer, for development only (never deployed): a key pair made
 * at start, the discovery document and JWKS a real issuer publishes, and ID tokens for any person
 * of the directory without a password. Tokens are verified by the same code as on Lambda
 * (functions/http/oidc.ts) against this issuer's JWKS.
 */
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from "jose";
import type { Directory } from "../core/directory.ts";
import type { DevIssuer } from "../runtime/dev-issuer.ts";

export type { DevIssuer };

/** The audience (OAuth client id) of the development issuer's tokens. */
export const LOCAL_AUDIENCE = "compliance-local";
/** How long a development token lasts. */
export const LOCAL_TOKEN_TTL_S = 8 * 3600;
const ALG = "ES256";

export async function createDevIssuer(url: () => string, directory: () => Directory): Promise<DevIssuer> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = randomUUID();
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: ALG, use: "sig" }] };
  return {
    url,
    jwks,
    discovery: () => ({
      issuer: url(),
      jwks_uri: `${url()}/.well-known/jwks.json`,
      // no authorization endpoint: sign-in is POST /local/sign-in (development only)
      token_endpoint: `${url()}/local/sign-in`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: [ALG],
      claims_supported: [
        "sub",
        "email",
        "email_verified",
        "preferred_username",
        "name",
        "iss",
        "aud",
        "exp",
        "iat",
      ],
    }),
    async signIn(personId, now) {
      const dir = directory();
      const person = dir.byId(personId);
      if (!person) return undefined;
      const iat = Math.floor(now.getTime() / 1000);
      const exp = iat + LOCAL_TOKEN_TTL_S;
      const token = await new SignJWT({
        email: person.email,
        email_verified: true,
        preferred_username: person.id,
        name: person.name.en,
        token_use: "id",
      })
        .setProtectedHeader({ alg: ALG, kid, typ: "JWT" })
        .setIssuer(url())
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(person.id)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(privateKey);
      return { token, expiresAt: new Date(exp * 1000).toISOString(), person: dir.view(person) };
    },
  };
}
