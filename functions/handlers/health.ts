/** Lambda: GET /health and GET /openapi.json; its routes are in functions/api/health-routes.ts. */
import { HEALTH_ROUTES } from "../api/health-routes.ts";
import { routeHandler } from "../api/router.ts";
import { DomainError } from "../core/errors.ts";
import type { RuntimeSource } from "../runtime/runtime.ts";

/** Its routes never build a runtime (tables, policies): the function stays small and starts fast. */
const noRuntime: RuntimeSource = () => {
  throw new DomainError("configuration_error", "the health function has no runtime");
};

export const createHealthHandler = (source: RuntimeSource = noRuntime) => routeHandler(HEALTH_ROUTES, source);

export const handler = createHealthHandler();
