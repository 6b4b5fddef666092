/**
 * Failed deliveries, kept after the last try where an operator sees them: a JSON-lines file
 * locally; on AWS a `NotificationFailed` event on the platform's bus, which a rule delivers to the
 * notifier's failed-deliveries SQS queue (alarmed). Each entry keeps the message as it would have
 * gone out, so it can be re-sent by hand.
 */
import { appendFile } from "node:fs/promises";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { EventPublishError } from "../event-sinks.ts";
import { EVENT_SOURCE } from "../events.ts";
import type { DeadLetters } from "./transports.ts";

export const NOTIFICATION_FAILED = "NotificationFailed";

export function fileDeadLetters(path: string): DeadLetters {
  return {
    describe: path,
    async put(entry) {
      await appendFile(path, `${JSON.stringify(entry)}\n`);
    },
  };
}

export function eventBusDeadLetters(busName: string, client = new EventBridgeClient({})): DeadLetters {
  return {
    describe: `${NOTIFICATION_FAILED} events on ${busName}`,
    async put(entry) {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: EVENT_SOURCE,
              DetailType: NOTIFICATION_FAILED,
              Detail: JSON.stringify(entry),
            },
          ],
        }),
      );
      if (out.FailedEntryCount)
        throw new EventPublishError(`the ${NOTIFICATION_FAILED} event was not accepted`);
    },
  };
}
