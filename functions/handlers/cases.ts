/** Lambda: The case handlers' routes (CONTRACT §2); its routes are in functions/api/case-routes.ts. */
import { CASE_ROUTES } from "../api/case-routes.ts";
import { routeHandler } from "../api/router.ts";
import type { RuntimeSource } from "../runtime/runtime.ts";
import { fromEnvWithSignIn } from "../runtime/sign-in-runtime.ts";

export const createCasesHandler = (source: RuntimeSource = fromEnvWithSignIn) =>
  routeHandler(CASE_ROUTES, source);

export const handler = createCasesHandler();
