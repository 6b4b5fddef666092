/**
 * Exactly one message per id: claim it with a conditional write, send with retries and
 * exponential backoff, record the outcome; after the last try keep it as failed in the dead
 * letters (and in the table, so it is not tried again by a redelivered event).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { DeliveryMeta, NotificationsStore } from "../../store/notifications.ts";
import type { DeadLetters } from "./transports.ts";

export interface RetryPolicy {
  /** Tries in all (≥ 1). */
  readonly attempts: number;
  /** The first pause; each next one doubles. */
  readonly baseDelayMs: number;
  /** A claim older than this, still pending, was left by a sender that died: it may be taken over. */
  readonly leaseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, leaseMs: 3 * 60_000 };

export type DeliveryOutcome = "sent" | "skipped" | "failed" | "busy";

export async function deliverOnce(args: {
  store: NotificationsStore;
  key: string;
  meta: DeliveryMeta;
  send: () => Promise<void>;
  retry: RetryPolicy;
  deadLetters: DeadLetters;
  now: () => Date;
  /** The notification as it would have gone out (the dead letter keeps it, to be re-sent by hand). */
  payload?: unknown;
}): Promise<DeliveryOutcome> {
  const claim = await args.store.claim(args.key, args.meta, args.now().getTime(), args.retry.leaseMs);
  if (claim === "done") return "skipped";
  if (claim === "busy") return "busy";
  let lastError: unknown;
  for (let attempt = 1; attempt <= args.retry.attempts; attempt++) {
    try {
      await args.send();
      await args.store.settle(args.key, { state: "sent", at: args.now().toISOString(), attempts: attempt });
      return "sent";
    } catch (error) {
      lastError = error;
      if (attempt < args.retry.attempts) await sleep(args.retry.baseDelayMs * 2 ** (attempt - 1));
    }
  }
  const message = lastError instanceof Error ? lastError.message : String(lastError);
  await args.deadLetters.put({
    id: args.key,
    ...args.meta,
    failedAt: args.now().toISOString(),
    attempts: args.retry.attempts,
    error: message,
    ...(args.payload === undefined ? {} : { payload: args.payload }),
  });
  await args.store.settle(args.key, {
    state: "failed",
    at: args.now().toISOString(),
    attempts: args.retry.attempts,
    error: message,
  });
  return "failed";
}
