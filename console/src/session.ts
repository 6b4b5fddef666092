/**
 * Who is signed in. Locally the platform is its own development issuer (POST /local/sign-in); on
 * AWS people sign in with the user pool's managed login (authorization code + PKCE, oidc.ts). The
 * ID token is kept in sessionStorage (gone when the tab closes) and sent as the bearer; GET /v1/me
 * says who it names. A machine reader token (read only) is also accepted, for readers without a
 * person behind them.
 */
import { useEffect, useState } from "preact/hooks";
import { getJson, setBearer } from "./api.ts";
import type { Person } from "./types.ts";

export interface ConsoleConfig {
  /** "local": the development issuer's picker; "oidc": the user pool's managed login */
  signIn: "local" | "oidc";
  /** the company's time zone (org.yaml timeZone) */
  timeZone: string;
  oidc?: { domain: string; clientId: string; scopes: string[] };
}

export type Session =
  | { kind: "person"; token: string; expiresAt?: string; person: Person }
  | { kind: "reader"; token: string };

const KEY = "compliance.console.session";
const CHANGE = "console:session";

let config: ConsoleConfig = { signIn: "local", timeZone: "Asia/Shanghai" };
let session: Session | undefined = load();
setBearer(session?.token);

function load(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    const parsed = raw ? (JSON.parse(raw) as Session) : undefined;
    if (parsed?.kind === "person" && parsed.expiresAt && Date.parse(parsed.expiresAt) <= Date.now())
      return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

export async function loadConfig(): Promise<ConsoleConfig> {
  config = {
    ...config,
    ...(await getJson<Partial<ConsoleConfig>>("/console/config.json", { anonymous: true })),
  };
  return config;
}

export function getConfig(): ConsoleConfig {
  return config;
}

export function getSession(): Session | undefined {
  return session;
}

export function setSession(next: Session | undefined): void {
  session = next;
  setBearer(next?.token);
  if (next) sessionStorage.setItem(KEY, JSON.stringify(next));
  else sessionStorage.removeItem(KEY);
  window.dispatchEvent(new Event(CHANGE));
}

export function useSession(): Session | undefined {
  const [value, setValue] = useState(session);
  useEffect(() => {
    const update = () => setValue(session);
    window.addEventListener(CHANGE, update);
    return () => window.removeEventListener(CHANGE, update);
  }, []);
  return value;
}

/** Auditors and machine readers see every violation and the auditor views. */
export function isAuditor(s: Session | undefined): boolean {
  return s?.kind === "reader" || (s?.kind === "person" && s.person.roles.includes("auditor"));
}

/** After a token is obtained: who it names (GET /v1/me), then the session is kept. */
export async function signInWithToken(token: string, expiresAt?: string): Promise<Session> {
  const person = await getJson<Person>("/v1/me", { token });
  const next: Session = { kind: "person", token, expiresAt, person };
  setSession(next);
  return next;
}

/** A machine reader token: it reads what an auditor reads, so the policy list proves it works. */
export async function signInAsReader(token: string): Promise<Session> {
  await getJson("/v1/policies", { token });
  const next: Session = { kind: "reader", token };
  setSession(next);
  return next;
}
