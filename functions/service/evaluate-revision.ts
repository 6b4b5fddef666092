/**
 * Evaluates a stored revision and brings its violations up to date: opens new ones, refreshes those
 * still firing, resolves those no longer firing (by "system"), reopens recurring ones. Idempotent:
 * running it again for the same revision changes nothing; concurrent runs are settled by
 * conditional writes (the violation's `ver`) and by never letting an older judgement win.
 */
import { nextActionAt } from "../core/case-actions.ts";
import { recordDepartment } from "../core/directory.ts";
import { DomainError } from "../core/errors.ts";
import { type Change, reconcile, type StoredViolation } from "../core/lifecycle.ts";
import { AGAIN, retry } from "../core/retry.ts";
import { recordKey, type StoredRevision } from "../store/repositories.ts";
import { candidateViolationIds, type Platform } from "./platform.ts";

export interface EvaluationOutcome {
  /** False when a newer revision is stored or was already evaluated (nothing was changed). */
  readonly applied: boolean;
  readonly changes: Readonly<Record<Change["kind"], number>>;
  readonly nextCheckAt: string | null;
}

const MAX_ATTEMPTS = 8;

export interface EvaluationOptions {
  /**
   * The caller is the records stream's consumer, which judges a record's revisions one after the
   * other, in the order they were stored: nothing newer than a revision it judges can be judged
   * while it runs (the sweeper, which runs beside it, re-judges only older or equal revisions and
   * checks after itself), so the check after writing is left out.
   */
  readonly inStreamOrder?: boolean;
}

export async function evaluateStoredRevision(
  platform: Platform,
  stored: StoredRevision,
  options: EvaluationOptions = {},
): Promise<EvaluationOutcome> {
  const { record } = stored;
  const now = platform.now().toISOString();
  const pk = recordKey(record.type, record.id);
  const changes: Record<Change["kind"], number> = { create: 0, update: 0, reopen: 0, resolve: 0, none: 0 };
  // One batched read of both (store/records.ts: the records judged side by side share it). A newer
  // revision stored means this one is not the record's last word: the newer one is judged after
  // it (the stream carries a record's revisions in order) or was judged already (a batch
  // delivered again), and its judgement must stand, even one that left no head to refuse us.
  // The evaluator takes a record's revisions one after the other, so nothing newer is judged
  // between this read and the claim below; the sweeper re-judges only a record's latest judged
  // revision, and the claim (never below the head) and the check after writing settle it.
  const [head, newer] = await Promise.all([
    platform.records.getHead(pk),
    platform.records.newestAfter(pk, record.revision),
  ]);
  if (newer !== undefined) return { applied: false, changes, nextCheckAt: null };
  const result = platform.evaluator.evaluate(record, { now });

  const report =
    record.type === "complaint"
      ? { receivedAt: record.data.receivedAt, category: record.data.category }
      : undefined;
  // Nothing to remember: the revision fires nothing, has no deadline pending and is no complaint
  // (the satisfaction report reads complaint heads). While no revision of the record has been
  // evaluated (no head), none of its violations can exist and the next revision finds the record
  // new, so the head would change nothing anyone reads: no write.
  if (result.violations.length === 0 && result.nextCheckAt === null && !report && !head)
    return { applied: true, changes, nextCheckAt: null };
  const claim = await platform.records.claimHead(pk, record.revision, result.nextCheckAt, now, report);
  if (!claim.claimed) return { applied: false, changes, nextCheckAt: result.nextCheckAt };

  const recordFacts = {
    department: recordDepartment(record) ?? null,
    occurredAt: record.occurredAt,
  };
  const fired = new Map(result.violations.map((v) => [v.id, v]));
  let pending = candidateViolationIds(platform, record.type, record.id);
  // A record evaluated for the first time has no violations yet: skip the read. (Should one exist
  // after all, its conditional create fails and the conflict path below reads it.)
  let known: Map<string, StoredViolation> | undefined = claim.first ? new Map() : undefined;
  let wrote = false;
  await retry(
    { attempts: MAX_ATTEMPTS },
    async () => {
      if (pending.length === 0) return undefined;
      const stored = known ?? (await platform.violations.getMany(pending));
      known = undefined;
      const conflicted: string[] = [];
      await Promise.all(
        pending.map(async (id) => {
          const existing = stored.get(id);
          const change = reconcile(existing, fired.get(id), now, record.revision);
          if (change.kind === "none") return;
          const v = change.next;
          const next = {
            ...v,
            // what the list's department and occurredAt filters read (the judged revision's)
            ...recordFacts,
            nextActionAt: nextActionAt(v, platform.ruleOf(v.policyId, v.policyVersion, v.ruleId)),
          };
          if (await platform.violations.write(next, existing?.ver)) {
            changes[change.kind]++;
            wrote = true;
          } else conflicted.push(id); // someone wrote first: re-read and judge again
        }),
      );
      pending = conflicted;
      return pending.length === 0 ? undefined : AGAIN;
    },
    () => new DomainError("contention", `violations of ${pk} kept changing under us: ${pending.join(", ")}`),
  );

  // A racing evaluation of a newer revision may have claimed the head after us; if so our writes
  // may be older than its: apply the newest revision again so the last word is the newest.
  // (Nothing written, nothing to undo: no read needed. In stream order nothing newer races us.)
  if (wrote && !options.inStreamOrder) {
    const head = await platform.records.getHead(pk);
    if (head && head.latest > record.revision) {
      const newest = await platform.records.getRevision(pk, head.latest);
      if (newest) await evaluateStoredRevision(platform, newest);
    }
  }
  return { applied: true, changes, nextCheckAt: result.nextCheckAt };
}
