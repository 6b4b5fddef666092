/**
 * Consumes the violations table's stream (old and new images) and publishes ViolationOpened /
 * ViolationResolved events: to EventBridge on AWS (COMPLIANCE_EVENT_BUS_NAME), to a file locally.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { DomainError } from "../core/errors.ts";
import type { StoredViolation } from "../core/lifecycle.ts";
import { mergeDeltas, type StatsDelta, statsDeltas } from "../core/stats.ts";
import { backgroundCorrelation, logger } from "../runtime/logger.ts";
import { FAILURE_CAUSES, processByKey } from "../runtime/stream-batch.ts";
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
    // counters first, for the whole batch: a failure retries the batch, and consumers
    // de-duplicate events on eventKey
    const target = stats?.();
    if (target) {
      try {
        await target.store.apply(batchDeltas(event.Records, target.timeZone));
      } catch (error) {
        logger.error("updating the stats counters failed", { error: error as Error });
        return allFailed(event.Records, error);
      }
    }
    return processByKey(
      event.Records,
      16,
      async (record) => {
        await sink().publish(
          violationEvents(
            violationFromImage(record.dynamodb?.OldImage),
            violationFromImage(record.dynamodb?.NewImage),
          ),
        );
      },
      (record, error) =>
        logger.error("publishing events failed", {
          keys: JSON.stringify(record.dynamodb?.Keys),
          error: error as Error,
        }),
    );
  };
}

/**
 * The counter deltas of a batch's changes, one per counter item (ADD adds up: each item the batch
 * touches is written once, not once per change). A record whose images cannot be read counts
 * nothing here; publishing fails it below, and its retry counts it.
 */
function batchDeltas(records: readonly DynamoDBRecord[], timeZone: string): StatsDelta[] {
  const changes: StatsDelta[][] = [];
  for (const record of records) {
    let before: StoredViolation | undefined;
    let after: StoredViolation | undefined;
    try {
      before = violationFromImage(record.dynamodb?.OldImage);
      after = violationFromImage(record.dynamodb?.NewImage);
    } catch {
      continue;
    }
    changes.push(statsDeltas(before, after, timeZone));
  }
  return mergeDeltas(changes);
}

/** Every record of the batch failed (partial batch failures: the whole batch is retried). */
function allFailed(records: readonly DynamoDBRecord[], error: unknown): DynamoDBBatchResponse {
  const causes = new Map<string, unknown>();
  const failures: { itemIdentifier: string }[] = [];
  for (const record of records) {
    const seq = record.dynamodb?.SequenceNumber;
    if (!seq) continue;
    failures.push({ itemIdentifier: seq });
    causes.set(seq, error);
  }
  const response: DynamoDBBatchResponse = { batchItemFailures: failures };
  Object.defineProperty(response, FAILURE_CAUSES, { value: causes, enumerable: false });
  return response;
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
