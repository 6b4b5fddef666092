/**
 * Consumes the violations table's stream (old and new images) and publishes ViolationOpened /
 * ViolationResolved events: to EventBridge on AWS (COMPLIANCE_EVENT_BUS_NAME), to a file locally.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { DomainError } from "../core/errors.ts";
import type { StoredViolation } from "../core/lifecycle.ts";
import { backgroundCorrelation, logger } from "../runtime/logger.ts";
import { processByKey } from "../runtime/stream-batch.ts";
import { eventBridgeSink } from "../service/event-sinks.ts";
import { type EventSink, violationEvents } from "../service/events.ts";
import { fromItem } from "../store/violations.ts";

const image = (i: unknown): StoredViolation | undefined =>
  i ? fromItem(unmarshall(i as Record<string, AttributeValue>)) : undefined;

export function createEventsHandler(sink: () => EventSink) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    backgroundCorrelation("events");
    return processByKey(
      event.Records,
      16,
      async (record) => {
        const events = violationEvents(image(record.dynamodb?.OldImage), image(record.dynamodb?.NewImage));
        await sink().publish(events);
      },
      (record, error) =>
        logger.error("publishing events failed", {
          keys: JSON.stringify(record.dynamodb?.Keys),
          error: error as Error,
        }),
    );
  };
}

let bus: EventSink | undefined;
export const handler = createEventsHandler(() => {
  const name = process.env.COMPLIANCE_EVENT_BUS_NAME;
  if (!name) throw new DomainError("configuration_error", "COMPLIANCE_EVENT_BUS_NAME is not set");
  bus ??= eventBridgeSink(name);
  return bus;
});
