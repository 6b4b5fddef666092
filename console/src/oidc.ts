/**
 * Sign-in on AWS: the user pool's managed login with the authorization code flow and PKCE (a public
 * client: no secret in the browser). The ID token (it carries `email`, CONTRACT §6) is the bearer.
 */
import { navigate } from "./router.ts";
import { type ConsoleConfig, setSession, signInWithToken } from "./session.ts";

const PENDING = "compliance.console.pkce";

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function random(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function redirectUri(): string {
  return `${window.location.origin}/console/callback`;
}

function endpoint(config: ConsoleConfig, path: string): string {
  const oidc = config.oidc;
  if (!oidc) throw new Error("this console has no OIDC settings (config.json)");
  return `https://${oidc.domain}${path}`;
}

export async function startLogin(config: ConsoleConfig, returnTo: string): Promise<void> {
  const verifier = random(48);
  const state = random(24);
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const q = new URLSearchParams({
    response_type: "code",
    client_id: config.oidc?.clientId ?? "",
    redirect_uri: redirectUri(),
    scope: (config.oidc?.scopes ?? ["openid", "email"]).join(" "),
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  window.location.assign(`${endpoint(config, "/oauth2/authorize")}?${q}`);
}

/** /console/callback?code&state: exchanges the code (with the verifier) for tokens. */
export async function finishLogin(config: ConsoleConfig, query: URLSearchParams): Promise<void> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null") as {
    verifier: string;
    state: string;
    returnTo: string;
  } | null;
  sessionStorage.removeItem(PENDING);
  const error = query.get("error");
  if (error) throw new Error(`${error}: ${query.get("error_description") ?? ""}`);
  if (!pending || query.get("state") !== pending.state) throw new Error("the sign-in answer does not match");
  const response = await fetch(endpoint(config, "/oauth2/token"), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.oidc?.clientId ?? "",
      code: query.get("code") ?? "",
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`the token exchange failed (${response.status})`);
  const tokens = (await response.json()) as { id_token: string; expires_in: number };
  await signInWithToken(tokens.id_token, new Date(Date.now() + tokens.expires_in * 1000).toISOString());
  navigate(pending.returnTo || "queue", { replace: true });
}

export function logout(config: ConsoleConfig): void {
  setSession(undefined);
  if (config.signIn !== "oidc" || !config.oidc) {
    navigate("sign-in");
    return;
  }
  const q = new URLSearchParams({
    client_id: config.oidc.clientId,
    logout_uri: `${window.location.origin}/console/`,
  });
  window.location.assign(`${endpoint(config, "/logout")}?${q}`);
}
