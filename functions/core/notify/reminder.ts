/**
 * When a violation's reminder is due (CONTRACT §7: "a reminder goes before dueAt"): at the policy
 * parameter `reminderBefore` (an ISO 8601 duration before dueAt) when the policy sets one, else
 * once `fraction` (the platform setting, default 75 %) of the due period has passed. The due period
 * starts when the violation last became open (opened, reopened, waiver expired, escalated: each
 * sets a new dueAt and appends an `open` history entry).
 */
import type { StoredViolation } from "../lifecycle.ts";
import { parseDuration, toIso } from "../time.ts";

export const DEFAULT_REMINDER_FRACTION = 0.75;

/** Statuses in which someone still has to act by dueAt. */
const PENDING = new Set(["open", "acknowledged"]);

/** The start of the current due period: the last time the violation became (or stayed) open. */
function duePeriodStart(v: Pick<StoredViolation, "history" | "detectedAt">): string {
  for (let i = v.history.length - 1; i >= 0; i--) {
    const entry = v.history[i];
    if (entry?.status === "open") return entry.at;
  }
  return v.detectedAt;
}

/** When to remind, or `null` when no reminder is due for this dueAt (not pending, or no time left). */
export function reminderAt(
  v: Pick<StoredViolation, "history" | "detectedAt" | "dueAt" | "status">,
  opts: { fraction?: number; reminderBefore?: unknown },
): string | null {
  if (!PENDING.has(v.status)) return null;
  const due = Date.parse(v.dueAt);
  const start = Date.parse(duePeriodStart(v));
  if (!(due > start)) return null;
  const before = typeof opts.reminderBefore === "string" ? parseDuration(opts.reminderBefore) : undefined;
  const fraction = opts.fraction ?? DEFAULT_REMINDER_FRACTION;
  const at = before !== undefined ? due - before : start + Math.round((due - start) * fraction);
  return at < due ? toIso(Math.max(at, start)) : null;
}
