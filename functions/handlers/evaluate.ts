/**
 * Lambda: POST /v1/evaluate, the dry run, and the rule reference (GET /v1/policies…) (CONTRACT §2);
 * its routes are in functions/api/evaluate-routes.ts. It reads only the compiled policies: its
 * runtime has no table (runtime/policy-runtime.ts), so its bundle carries no DynamoDB client.
 */
import { RECORD_TYPES } from "../../schemas/record-types.ts";
import { EVALUATE_ROUTES } from "../api/evaluate-routes.ts";
import { routeHandler } from "../api/router.ts";
import { createEvaluator } from "../core/engine/evaluate.ts";
import { type PolicyRuntime, policyRuntimeFromEnv, type RuntimeSourceOf } from "../runtime/policy-runtime.ts";
import { withSignIn } from "../runtime/sign-in-runtime.ts";

export const createEvaluateHandler = (
  source: RuntimeSourceOf<PolicyRuntime> = withSignIn(policyRuntimeFromEnv, {
    compile: createEvaluator,
    recordTypes: RECORD_TYPES,
  }),
) => routeHandler(EVALUATE_ROUTES, source);

export const handler = createEvaluateHandler();
