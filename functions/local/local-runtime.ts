/**
 * The Runtime the handlers run with under `npm start`: the platform, the credentials of the
 * environment, and people's sign-in through the development issuer (CONTRACT §6) unless the
 * environment names another issuer, and a readiness probe of DynamoDB for GET /health.
 */
import { RECORD_TYPES } from "../../schemas/record.ts";
import { directoryOf } from "../core/directory.ts";
import { credentialsFromEnv } from "../http/credentials.ts";
import { createTokenVerifier, localKeys, type TokenVerifier } from "../http/oidc.ts";
import { verifierFromEnv } from "../http/sign-in-env.ts";
import { logger, type Runtime } from "../runtime/runtime.ts";
import type { Platform } from "../service/platform.ts";
import { createDevIssuer, LOCAL_AUDIENCE } from "./dev-issuer.ts";

/** The development values `npm start` falls back to when the variable is not set (and says so). */
export const LOCAL_FALLBACKS = {
  COMPLIANCE_WEBHOOK_SECRETS: "local=local-dev-secret",
  COMPLIANCE_AUDITOR_TOKEN: "local-auditor-token",
  COMPLIANCE_AUDIT_KEY: "local-audit-key",
} as const;

export async function localRuntime(args: {
  platform: Platform;
  /** The tables and the client the platform's stores use (Runtime.dynamodb). */
  dynamodb: Runtime["dynamodb"];
  env: NodeJS.ProcessEnv;
  cursorKey: string;
  /** The server's URL, known once it listens: the development issuer's. */
  url: () => string;
}): Promise<{ runtime: Runtime; signInFromEnv: boolean }> {
  const { platform, dynamodb, env, cursorKey, url } = args;
  // the development issuer (CONTRACT §6): its URL is the server's, known once it listens; its
  // tokens are verified by the same code as on Lambda, against its own JWKS
  const issuer = await createDevIssuer(url, () => directoryOf(platform.set.org));
  const fromEnv = credentialsFromEnv(env, verifierFromEnv, RECORD_TYPES);
  let devVerifier: TokenVerifier | undefined;
  const verifyToken: TokenVerifier =
    fromEnv.verifyToken ??
    ((token, now) => {
      devVerifier ??= createTokenVerifier({
        issuer: url(),
        audiences: [LOCAL_AUDIENCE],
        keys: localKeys(issuer.jwks),
      });
      return devVerifier(token, now);
    });
  const runtime: Runtime = {
    platform,
    dynamodb,
    credentials: { ...fromEnv, verifyToken },
    logger,
    cursorKey: async () => cursorKey,
    devIssuer: issuer,
    // /health reports whether DynamoDB answers (one read of a key that never exists)
    readiness: async () => {
      try {
        await platform.records.getHead("health#probe");
        return { dynamodb: "ok" };
      } catch {
        return { dynamodb: "unavailable" };
      }
    },
  };
  return { runtime, signInFromEnv: fromEnv.verifyToken !== undefined };
}
