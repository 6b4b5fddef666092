/**
 * Sign-in token validation (CONTRACT §6) and who a bearer names: signature against the issuer's
 * JWKS (in memory, and fetched over HTTP through the discovery document as on Lambda), issuer,
 * audience(s), expiry with at most 60 s of skew, the algorithm allowlist (`alg: none`, HS*), unknown
 * key ids, Cognito-style machine access tokens, and the directory lookup. No Java needed.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError, httpOutcome } from "../../functions/core/errors.ts";
import { createTokenVerifier, discoveredKeys, type TokenVerifier } from "../../functions/http/oidc.ts";
import { callerOf, type PeopleAuthContext, sameSecret } from "../../functions/http/people-auth.ts";
import { shippedPolicies } from "../support/policies.ts";
import { createTestIssuer, TEST_AUDIENCE, TEST_ISSUER_URL, TEST_MACHINE_CLIENT } from "../support/tokens.ts";

const issuer = createTestIssuer();
const NOW = new Date("2026-03-02T09:00:00Z");
const nowS = NOW.getTime() / 1000;

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

async function refusal(verify: TokenVerifier, token: string, at = NOW): Promise<string> {
  try {
    await verify(token, at);
  } catch (error) {
    return (error as Error).message;
  }
  return "accepted";
}

describe("token validation", () => {
  const verify = issuer.verify;

  it("accepts an ID token of the issuer for one of the audiences, naming a person", async () => {
    expect(await verify(await issuer.tokenFor("fin.wang", NOW), NOW)).toEqual({
      kind: "person",
      email: "fin.wang@example.com",
      preferredUsername: "fin.wang",
    });
    // several audiences in the token: one of ours is enough
    const multi = await issuer.sign(
      { aud: ["someone-else", TEST_AUDIENCE], email: "x@example.com" },
      { now: NOW },
    );
    expect(await verify(multi, NOW)).toMatchObject({ kind: "person", email: "x@example.com" });
  });

  it("refuses an expired token, allowing at most 60 s of clock skew", async () => {
    const token = await issuer.sign({ email: "fin.wang@example.com" }, { now: NOW, ttlS: 600 });
    expect(await refusal(verify, token, new Date(NOW.getTime() + 600_000 + 59_000))).toBe("accepted");
    expect(await refusal(verify, token, new Date(NOW.getTime() + 600_000 + 61_000))).toMatch(/expired/);
    // issued in the future (a clock far ahead) or not valid yet
    const early = await issuer.sign({ email: "fin.wang@example.com", nbf: nowS + 120 }, { now: NOW });
    expect(await refusal(verify, early)).toMatch(/not valid yet|nbf/);
    const noExp = await new SignJWT({
      iss: TEST_ISSUER_URL,
      aud: TEST_AUDIENCE,
      email: "fin.wang@example.com",
    })
      .setProtectedHeader({ alg: "ES256", kid: issuer.kid })
      .sign(issuer.privateKey);
    expect(await refusal(verify, noExp)).toMatch(/exp/);
  });

  it("refuses another issuer and another audience", async () => {
    expect(await refusal(verify, await issuer.sign({ iss: "https://evil.example/" }, { now: NOW }))).toMatch(
      /issuer/,
    );
    expect(await refusal(verify, await issuer.sign({ aud: "another-app" }, { now: NOW }))).toMatch(
      /audience/,
    );
    expect(await refusal(verify, await issuer.sign({ aud: undefined }, { now: NOW }))).toMatch(/audience/);
  });

  it("refuses alg none, HMAC algorithms (the public key as a secret) and unknown key ids", async () => {
    const claims = {
      iss: TEST_ISSUER_URL,
      aud: TEST_AUDIENCE,
      exp: nowS + 3600,
      email: "au.gao@example.com",
    };
    const none = `${b64({ alg: "none", kid: issuer.kid })}.${b64(claims)}.`;
    expect(await refusal(verify, none)).toMatch(/algorithm "none" is not accepted/);
    // key confusion: HS256 keyed with the issuer's public key material
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: issuer.kid })
      .sign(new TextEncoder().encode(JSON.stringify(issuer.jwk)));
    expect(await refusal(verify, hs)).toMatch(/algorithm "HS256" is not accepted/);
    expect(
      await refusal(verify, await issuer.sign({ email: "a@example.com" }, { now: NOW, kid: "rotated-away" })),
    ).toMatch(/key id/);
    const noKid = await new SignJWT(claims).setProtectedHeader({ alg: "ES256" }).sign(issuer.privateKey);
    expect(await refusal(verify, noKid)).toMatch(/key id/);
    // the right kid, another private key
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    expect(await refusal(verify, await issuer.sign({}, { now: NOW, key: other }))).toMatch(/signature/);
    // a tampered payload
    const [h, , sig] = (await issuer.tokenFor("cs.liu", NOW)).split(".");
    expect(await refusal(verify, `${h}.${b64({ ...claims, email: "au.gao@example.com" })}.${sig}`)).toMatch(
      /signature/,
    );
    expect(await refusal(verify, "not-a-jwt")).toMatch(/not a JWT/);
  });

  it("takes a client-credentials access token with the read scope as the machine reader (Cognito: client_id, no aud)", async () => {
    const access = (claims: Record<string, unknown>) =>
      issuer.sign({ aud: undefined, token_use: "access", ...claims }, { now: NOW });
    expect(
      await verify(await access({ client_id: TEST_MACHINE_CLIENT, scope: "compliance/read" }), NOW),
    ).toEqual({
      kind: "reader",
      clientId: TEST_MACHINE_CLIENT,
    });
    expect(
      await refusal(verify, await access({ client_id: "unknown-client", scope: "compliance/read" })),
    ).toMatch(/audience/);
    expect(await refusal(verify, await access({ client_id: TEST_MACHINE_CLIENT, scope: "openid" }))).toMatch(
      /compliance\/read/,
    );
  });

  it("ignores an email its issuer says is not verified", async () => {
    const token = await issuer.sign({ email: "au.gao@example.com", email_verified: false }, { now: NOW });
    expect(await verify(token, NOW)).toEqual({ kind: "person" });
  });
});

describe("the issuer's keys over HTTP (discovery document → jwks_uri), as on Lambda", () => {
  let server: Server;
  let base = "";
  let jwksFetches = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/.well-known/openid-configuration")
        return res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/keys` }));
      if (req.url === "/keys") {
        jwksFetches++;
        return res.end(JSON.stringify({ keys: [issuer.jwk] }));
      }
      res.statusCode = 404;
      res.end("{}");
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it("verifies with keys fetched once, and refuses a kid the JWKS does not have", async () => {
    const verify = createTokenVerifier({
      issuer: base,
      audiences: [TEST_AUDIENCE],
      keys: discoveredKeys(base),
    });
    const token = await issuer.sign({ iss: base, email: "md.li@example.com" }, { now: NOW });
    expect(await verify(token, NOW)).toMatchObject({ kind: "person", email: "md.li@example.com" });
    expect(await verify(token, NOW)).toMatchObject({ kind: "person" });
    expect(jwksFetches).toBe(1);
    expect(await refusal(verify, await issuer.sign({ iss: base }, { now: NOW, kid: "unknown" }))).toMatch(
      /key id/,
    );
  });
});

describe("who a bearer names (directory lookup)", () => {
  const context: PeopleAuthContext = {
    credentials: {
      readerToken: "reader-secret",
      verifyToken: issuer.verify,
      webhookSecrets: async () => new Map(),
    },
    org: shippedPolicies().org,
    now: () => NOW,
  };
  const status = async (token: string) => {
    try {
      return await callerOf(token, context);
    } catch (error) {
      return error instanceof DomainError
        ? `${httpOutcome(error.code).status} ${error.message}`
        : String(error);
    }
  };

  it("a person by email (any letter case) or by preferred_username equal to their id; auditors flagged", async () => {
    expect(await status(await issuer.sign({ email: "FIN.WANG@example.com" }, { now: NOW }))).toEqual({
      kind: "person",
      id: "fin.wang",
      auditor: false,
    });
    expect(await status(await issuer.sign({ preferred_username: "au.gao" }, { now: NOW }))).toEqual({
      kind: "person",
      id: "au.gao",
      auditor: true,
    });
    // an email of nobody falls back to preferred_username
    expect(
      await status(
        await issuer.sign({ email: "old@example.com", preferred_username: "md.li" }, { now: NOW }),
      ),
    ).toMatchObject({ id: "md.li" });
  });

  it("401 for someone the directory does not know, look-alike usernames included", async () => {
    for (const username of ["mickey.mouse", "A.WU", "a.wu\u200b", "\u0430.wu", "system"])
      expect(await status(await issuer.sign({ preferred_username: username }, { now: NOW }))).toMatch(
        /^401 the token names nobody in the directory/,
      );
    expect(await status(await issuer.sign({ email: "mickey@example.com" }, { now: NOW }))).toMatch(/^401/);
    expect(await status(await issuer.sign({}, { now: NOW }))).toMatch(/^401/);
  });

  it("the machine reader's static token, compared over hashes; anything else 401", async () => {
    expect(await status("reader-secret")).toEqual({ kind: "reader" });
    expect(await status("reader-secre")).toMatch(/^401 unknown bearer token/);
    expect(await status("local-case-handler-token")).toMatch(/^401/);
    expect(sameSecret("a", "a")).toBe(true);
    expect(sameSecret("a", "ab")).toBe(false);
    expect(sameSecret("", undefined)).toBe(false);
    expect(sameSecret("", "")).toBe(false);
  });
});
