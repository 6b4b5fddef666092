/**
 * The runtime of a function that checks sign-in tokens (evaluate, auditor, cases): its runtime
 * (runtime.ts's runtimeFromEnv, or policy-runtime.ts's policyRuntimeFromEnv for evaluate) with the
 * configured issuer's verifier. Only these import it, so the JWT library (jose) stays out of the
 * other functions' bundles; it imports neither runtime, so evaluate's bundle stays without tables.
 */
import { verifierFromEnv } from "../http/sign-in-env.ts";
import type { RuntimeOptions, RuntimeSourceOf } from "./policy-runtime.ts";

export const withSignIn =
  <R>(
    runtimeFromEnv: (env: NodeJS.ProcessEnv, options: RuntimeOptions) => Promise<R>,
    options: RuntimeOptions = {},
  ): RuntimeSourceOf<R> =>
  () =>
    runtimeFromEnv(process.env, { ...options, signIn: verifierFromEnv });
