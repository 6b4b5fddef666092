/** Lambda: The case handlers' routes (CONTRACT §2); its routes are in functions/api/case-routes.ts. */
import { CASE_ROUTES } from "../api/case-routes.ts";
import { routeHandler } from "../api/router.ts";
import { fromEnv, type RuntimeSource } from "../runtime/runtime.ts";

export const createCasesHandler = (source: RuntimeSource = fromEnv) => routeHandler(CASE_ROUTES, source);

export const handler = createCasesHandler();
