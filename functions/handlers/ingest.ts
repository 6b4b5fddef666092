/** Lambda: POST /v1/records, the signed webhook (CONTRACT §2); its routes are in functions/api/ingest-routes.ts. */
import { INGEST_ROUTES } from "../api/ingest-routes.ts";
import { routeHandler } from "../api/router.ts";
import { fromEnv, type RuntimeSource } from "../runtime/runtime.ts";

export const createIngestHandler = (source: RuntimeSource = fromEnv) => routeHandler(INGEST_ROUTES, source);

export const handler = createIngestHandler();
