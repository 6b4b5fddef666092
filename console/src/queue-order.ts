/**
 * The order of a person's queue: what still needs them first (open, acknowledged), overdue before
 * the rest, then by how soon it is due; finished ones (waived, resolved) after, latest first.
 */
import type { Violation, ViolationStatus } from "./types.ts";

const ACTIVE: ReadonlySet<ViolationStatus> = new Set(["open", "acknowledged"]);

export function isActive(status: ViolationStatus): boolean {
  return ACTIVE.has(status);
}

export function isOverdue(v: Pick<Violation, "status" | "dueAt">, now: number): boolean {
  return isActive(v.status) && Date.parse(v.dueAt) < now;
}

export function queueOrder<T extends Pick<Violation, "status" | "dueAt" | "detectedAt" | "id">>(
  items: readonly T[],
  now: number,
): T[] {
  const rank = (v: T) => (isOverdue(v, now) ? 0 : isActive(v.status) ? 1 : 2);
  return [...items].sort((a, b) => {
    const byRank = rank(a) - rank(b);
    if (byRank !== 0) return byRank;
    if (rank(a) < 2) return Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.id.localeCompare(b.id);
    return Date.parse(b.detectedAt) - Date.parse(a.detectedAt) || a.id.localeCompare(b.id);
  });
}

/** The actions a status allows (CONTRACT §2); whether this person may take them, the API decides. */
export function allowedActions(status: ViolationStatus): ("acknowledge" | "waive" | "reopen")[] {
  switch (status) {
    case "open":
      return ["acknowledge", "waive"];
    case "acknowledged":
      return ["waive", "reopen"];
    case "waived":
    case "resolved":
      return ["reopen"];
  }
}
