/** Lambda: GET /health and GET /openapi.json; its routes are in functions/api/health-routes.ts. */
import { HEALTH_ROUTES } from "../api/health-routes.ts";
import { routeHandler } from "../api/router.ts";
import { fromEnv, type RuntimeSource } from "./runtime.ts";

export const createHealthHandler = (source: RuntimeSource = fromEnv) => routeHandler(HEALTH_ROUTES, source);

export const handler = createHealthHandler();
