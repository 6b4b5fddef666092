/**
 * Validating a sign-in token (CONTRACT §6), the same code locally (against `npm start`'s own
 * development issuer) and on Lambda (against Cognito or the company's SSO, after API Gateway's JWT
 * authorizer): jose checks the signature against the issuer's JWKS, the issuer, the expiry (60 s
 * of clock skew at most), and an algorithm allowlist (`alg: none` and the HMAC algorithms, which a
 * public key could be abused as the secret of, are refused); a key id the JWKS does not have is
 * refused. The audience is checked here as API Gateway's JWT authorizer checks it: `aud` must be
 * one of the audiences, or, for a token without `aud` (Cognito's access tokens), `client_id`.
 *
 * What the token says is then one of two callers:
 *   - a machine reader: its `scope` holds the read scope (`compliance/read`);
 *   - a person: `email` (unless `email_verified` is false) or `preferred_username`; the directory
 *     decides whether that is someone (functions/http/people-auth.ts).
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";

/** Asymmetric algorithms only: never `none`, never HS* (CONTRACT §6). */
export const ALLOWED_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;

/** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. */
export const CLOCK_SKEW_S = 60;

/** The scope a machine reader's access token carries. */
export const READ_SCOPE = "compliance/read";

export type TokenIdentity =
  | { readonly kind: "person"; readonly email?: string; readonly preferredUsername?: string }
  | { readonly kind: "reader"; readonly clientId: string };

export class TokenError extends Error {
  readonly code = "invalid_token";
}

/** Verifies a bearer JWT at `now` (the platform's clock) and says who it names. */
export type TokenVerifier = (token: string, now: Date) => Promise<TokenIdentity>;

export interface OidcSettings {
  readonly issuer: string;
  /** Accepted audiences: the people's app client(s) and the machine readers' client(s). */
  readonly audiences: readonly string[];
  /** The issuer's keys: a remote JWKS (Lambda) or the development issuer's own set (npm start). */
  readonly keys: JWTVerifyGetKey;
  readonly readScope?: string;
}

/** A JWT has three base64url parts; anything else is not one (e.g. the machine reader's static token). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

function why(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "the token has expired";
  if (error instanceof errors.JWTClaimValidationFailed)
    return error.claim === "iss"
      ? "the token's issuer is not trusted"
      : error.claim === "nbf" || error.claim === "iat"
        ? "the token is not valid yet"
        : `the token's ${error.claim} claim is invalid`;
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return "the token's algorithm is not accepted";
  if (error instanceof errors.JWKSNoMatchingKey) return "the token's key id is not one of the issuer's keys";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JOSEError)
    return "the token could not be verified";
  return "the token could not be verified";
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);

export function createTokenVerifier(settings: OidcSettings): TokenVerifier {
  const readScope = settings.readScope ?? READ_SCOPE;
  return async (token, now) => {
    if (!looksLikeJwt(token)) throw new TokenError("the bearer is not a JWT");
    let alg: string | undefined;
    let kid: string | undefined;
    try {
      ({ alg, kid } = decodeProtectedHeader(token));
    } catch {
      throw new TokenError("the token's header is not valid JSON");
    }
    // refused before any key is looked up: no key confusion, no unsigned tokens
    if (!alg || !(ALLOWED_ALGORITHMS as readonly string[]).includes(alg))
      throw new TokenError(`the token's algorithm ${JSON.stringify(alg ?? null)} is not accepted`);
    if (!kid) throw new TokenError("the token names no key id (kid)");
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, settings.keys, {
        issuer: settings.issuer,
        algorithms: [...ALLOWED_ALGORITHMS],
        clockTolerance: CLOCK_SKEW_S,
        currentDate: now,
        requiredClaims: ["exp", "iss"],
      }));
    } catch (error) {
      throw new TokenError(why(error), { cause: error });
    }
    const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const clientId = text(payload.client_id);
    const audienceOk =
      aud.length > 0
        ? aud.some((a) => settings.audiences.includes(a))
        : clientId !== undefined && settings.audiences.includes(clientId);
    if (!audienceOk) throw new TokenError("the token is not meant for this API (audience)");
    const scopes = (text(payload.scope) ?? "").split(" ");
    if (scopes.includes(readScope))
      return { kind: "reader", clientId: clientId ?? text(payload.azp) ?? text(payload.sub) ?? "machine" };
    if (payload.token_use === "access")
      throw new TokenError(`an access token without the ${readScope} scope: sign in with an ID token`);
    return {
      kind: "person",
      email: payload.email_verified === false ? undefined : text(payload.email),
      preferredUsername: text(payload.preferred_username),
    };
  };
}

/** An issuer's keys from its JWKS URL (fetched on first use, cached, refetched for a new kid). */
export function remoteKeys(jwksUrl: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 });
}

/** Keys held in memory (the development issuer's own). */
export function localKeys(jwks: JSONWebKeySet): JWTVerifyGetKey {
  return createLocalJWKSet(jwks);
}

/**
 * Where an issuer publishes its keys: its discovery document's `jwks_uri`
 * (`<issuer>/.well-known/openid-configuration`), read once.
 */
export function discoveredKeys(issuer: string): JWTVerifyGetKey {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const discover = async () => {
    const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new TokenError(`the issuer's discovery document ${url} answered ${res.status}`);
    const doc = (await res.json()) as { jwks_uri?: unknown };
    if (typeof doc.jwks_uri !== "string") throw new TokenError(`${url} names no jwks_uri`);
    return remoteKeys(doc.jwks_uri);
  };
  return async (header, token) => {
    keys ??= discover().catch((error) => {
      keys = undefined;
      throw error;
    });
    return (await keys)(header, token);
  };
}
