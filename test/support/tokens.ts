/**
 * A test OpenID issuer for handler tests: its own key pair (made here, not by the product's
 * development issuer), ID tokens for any claims, and the product's verifier configured to trust it
 * exactly as the Lambda functions trust Cognito.
 */
import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import { type JWK, type JWTPayload, SignJWT } from "jose";
import { createTokenVerifier, localKeys, type TokenVerifier } from "../../functions/http/oidc.ts";

export const TEST_ISSUER_URL = "https://idp.test.example/pool";
export const TEST_AUDIENCE = "compliance-test-app";
export const TEST_MACHINE_CLIENT = "compliance-test-siem";

export interface TestIssuer {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: JWK;
  readonly verify: TokenVerifier;
  /** An ID token for a person id of the directory (email and preferred_username), valid 1 h from `now`. */
  tokenFor(personId: string, now: Date, claims?: JWTPayload): Promise<string>;
  /** Any token: claims, header and lifetime chosen by the test. */
  sign(
    claims: JWTPayload,
    opts?: { now?: Date; ttlS?: number; kid?: string; key?: KeyObject },
  ): Promise<string>;
}

export function createTestIssuer(): TestIssuer {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const kid = randomUUID();
  const jwk = { ...(publicKey.export({ format: "jwk" }) as JWK), kid, alg: "ES256", use: "sig" };
  const verify = createTokenVerifier({
    issuer: TEST_ISSUER_URL,
    audiences: [TEST_AUDIENCE, TEST_MACHINE_CLIENT],
    keys: localKeys({ keys: [jwk] }),
  });
  const sign: TestIssuer["sign"] = (claims, opts = {}) => {
    const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
    return new SignJWT({
      iss: TEST_ISSUER_URL,
      aud: TEST_AUDIENCE,
      iat,
      exp: iat + (opts.ttlS ?? 3600),
      ...claims,
    })
      .setProtectedHeader({ alg: "ES256", kid: opts.kid ?? kid, typ: "JWT" })
      .sign(opts.key ?? privateKey);
  };
  return {
    kid,
    privateKey,
    jwk,
    verify,
    sign,
    tokenFor: (personId, now, claims = {}) =>
      sign(
        {
          sub: personId,
          email: `${personId}@example.com`,
          preferred_username: personId,
          token_use: "id",
          ...claims,
        },
        { now },
      ),
  };
}

/** One test issuer per test file (handler tests' runtimes trust it). */
export const TEST_ISSUER = createTestIssuer();
