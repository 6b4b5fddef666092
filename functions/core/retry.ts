/**
 * The one retry loop: optimistic writes that lost a race, batch reads with unprocessed keys, a port
 * taken between probe and bind, a table or a local database that is not ready yet. `step` either
 * finishes (its value) or asks for another go (`AGAIN`); when no go is left (`attempts` made, or
 * `keepGoing` says stop) `exhausted()` is thrown. Waiting between goes is the caller's (`sleep`,
 * with `backoffMs` per attempt) and so is any deadline (`keepGoing`), so this stays pure: no clock
 * here.
 */

export const AGAIN: unique symbol = Symbol("again");

export interface RetryPolicy {
  /** most goes of `step` (the first included); `Infinity` when `keepGoing` bounds them */
  readonly attempts: number;
  /** how long to wait before go number `attempt` (2, 3, …); nothing when absent */
  readonly backoffMs?: (attempt: number) => number;
  readonly sleep?: (ms: number) => Promise<unknown>;
  /** asked before every go but the first (before its wait): false gives up, e.g. past a deadline */
  readonly keepGoing?: () => boolean;
}

export async function retry<T>(
  policy: RetryPolicy,
  step: (attempt: number) => Promise<T | typeof AGAIN>,
  exhausted: () => Error,
): Promise<T> {
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (attempt > 1) {
      if (policy.keepGoing && !policy.keepGoing()) break;
      if (policy.backoffMs && policy.sleep) await policy.sleep(policy.backoffMs(attempt));
    }
    const result = await step(attempt);
    if (result !== AGAIN) return result;
  }
  throw exhausted();
}

/** `base × 2^(attempt - 2)` from the second go on, at most `max` (ms). */
export function exponentialBackoff(baseMs: number, maxMs: number): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 2));
}
