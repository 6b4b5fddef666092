/** The two event sinks: EventBridge (AWS) and a JSON-lines file (the local platform). */
import { appendFile } from "node:fs/promises";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DomainError } from "../core/errors.ts";
import { type DomainEvent, EVENT_SOURCE, type EventSink } from "./events.ts";

export class EventPublishError extends DomainError<"event_publish_failed"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("event_publish_failed", message, options);
  }
}

export function eventBridgeSink(busName: string, client = new EventBridgeClient({})): EventSink {
  return {
    async publish(events) {
      for (let i = 0; i < events.length; i += 10) {
        const batch = events.slice(i, i + 10);
        const out = await client
          .send(
            new PutEventsCommand({
              Entries: batch.map((e) => ({
                EventBusName: busName,
                Source: EVENT_SOURCE,
                DetailType: e.detailType,
                Detail: JSON.stringify({ ...e.detail, eventKey: e.key }),
              })),
            }),
          )
          .catch((cause: unknown) => {
            throw new EventPublishError(`EventBridge refused ${batch.length} events`, { cause });
          });
        // PutEvents answers 200 with per-entry failures: retry the batch (consumers de-duplicate on eventKey)
        if (out.FailedEntryCount)
          throw new EventPublishError(`${out.FailedEntryCount} of ${batch.length} events were not accepted`);
      }
    },
  };
}

export function fileSink(path: string): EventSink {
  return {
    async publish(events: readonly DomainEvent[]) {
      if (events.length === 0) return;
      const lines = events.map((e) =>
        JSON.stringify({
          source: EVENT_SOURCE,
          detailType: e.detailType,
          time: new Date().toISOString(),
          detail: { ...e.detail, eventKey: e.key },
        }),
      );
      await appendFile(path, `${lines.join("\n")}\n`);
    },
  };
}
