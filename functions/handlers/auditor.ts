/** Lambda: The auditors' read API (CONTRACT §2); its routes are in functions/api/auditor-routes.ts. */
import { AUDITOR_ROUTES } from "../api/auditor-routes.ts";
import { routeHandler } from "../api/router.ts";
import { type RuntimeSource, runtimeFromEnv } from "../runtime/runtime.ts";
import { withSignIn } from "../runtime/sign-in-runtime.ts";

export const createAuditorHandler = (source: RuntimeSource = withSignIn(runtimeFromEnv)) =>
  routeHandler(AUDITOR_ROUTES, source);

export const handler = createAuditorHandler();
