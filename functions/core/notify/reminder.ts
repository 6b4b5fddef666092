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

/** Statuses in which someone still has to act by dueAt (reminders and digests are about these). */
export const PENDING_STATUSES = ["open", "acknowledged"] as const;
const PENDING: ReadonlySet<string> = new Set(PENDING_STATUSES);

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

/**
 * Whether the violation is still in the due period it was detected with (never reopened,
 * escalated or back from a waiver since). Its reminder is then found from its detection time
 * (`firstReminderOffsets`), and needs no index entry of its own.
 */
export function inFirstDuePeriod(v: Pick<StoredViolation, "history" | "detectedAt">): boolean {
  return duePeriodStart(v) === v.detectedAt;
}

/** A policy rule's key in `firstReminderOffsets`. */
export const ruleKey = (policyId: string, ruleId: string) => `${policyId}/${ruleId}`;

/**
 * How long after detection a violation in its first due period is reminded, per policy rule
 * (`ruleKey`): reminderAt of a violation detected at t and due at t + the rule's due period. A
 * violation keeps its dueAt when a later version of its policy judges it again, but takes that
 * version's parameters, so every version's due period is paired with every version's
 * `reminderBefore`. Rules with no reminder (no time left) have none.
 */
export function firstReminderOffsets(
  versions: readonly {
    readonly id: string;
    readonly parameters: Readonly<Record<string, unknown>>;
    readonly rules: readonly { readonly id: string; readonly dueMs: number }[];
  }[],
  fraction?: number,
): Map<string, Set<number>> {
  const befores = new Map<string, Set<unknown>>();
  for (const v of versions) {
    const set = befores.get(v.id) ?? new Set<unknown>();
    set.add(v.parameters.reminderBefore);
    befores.set(v.id, set);
  }
  const offsets = new Map<string, Set<number>>();
  const t0 = 0;
  const detectedAt = toIso(t0);
  for (const v of versions)
    for (const rule of v.rules) {
      const key = ruleKey(v.id, rule.id);
      const found = offsets.get(key) ?? new Set<number>();
      for (const reminderBefore of befores.get(v.id) ?? []) {
        const at = reminderAt(
          {
            status: "open",
            detectedAt,
            dueAt: toIso(t0 + rule.dueMs),
            history: [{ status: "open", at: detectedAt, by: "system", reason: "" }],
          },
          { fraction, reminderBefore },
        );
        if (at !== null) found.add(Date.parse(at) - t0);
      }
      offsets.set(key, found);
    }
  return offsets;
}
