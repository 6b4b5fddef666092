/** Lambda: The auditors' read API (CONTRACT §2); its routes are in functions/api/auditor-routes.ts. */
import { AUDITOR_ROUTES } from "../api/auditor-routes.ts";
import { routeHandler } from "../api/router.ts";
import type { RuntimeSource } from "../runtime/runtime.ts";
import { fromEnvWithSignIn } from "../runtime/sign-in-runtime.ts";

export const createAuditorHandler = (source: RuntimeSource = fromEnvWithSignIn) =>
  routeHandler(AUDITOR_ROUTES, source);

export const handler = createAuditorHandler();
