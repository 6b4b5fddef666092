/**
 * The violation lifecycle (CONTRACT §3), as a pure function: given what is stored and what an
 * evaluation found, what must change. The store applies the change with a conditional write.
 *
 *   (none) ──fires──▶ open ──no longer fires──▶ resolved ──fires again──▶ open (reopened)
 *   open / acknowledged / waived ──no longer fires──▶ resolved   (by "system")
 *
 * Every status change appends to `history`. A stored violation is never changed by an evaluation of
 * an older revision than the one it was last judged on.
 */
import { canonicalJson } from "./canonical.ts";
import type { Violation, ViolationStatus } from "./engine/violation.ts";

export const SYSTEM = "system";

export interface HistoryEntry {
  readonly status: ViolationStatus;
  readonly at: string;
  readonly by: string;
  readonly reason: string | null;
}

export interface StoredViolation extends Violation {
  /** The newest status changes (bounded: appendHistory); the audit trail keeps every one. */
  readonly history: readonly HistoryEntry[];
  /** How many status changes there have been in all (absent on items older than the bound: history.length). */
  readonly historyCount?: number;
  /** While waived: when the waiver expires (the sweeper then reopens it). */
  readonly waivedUntil?: string | null;
  /** How many roles of the rule's `escalate` list it has been escalated to. */
  readonly escalationLevel?: number;
  /** When the sweeper must look at it next (waiver expiry, or escalation past dueAt); internal. */
  readonly nextActionAt?: string | null;
  /** The judged record's `data.department` and `occurredAt` (list filters and exports read them). */
  readonly department?: string | null;
  readonly occurredAt?: string;
  /** Last time an evaluation confirmed or changed it. */
  readonly updatedAt: string;
  /** Optimistic-lock counter: every write expects the one it read. */
  readonly ver: number;
}

/**
 * A violation's history is bounded so that no sequence of valid actions can push its item past
 * DynamoDB's 400 KB (~190 waive/reopen cycles with long reasons once did, after which every action
 * was a 500): the newest 50 entries, and fewer when their text passes 40,000 characters (≤ 120 KB in
 * UTF-8). Every change is also in the audit trail, which keeps all of them; `historyCount` counts
 * them all, so "the history grew" stays observable (audit entries, event keys).
 */
export const HISTORY_MAX_ENTRIES = 50;
const HISTORY_MAX_CHARS = 40_000;

/** Total status changes of a violation, including those no longer kept in `history`. */
export function historyCount(v: Pick<StoredViolation, "history" | "historyCount">): number {
  return v.historyCount ?? v.history.length;
}

/** `history` and `historyCount` after one more entry (bounded, newest kept). */
export function appendHistory(
  v: Pick<StoredViolation, "history" | "historyCount"> | undefined,
  entry: HistoryEntry,
): { history: HistoryEntry[]; historyCount: number } {
  const all = [...(v?.history ?? []), entry];
  let history = all.slice(-HISTORY_MAX_ENTRIES);
  let chars = history.reduce((sum, h) => sum + JSON.stringify(h).length, 0);
  while (history.length > 1 && chars > HISTORY_MAX_CHARS) {
    chars -= JSON.stringify(history[0]).length;
    history = history.slice(1);
  }
  return { history, historyCount: (v ? historyCount(v) : 0) + 1 };
}

export type Change =
  | { readonly kind: "create" | "update" | "reopen" | "resolve"; readonly next: StoredViolation }
  | { readonly kind: "none" };

/** Fields an evaluation may refresh on a violation that still fires (status and deadlines stay). */
function refreshed(existing: StoredViolation, fired: Violation, at: string): StoredViolation {
  return {
    ...existing,
    policyVersion: fired.policyVersion,
    severity: fired.severity,
    record: fired.record,
    message: fired.message,
    // roles it was escalated to stay assigned when a new revision still violates
    assignees: [
      ...fired.assignees,
      ...existing.assignees.filter((a) => !fired.assignees.some((f) => f.role === a.role)),
    ],
    evidence: fired.evidence,
    source: fired.source,
    updatedAt: at,
    ver: existing.ver + 1,
  };
}

function sameContent(a: Violation, b: Violation): boolean {
  return (
    a.policyVersion === b.policyVersion &&
    a.severity === b.severity &&
    a.record.revision === b.record.revision &&
    // canonical: DynamoDB gives map keys back in any order
    canonicalJson([a.message, a.assignees, a.evidence, a.source]) ===
      canonicalJson([b.message, b.assignees, b.evidence, b.source])
  );
}

/**
 * @param existing what is stored for this violation id, if anything
 * @param fired the violation the evaluation produced for this id, if the rule fired
 * @param at the evaluation time
 * @param revision the record revision that was evaluated
 */
export function reconcile(
  existing: StoredViolation | undefined,
  fired: Violation | undefined,
  at: string,
  revision: number,
): Change {
  // never let an older judgement overwrite a newer one (redelivery, a sweep racing an ingest)
  if (
    existing &&
    (revision < existing.record.revision ||
      (revision === existing.record.revision && at < existing.updatedAt))
  )
    return { kind: "none" };
  if (!existing) {
    if (!fired) return { kind: "none" };
    return {
      kind: "create",
      next: {
        ...fired,
        status: "open",
        ...appendHistory(undefined, {
          status: "open",
          at,
          by: SYSTEM,
          reason: `detected at revision ${revision}`,
        }),
        updatedAt: at,
        ver: 1,
      },
    };
  }
  if (fired) {
    if (existing.status === "resolved") {
      return {
        kind: "reopen",
        next: {
          ...refreshed(existing, fired, at),
          status: "open",
          dueAt: fired.dueAt,
          resolvedAt: null,
          ...appendHistory(existing, {
            status: "open",
            at,
            by: SYSTEM,
            reason: `recurred at revision ${revision}`,
          }),
        },
      };
    }
    if (sameContent(existing, fired)) return { kind: "none" };
    return { kind: "update", next: refreshed(existing, fired, at) };
  }
  if (existing.status === "resolved") return { kind: "none" };
  return {
    kind: "resolve",
    next: {
      ...existing,
      record: { ...existing.record, revision },
      status: "resolved",
      resolvedAt: at,
      waivedUntil: null,
      ...appendHistory(existing, {
        status: "resolved",
        at,
        by: SYSTEM,
        reason: `no longer violated at revision ${revision}`,
      }),
      updatedAt: at,
      ver: existing.ver + 1,
    },
  };
}

/** What auditors see of a stored violation, in the contract's field order (no internal lock counter). */
export function publicViolation(v: StoredViolation) {
  return {
    id: v.id,
    policyId: v.policyId,
    policyVersion: v.policyVersion,
    ruleId: v.ruleId,
    area: v.area,
    severity: v.severity,
    record: { type: v.record.type, id: v.record.id, revision: v.record.revision },
    status: v.status,
    message: { zh: v.message.zh, en: v.message.en },
    assignees: v.assignees.map((a) => ({ role: a.role, people: a.people })),
    dueAt: v.dueAt,
    detectedAt: v.detectedAt,
    resolvedAt: v.resolvedAt ?? null,
    evidence: v.evidence,
    source: v.source.map((s) => ({ document: s.document, clause: s.clause })),
    history: v.history.map((h) => ({ status: h.status, at: h.at, by: h.by, reason: h.reason ?? null })),
    waivedUntil: v.waivedUntil ?? null,
    escalationLevel: v.escalationLevel ?? 0,
    updatedAt: v.updatedAt,
  };
}
