/** The one structured logger (Powertools): JSON lines with the correlation id of the request or record. */
import { Logger } from "@aws-lambda-powertools/logger";

export const logger = new Logger({ serviceName: "compliance" });
