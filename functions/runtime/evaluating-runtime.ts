/**
 * The runtime of the functions that evaluate stored records (the evaluator, the sweeper):
 * runtime.ts's, with the rule engine. Only they import it, so the engine (and the rules' compiled
 * form) stays out of the bundles of the functions that never evaluate.
 */
import { createEvaluator } from "../core/engine/evaluate.ts";
import { type RuntimeSource, runtimeFromEnv } from "./runtime.ts";

export const fromEnvEvaluating: RuntimeSource = () =>
  runtimeFromEnv(process.env, { compile: createEvaluator });
