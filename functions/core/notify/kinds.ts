/**
 * What a notification is about (CONTRACT §7) and how its ids are derived. A notification is one
 * change of one violation (`opened`, `escalated`, `reopened`, `waiver-expired`), a `reminder`
 * before a dueAt, or a person's daily `digest`. Every message id derives from (violation, change,
 * recipient): the delivery store's conditional write then sends each one once.
 */
import { createHash } from "node:crypto";
import { type HistoryEntry, SYSTEM } from "../lifecycle.ts";

const NOTIFICATION_KINDS = [
  "opened",
  "escalated",
  "reopened",
  "waiver-expired",
  "reminder",
  "digest",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type ChangeKind = Exclude<NotificationKind, "reminder" | "digest">;

/** The violation events (functions/service/events.ts) a notification may follow. */
export type ViolationEventType = "ViolationOpened" | "ViolationResolved" | "ViolationEscalated";

/**
 * Which change an event reports, read from the violation as it was written: escalations are their
 * own event; an open violation with one history entry was just opened; one whose previous status
 * was `waived` and that the platform reopened had its waiver expire; any other is reopened.
 * `change` names the status change (its position in history), as the events' `eventKey` does.
 */
export function changeOf(
  type: ViolationEventType,
  violation: { readonly history: readonly HistoryEntry[] },
): { kind: ChangeKind; change: string } | undefined {
  const history = violation.history;
  const change = `h${history.length}`;
  if (type === "ViolationEscalated") return { kind: "escalated", change };
  if (type !== "ViolationOpened") return undefined;
  if (history.length <= 1) return { kind: "opened", change };
  const last = history[history.length - 1] as HistoryEntry;
  const before = history[history.length - 2] as HistoryEntry;
  if (before.status === "waived" && last.by === SYSTEM) return { kind: "waiver-expired", change };
  return { kind: "reopened", change };
}

/** 32 hex digits of SHA-256 over the parts, JSON-encoded (no separator can be forged). */
function derivedId(...parts: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
}

/** A notification's id (the webhook's `id`): one per (violation or digest subject, change). */
export const notificationId = (subject: string, change: string) => derivedId(subject, change);

/** One message's id: one per (violation, change, person); for a digest (person, day, person). */
export const messageId = (subject: string, change: string, recipient: string) =>
  derivedId(subject, change, recipient);
