/**
 * What people do with violations (CONTRACT §2 case-handler routes) and what time does to them
 * (waivers expire, overdue violations climb the rule's `escalate` roles), as pure functions.
 *
 *   acknowledge: open → acknowledged
 *   waive:       open | acknowledged → waived   (a reason, an `until` in the future, and not by the
 *                person whose action caused the violation)
 *   reopen:      acknowledged | waived | resolved → open
 *   time:        waived past `until` → open (by "system");
 *                open past `dueAt` with a role left in `escalate` → escalated, with a new dueAt
 */
import type { RecordEnvelope } from "../../schemas/record.ts";
import type { Assignee } from "./engine/violation.ts";
import { DomainError } from "./errors.ts";
import { appendHistory, type HistoryEntry, type StoredViolation, SYSTEM } from "./lifecycle.ts";
import type { LoadedRule } from "./policy/model.ts";
import { toIso } from "./time.ts";

export type CaseAction = "acknowledge" | "waive" | "reopen";

export interface CaseRequest {
  readonly by: string;
  readonly reason: string;
  readonly until?: string;
}

/** An `until` that is not in the future is a request error on that field (400), the others 409. */
export type CaseErrorCode = "transition_not_allowed" | "separation_of_duties" | "validation_failed";

export class CaseActionError extends DomainError<CaseErrorCode> {}

const UNTIL_IN_FUTURE =
  "`until` must be a time in the future: a date (the end of that day in the company's time zone) or a date-time with a zone, e.g. 2026-06-30 or 2026-06-30T18:00+08:00";

const FROM: Readonly<Record<CaseAction, readonly string[]>> = {
  acknowledge: ["open"],
  waive: ["open", "acknowledged"],
  reopen: ["acknowledged", "waived", "resolved"],
};
const TO = { acknowledge: "acknowledged", waive: "waived", reopen: "open" } as const;

/** The people whose action a record reports: they may not waive its violations. */
export function culpritsOf(record: RecordEnvelope | undefined): string[] {
  if (!record) return [];
  const data = record.data as Record<string, unknown>;
  const people = [data.applicant, data.salesperson, (data.actor as { id?: unknown } | undefined)?.id];
  return people.filter((p): p is string => typeof p === "string" && p.trim() !== "").map((p) => p.trim());
}

/** When the sweeper must next look at a violation, given the rule it belongs to. */
export function nextActionAt(v: StoredViolation, rule: LoadedRule | undefined): string | null {
  if (v.status === "waived") return v.waivedUntil ?? null;
  if (v.status === "open" && (v.escalationLevel ?? 0) < (rule?.escalate?.length ?? 0)) return v.dueAt;
  return null;
}

function withEntry(
  v: StoredViolation,
  entry: HistoryEntry,
  changes: Partial<StoredViolation>,
): StoredViolation {
  return { ...v, ...changes, ...appendHistory(v, entry), updatedAt: entry.at, ver: v.ver + 1 };
}

/** Default longest waiver: one year (a platform setting and a policy parameter can change it). */
export const DEFAULT_MAX_WAIVER_DAYS = 365;
const DAY_MS = 86_400_000;

/**
 * The longest waiver for a violation of this policy: its `maxWaiverDays` parameter when it has one
 * (a positive number of days), else the platform's setting.
 */
export function maxWaiverDays(
  parameters: Readonly<Record<string, unknown>> | undefined,
  platformDays: number = DEFAULT_MAX_WAIVER_DAYS,
): number {
  const own = parameters?.maxWaiverDays;
  return typeof own === "number" && own > 0 ? own : platformDays;
}

export function applyCaseAction(args: {
  violation: StoredViolation;
  action: CaseAction;
  request: CaseRequest;
  at: string;
  rule: LoadedRule | undefined;
  culprits: readonly string[];
  /** The longest waiver allowed, in days (maxWaiverDays). */
  maxWaiverDays?: number;
}): StoredViolation {
  const { violation: v, action, request, at, rule } = args;
  // a request-shape mistake before any transition question: `until` means nothing but for waive
  if (action !== "waive" && request.until !== undefined)
    throw new CaseActionError("validation_failed", `\`until\` applies to waive only, not to ${action}`, {
      issues: [{ path: "until", message: `applies to waive only, not to ${action}` }],
    });
  if (!FROM[action].includes(v.status))
    throw new CaseActionError(
      "transition_not_allowed",
      `cannot ${action} a violation that is ${v.status} (allowed from: ${FROM[action].join(", ")})`,
    );
  const entry: HistoryEntry = { status: TO[action], at, by: request.by, reason: request.reason };
  let next: StoredViolation;
  if (action === "waive") {
    if (!request.until || Date.parse(request.until) <= Date.parse(at))
      throw new CaseActionError("validation_failed", UNTIL_IN_FUTURE, {
        issues: [{ path: "until", message: UNTIL_IN_FUTURE }],
      });
    const days = args.maxWaiverDays ?? DEFAULT_MAX_WAIVER_DAYS;
    const latest = Date.parse(at) + days * DAY_MS;
    if (Date.parse(request.until) > latest) {
      const message = `a waiver lasts at most ${days} days: \`until\` must be at or before ${toIso(latest)}`;
      throw new CaseActionError("validation_failed", message, { issues: [{ path: "until", message }] });
    }
    if (args.culprits.includes(request.by.trim()))
      throw new CaseActionError(
        "separation_of_duties",
        `${request.by} caused this violation (the record names them) and cannot waive it`,
      );
    next = withEntry(v, entry, { status: "waived", waivedUntil: request.until });
  } else if (action === "reopen") {
    const dueAt = rule ? toIso(Date.parse(at) + rule.dueMs) : v.dueAt;
    next = withEntry(v, entry, { status: "open", waivedUntil: null, resolvedAt: null, dueAt });
  } else {
    next = withEntry(v, entry, { status: "acknowledged" });
  }
  return { ...next, nextActionAt: nextActionAt(next, rule) };
}

/**
 * What time has done to a violation by `at`: an expired waiver reopens it; an open violation past
 * its dueAt is escalated to the rule's next role. `undefined` when nothing is due.
 */
export function applyDueAction(args: {
  violation: StoredViolation;
  at: string;
  rule: LoadedRule | undefined;
  peopleFor: (role: string) => readonly string[];
}): { next: StoredViolation; kind: "waiver_expired" | "escalated" } | undefined {
  const { violation: v, at, rule } = args;
  const now = Date.parse(at);
  if (v.status === "waived" && v.waivedUntil && Date.parse(v.waivedUntil) <= now) {
    const dueAt = rule ? toIso(now + rule.dueMs) : v.dueAt;
    const next = withEntry(
      v,
      { status: "open", at, by: SYSTEM, reason: `waiver expired at ${v.waivedUntil}` },
      { status: "open", waivedUntil: null, dueAt },
    );
    return { kind: "waiver_expired", next: { ...next, nextActionAt: nextActionAt(next, rule) } };
  }
  const level = v.escalationLevel ?? 0;
  const role = rule?.escalate?.[level];
  if (v.status === "open" && role && Date.parse(v.dueAt) <= now && rule) {
    const assignee: Assignee = { role, people: [...args.peopleFor(role)] };
    const next = withEntry(
      v,
      { status: "open", at, by: SYSTEM, reason: `overdue since ${v.dueAt}: escalated to ${role}` },
      {
        escalationLevel: level + 1,
        assignees: [...v.assignees.filter((a) => a.role !== role), assignee],
        dueAt: toIso(now + rule.dueMs),
      },
    );
    return { kind: "escalated", next: { ...next, nextActionAt: nextActionAt(next, rule) } };
  }
  return undefined;
}
