/** The sign-in token verifier an environment configures (jose: only in the functions that check tokens). */
import { CredentialsError } from "./credentials.ts";
import { createTokenVerifier, discoveredKeys, remoteKeys, type TokenVerifier } from "./oidc.ts";

/**
 * The sign-in issuer from the environment: COMPLIANCE_OIDC_ISSUER, COMPLIANCE_OIDC_AUDIENCES
 * (comma-separated: the people's app client and the machine readers' clients), and optionally
 * COMPLIANCE_OIDC_JWKS_URL (default: the issuer's discovery document's jwks_uri).
 */
export function verifierFromEnv(env: NodeJS.ProcessEnv): TokenVerifier | undefined {
  const issuer = env.COMPLIANCE_OIDC_ISSUER?.trim();
  if (!issuer) return undefined;
  const audiences = (env.COMPLIANCE_OIDC_AUDIENCES ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  if (audiences.length === 0)
    throw new CredentialsError(
      "COMPLIANCE_OIDC_ISSUER is set: COMPLIANCE_OIDC_AUDIENCES must name the audiences",
    );
  const jwks = env.COMPLIANCE_OIDC_JWKS_URL?.trim();
  return createTokenVerifier({ issuer, audiences, keys: jwks ? remoteKeys(jwks) : discoveredKeys(issuer) });
}
