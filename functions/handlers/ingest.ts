/** Lambda: POST /v1/records, the signed webhook (CONTRACT §2); its routes are in functions/api/ingest-routes.ts. */
import { RECORD_TYPES } from "../../schemas/record-types.ts";
import { INGEST_ROUTES } from "../api/ingest-routes.ts";
import { routeHandler } from "../api/router.ts";
import { type RuntimeSource, runtimeFromEnv } from "../runtime/runtime.ts";

/** It takes signed records: the record types COMPLIANCE_INGEST_RECORD_TYPES may limit a client to. */
const fromEnvTakingRecords: RuntimeSource = () => runtimeFromEnv(process.env, { recordTypes: RECORD_TYPES });

export const createIngestHandler = (source: RuntimeSource = fromEnvTakingRecords) =>
  routeHandler(INGEST_ROUTES, source);

export const handler = createIngestHandler();
