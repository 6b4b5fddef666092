/**
 * Each notification once: one conditional write claims it — all of its messages (a mail per
 * person, the webhook, each chat robot) — before any is sent; then every message is sent with
 * retries and exponential backoff. Nothing is written when they go out: only a message that still
 * fails after its last try is written down, in the dead letters (with the message as it would have
 * gone) and on the notification's item, and a redelivered event never tries it again.
 *
 * So a message is never sent twice (CONTRACT §7: redelivery, re-evaluation and restarts never
 * send twice). The price of one write instead of two: a sender that dies after claiming and before
 * its messages went (a crash, not a refusal: refusals are retried, then kept) does not send them,
 * where a second write could have told a successor whether to.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AGAIN, exponentialBackoff, retry } from "../../core/retry.ts";
import type { NotificationClaim, NotificationsStore } from "../../store/notifications.ts";
import type { DeadLetters } from "./transports.ts";

export interface RetryPolicy {
  /** Tries in all (≥ 1). */
  readonly attempts: number;
  /** The first pause; each next one doubles. */
  readonly baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000 };

/** What happened to one message: sent now, already claimed by an earlier delivery, or failed. */
export type DeliveryOutcome = "sent" | "skipped" | "failed";

/** One message of a notification. */
export interface OutgoingMessage {
  /** Unique within its notification: `mail:<person>`, `webhook`, `chat:<channel>`. */
  readonly key: string;
  /** `mail`, `webhook` or `chat:<channel id>` (dead letters say it). */
  readonly channel: string;
  /** The people it is for (person ids). */
  readonly to: readonly string[];
  readonly send: () => Promise<void>;
  /** The message as it would have gone out (the dead letter keeps it, to be re-sent by hand). */
  readonly payload?: unknown;
}

export async function deliverNotification(args: {
  store: NotificationsStore;
  /** The notification's item id. */
  id: string;
  claim: NotificationClaim;
  messages: readonly OutgoingMessage[];
  retry: RetryPolicy;
  deadLetters: DeadLetters;
  now: () => Date;
}): Promise<DeliveryOutcome[]> {
  // nothing to send and no reminder to keep: nothing to remember either
  if (args.messages.length === 0 && !args.claim.reminder) return [];
  if (!(await args.store.claim(args.id, args.claim, args.now().getTime())))
    return args.messages.map(() => "skipped");
  const failures: { message: string; error: string }[] = [];
  const deadLetterErrors: unknown[] = [];
  const outcomes = await Promise.all(
    args.messages.map(async (message): Promise<DeliveryOutcome> => {
      const error = await sendWithRetries(message.send, args.retry);
      if (error === undefined) return "sent";
      try {
        await args.deadLetters.put({
          id: `${args.id}/${message.key}`,
          kind: args.claim.kind,
          channel: message.channel,
          subject: args.claim.subject,
          change: args.claim.change,
          to: [...message.to],
          failedAt: args.now().toISOString(),
          attempts: args.retry.attempts,
          error,
          ...(message.payload === undefined ? {} : { payload: message.payload }),
        });
        failures.push({ message: message.key, error });
      } catch (lost) {
        // the item still says it failed; the caller's log says the dead letter was not kept
        failures.push({ message: message.key, error: `${error} (dead letter not kept)` });
        deadLetterErrors.push(lost);
      }
      return "failed";
    }),
  );
  if (failures.length > 0) await args.store.recordFailures(args.id, failures, args.now().toISOString());
  if (deadLetterErrors.length > 0) throw deadLetterErrors[0];
  return outcomes;
}

/** Sends with retries; undefined once sent, else the last error's message. */
async function sendWithRetries(send: () => Promise<void>, policy: RetryPolicy): Promise<string | undefined> {
  let lastError: unknown;
  try {
    await retry(
      { attempts: policy.attempts, backoffMs: exponentialBackoff(policy.baseDelayMs, Infinity), sleep },
      async () => {
        try {
          await send();
          return undefined;
        } catch (error) {
          lastError = error;
          return AGAIN;
        }
      },
      () => new Error("not sent"),
    );
    return undefined;
  } catch {
    return lastError instanceof Error ? lastError.message : String(lastError);
  }
}
