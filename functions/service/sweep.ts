/**
 * The sweeper: re-evaluates, at now, every record whose pending deadline has come (the sparse
 * `byNextCheck` index), so a deadline that passes with no new record still opens its violation.
 * Its cost grows with the number of due records, not with all records.
 */
import { applyDueAction, nextActionAt } from "../core/case-actions.ts";
import { evaluateStoredRevision } from "./evaluate-revision.ts";
import type { Log, Platform } from "./platform.ts";
import { changeViolation } from "./violation-actions.ts";

export interface SweepResult {
  readonly due: number;
  readonly evaluated: number;
  /** Violations whose waiver expired (reopened) or that were escalated. */
  readonly acted: number;
  readonly failed: number;
}

export async function sweep(platform: Platform, log?: Log): Promise<SweepResult> {
  const now = platform.now().toISOString();
  let due = 0;
  let evaluated = 0;
  let failed = 0;
  await Promise.all(
    platform.records.duePartitions(now).map(async (partition) => {
      for await (const entry of partition) {
        due++;
        try {
          const head = await platform.records.getHead(entry.pk);
          const latest = head ? await platform.records.getRevision(entry.pk, head.latest) : undefined;
          if (!latest) continue;
          await evaluateStoredRevision(platform, latest);
          evaluated++;
        } catch (error) {
          // one record's failure must not stop the sweep; it stays due and is retried next run
          failed++;
          log?.error("sweep: re-evaluation failed", { pk: entry.pk, error: String(error) });
        }
      }
    }),
  );
  let acted = 0;
  // violations: expired waivers reopen, overdue ones climb their rule's escalate roles
  await Promise.all(
    platform.violations.duePartitions(now).map(async (partition) => {
      for await (const id of partition) {
        due++;
        try {
          let changed = false;
          await changeViolation(platform, id, (violation, context) => {
            const result = applyDueAction({
              violation,
              at: now,
              rule: context.rule,
              peopleFor: context.peopleFor,
            });
            if (result) {
              changed = true;
              return result.next;
            }
            // nothing due after all (a stale entry): correct the index so it stops coming back
            const next = nextActionAt(violation, context.rule);
            return next === (violation.nextActionAt ?? null)
              ? undefined
              : { ...violation, nextActionAt: next, ver: violation.ver + 1 };
          });
          if (changed) acted++;
        } catch (error) {
          failed++;
          log?.error("sweep: violation action failed", { id, error: String(error) });
        }
      }
    }),
  );
  return { due, evaluated, acted, failed };
}
