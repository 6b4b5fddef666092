/**
 * Consumes the violations table's stream (old and new images) and publishes ViolationOpened /
 * ViolationResolved events: to EventBridge on AWS (COMPLIANCE_EVENT_BUS_NAME), to a file locally.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { DomainError } from "../core/errors.ts";
import { statsDeltas } from "../core/stats.ts";
import { backgroundCorrelation, logger } from "../runtime/logger.ts";
import { processByKey } from "../runtime/stream-batch.ts";
import { eventBridgeSink } from "../service/event-sinks.ts";
import { type EventSink, violationEvents } from "../service/events.ts";
import { createTableClients } from "../store/clients.ts";
import type { StatsRepository } from "../store/repositories.ts";
import { StatsStore } from "../store/stats.ts";
import { violationFromImage } from "../store/stream-images.ts";

/** Where the stats counters go (GET /v1/stats) and the company's time zone their weeks are in. */
export interface StatsTarget {
  readonly store: StatsRepository;
  readonly timeZone: string;
}

export function createEventsHandler(sink: () => EventSink, stats?: () => StatsTarget | undefined) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    backgroundCorrelation("events");
    return processByKey(
      event.Records,
      16,
      async (record) => {
        const before = violationFromImage(record.dynamodb?.OldImage);
        const after = violationFromImage(record.dynamodb?.NewImage);
        // counters first: a failure retries the record, and consumers de-duplicate events on eventKey
        const target = stats?.();
        if (target) await target.store.apply(statsDeltas(before, after, target.timeZone));
        await sink().publish(violationEvents(before, after));
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
let counters: StatsTarget | undefined;
export const handler = createEventsHandler(
  () => {
    const name = process.env.COMPLIANCE_EVENT_BUS_NAME;
    if (!name) throw new DomainError("configuration_error", "COMPLIANCE_EVENT_BUS_NAME is not set");
    bus ??= eventBridgeSink(name);
    return bus;
  },
  () => {
    // the stats table and the company's time zone (org.yaml timeZone, passed by the deployment)
    const table = process.env.COMPLIANCE_STATS_TABLE;
    if (!table) return undefined;
    counters ??= {
      store: new StatsStore(createTableClients(process.env.COMPLIANCE_DYNAMODB_ENDPOINT).doc, table),
      timeZone: process.env.COMPLIANCE_TIME_ZONE ?? "Asia/Shanghai",
    };
    return counters;
  },
);
