/** Lambda: The case handlers' routes (CONTRACT §2); its routes are in functions/api/case-routes.ts. */
import { CASE_ROUTES } from "../api/case-routes.ts";
import { routeHandler } from "../api/router.ts";
import { type RuntimeSource, runtimeFromEnv } from "../runtime/runtime.ts";
import { withSignIn } from "../runtime/sign-in-runtime.ts";

export const createCasesHandler = (source: RuntimeSource = withSignIn(runtimeFromEnv)) =>
  routeHandler(CASE_ROUTES, source);

export const handler = createCasesHandler();
