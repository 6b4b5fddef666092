/**
 * Domain events for downstream systems (mail, chat, ticketing): `ViolationOpened` when a violation
 * becomes open (new or reopened), `ViolationResolved` when it is resolved and `ViolationEscalated` when
 * it climbs to the next role of its rule's `escalate` list. Derived from the
 * violations table's stream (old and new image), so every committed status change is published
 * at least once and none is published for a write that did not happen.
 */
import { historyCount, publicViolation, type StoredViolation } from "../core/lifecycle.ts";

export const EVENT_SOURCE = "compliance.platform";

export interface DomainEvent {
  readonly detailType: "ViolationOpened" | "ViolationResolved" | "ViolationEscalated";
  /** Consumers de-duplicate on it: the violation and how many status changes it has had. */
  readonly key: string;
  readonly detail: ReturnType<typeof publicViolation>;
}

export function violationEvents(
  before: StoredViolation | undefined,
  after: StoredViolation | undefined,
): DomainEvent[] {
  if (!after) return [];
  const key = `${after.id}:${historyCount(after)}`;
  if ((after.escalationLevel ?? 0) > (before?.escalationLevel ?? 0))
    return [{ detailType: "ViolationEscalated", key, detail: publicViolation(after) }];
  if (before?.status === after.status) return [];
  if (after.status === "open")
    return [{ detailType: "ViolationOpened", key, detail: publicViolation(after) }];
  if (after.status === "resolved")
    return [{ detailType: "ViolationResolved", key, detail: publicViolation(after) }];
  return [];
}

/** Where events go: EventBridge on AWS, a JSON-lines file locally. */
export interface EventSink {
  publish(events: readonly DomainEvent[]): Promise<void>;
}
