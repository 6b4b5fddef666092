/**
 * The sweeper: re-evaluates, at now, every record whose pending deadline has come (the sparse
 * `byNextCheck` index), so a deadline that passes with no new record still opens its violation.
 * Its cost grows with the number of due records, not with all records.
 */
import { DEADLINE_SHARDS } from "../store/tables.ts";
import { evaluateStoredRevision } from "./evaluation.ts";
import type { Log, Platform } from "./platform.ts";

export interface SweepResult {
  readonly due: number;
  readonly evaluated: number;
  readonly failed: number;
}

export async function sweep(platform: Platform, log?: Log): Promise<SweepResult> {
  const now = platform.now().toISOString();
  let due = 0;
  let evaluated = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: DEADLINE_SHARDS }, async (_, shard) => {
      for await (const entry of platform.records.dueHeads(String(shard), now)) {
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
  return { due, evaluated, failed };
}
