/**
 * The runtime of a function that checks sign-in tokens (evaluate, auditor, cases): runtime.ts's,
 * with the configured issuer's verifier. Only these import it, so the JWT library (jose) stays out
 * of the other functions' bundles.
 */
import { verifierFromEnv } from "../http/sign-in-env.ts";
import { type RuntimeSource, runtimeFromEnv } from "./runtime.ts";

export const fromEnvWithSignIn: RuntimeSource = () => runtimeFromEnv(process.env, verifierFromEnv);
