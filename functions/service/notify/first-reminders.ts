/**
 * Reminders of the violations still in their first due period — nearly all of them: opened and
 * not reopened, escalated or back from a waiver since — found without an index entry each (one
 * write unit per violation saved). A violation of rule r detected at t is reminded at t + an
 * offset that depends only on its rule (core/notify/reminder.ts `firstReminderOffsets`), so the
 * reminders due in (cursor, now] are the open or acknowledged violations detected in
 * (cursor − o, now − o], for each offset o: a key range of the violations' byStatus index, whose
 * sort key is the detection time. Each candidate is read again (consistently) and reminded only
 * when its own reminder time is in the window; the notification's claim (`reminder@<dueAt>`) makes
 * a second sweep over the same window, or a reminder the old index already sent, send nothing.
 * The cursor moves only after a window went through without an error, so a failed sweep is
 * looked at again. Reminders of later due periods keep their index entry (notifier.ts).
 */
import type { StoredViolation } from "../../core/lifecycle.ts";
import {
  firstReminderOffsets,
  inFirstDuePeriod,
  PENDING_STATUSES,
  reminderAt,
  ruleKey,
} from "../../core/notify/reminder.ts";
import type { PolicySet } from "../../core/policy/model.ts";
import { toIso } from "../../core/time.ts";
import type { NotificationsStore } from "../../store/notifications.ts";
import type { ViolationRepository } from "../../store/repositories.ts";

/** A platform's first sweep looks this far back (reminders still before their dueAt go out). */
export const FIRST_SWEEP_LOOKBACK_MS = 24 * 3600_000;

/**
 * A reminder due sooner than this after detection keeps its index entry instead (notifier.ts):
 * the sweep can only find a violation once it is written and the byStatus index (eventually
 * consistent) has caught up, which takes far less than this, but not nothing.
 */
export const MIN_SCANNED_OFFSET_MS = 5 * 60_000;

/** Whether a first due period's reminder, due `offsetMs` after detection, is found by the sweep. */
export const scannedOffset = (offsetMs: number): boolean => offsetMs >= MIN_SCANNED_OFFSET_MS;

export interface FirstRemindersDeps {
  readonly store: Pick<NotificationsStore, "reminderCursor" | "moveReminderCursor">;
  readonly violations: Pick<ViolationRepository, "detectedBetween" | "get">;
  readonly set: Pick<PolicySet, "versions">;
  readonly reminderFraction: number;
  /** The policy's `reminderBefore` for a violation (its version's parameter), if any. */
  readonly reminderBefore: (v: StoredViolation) => unknown;
  /** Sends a violation's reminder (claimed once); how many messages went and failed. */
  readonly remind: (v: StoredViolation) => Promise<{ sent: number; failed: number }>;
}

export async function sweepFirstReminders(
  deps: FirstRemindersDeps,
  nowMs: number,
): Promise<{ sent: number; failed: number }> {
  const cursor = await deps.store.reminderCursor();
  const fromMs = cursor === undefined ? nowMs - FIRST_SWEEP_LOOKBACK_MS : Date.parse(cursor);
  if (!(nowMs > fromMs)) return { sent: 0, failed: 0 };
  const byRule = firstReminderOffsets(deps.set.versions, deps.reminderFraction);
  const offsets = new Set([...byRule.values()].flatMap((s) => [...s]).filter(scannedOffset));
  const seen = new Set<string>();
  let sent = 0;
  let failed = 0;
  for (const offset of offsets) {
    const candidates = deps.violations.detectedBetween(
      PENDING_STATUSES,
      toIso(fromMs - offset),
      toIso(nowMs - offset),
    );
    for await (const c of candidates) {
      if (seen.has(c.id) || !byRule.get(ruleKey(c.policyId, c.ruleId))?.has(offset)) continue;
      seen.add(c.id);
      const v = await deps.violations.get(c.id);
      if (!v || !inFirstDuePeriod(v) || nowMs >= Date.parse(v.dueAt)) continue;
      const at = reminderAt(v, { fraction: deps.reminderFraction, reminderBefore: deps.reminderBefore(v) });
      if (at === null || !(Date.parse(at) > fromMs && Date.parse(at) <= nowMs)) continue;
      if (!scannedOffset(Date.parse(at) - Date.parse(v.detectedAt))) continue; // its index entry has it
      const outcome = await deps.remind(v);
      sent += outcome.sent;
      failed += outcome.failed;
    }
  }
  await deps.store.moveReminderCursor(cursor, toIso(nowMs));
  return { sent, failed };
}
