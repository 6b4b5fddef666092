/**
 * What the route table needs of `npm start`'s development OpenID issuer (CONTRACT §6). The issuer
 * itself (functions/local/dev-issuer.ts) exists only in the local runtime, which hands it to the
 * routes through the Runtime; Lambda runtimes have none.
 */
import type { JSONWebKeySet } from "jose";
import type { PersonView } from "../core/directory.ts";

export interface SignIn {
  readonly token: string;
  readonly expiresAt: string;
  readonly person: PersonView;
}

export interface DevIssuer {
  /** The issuer URL (`iss`): the local server's base URL, known once it listens. */
  readonly url: () => string;
  readonly jwks: JSONWebKeySet;
  discovery(): Record<string, unknown>;
  /** An ID token for a person of the directory; undefined for anyone else. */
  signIn(personId: string, now: Date): Promise<SignIn | undefined>;
}
