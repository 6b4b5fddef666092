/** Lambda: POST /v1/evaluate, the dry run (CONTRACT §2); its routes are in functions/api/evaluate-routes.ts. */
import { EVALUATE_ROUTES } from "../api/evaluate-routes.ts";
import { routeHandler } from "../api/router.ts";
import type { RuntimeSource } from "../runtime/runtime.ts";
import { fromEnvWithSignIn } from "../runtime/sign-in-runtime.ts";

export const createEvaluateHandler = (source: RuntimeSource = fromEnvWithSignIn) =>
  routeHandler(EVALUATE_ROUTES, source);

export const handler = createEvaluateHandler();
