/** The one structured logger (Powertools): JSON lines with the correlation id of the request or record. */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";

export const logger = new Logger({ serviceName: "compliance" });

/**
 * Background work (sweeps, stream batches, digests) logs under its own correlation id, never the
 * one the last HTTP request left on this shared logger: `<job>:<8 hex>`.
 */
export function backgroundCorrelation(job: string): string {
  const id = `${job}:${randomUUID().slice(0, 8)}`;
  logger.setCorrelationId(id);
  return id;
}
