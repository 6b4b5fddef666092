/**
 * Who may do what (CONTRACT §6), as one pure function. Authentication (401) and "which violation"
 * (404) come before it, the request body's validity (400) too; the status transition (409) after.
 * In between, in this order:
 *   1. a `by` that is not exactly the caller's id                         403 actor_mismatch
 *   2. waiving a violation whose record names the caller as its actor      403 separation_of_duties
 *      (applicant, salesperson, access actor), assigned or not
 *   3. acknowledging or waiving one the caller is not among the assignees' 403 not_assigned
 *      people of (escalated roles included); reopening one neither assigned
 *      to them nor asked by an auditor
 * Reading: auditors and the machine reader read everything; any other person reads only the
 * violations assigned to them, and a list is their queue.
 *
 * Identity is exact: ids are compared with ===, never case-folded or normalised, so "A.WU", "a.wu"
 * with a zero-width space and a Cyrillic "а.wu" are other ids, and since `by` must BE the caller,
 * none of them can slip past separation of duties. The machine reader is nobody: it never acts.
 */
import { DomainError } from "./errors.ts";
import { visible } from "./visible.ts";

export type Caller =
  /** A signed-in person of the directory; `auditor` when they hold the auditor role. */
  | { readonly kind: "person"; readonly id: string; readonly auditor: boolean }
  /** The machine reader credential (a SIEM, a BI export): reads what an auditor reads. */
  | { readonly kind: "reader" };

export type CaseAction = "acknowledge" | "waive" | "reopen";

/** What authorization needs to know of a violation. */
export interface ViolationSubject {
  readonly assignees: readonly { readonly people: readonly string[] }[];
  /** The people the violation's record names as its actor (culpritsOf). */
  readonly culprits?: readonly string[];
}

export type Request =
  | { readonly action: CaseAction; readonly violation: ViolationSubject; readonly by?: string }
  | { readonly action: "read"; readonly violation: ViolationSubject }
  /** `assignee` as the query gave it: a person id, "me", or absent. */
  | { readonly action: "list"; readonly assignee?: string }
  /** Auditor-only reading: stored records, policies, the audit trail, reports. */
  | { readonly action: "audit" };

export type RefusalCode =
  | "actor_mismatch"
  | "separation_of_duties"
  | "not_assigned"
  | "not_auditor"
  | "validation_failed";

export type Decision =
  | {
      readonly allowed: true;
      /** list: whose queue to list (undefined = every violation). */
      readonly assignee?: string;
    }
  | {
      readonly allowed: false;
      readonly status: 400 | 403;
      readonly code: RefusalCode;
      readonly message: string;
    };

const allow = (assignee?: string): Decision => ({ allowed: true, ...(assignee ? { assignee } : {}) });
const refuse = (status: 400 | 403, code: RefusalCode, message: string): Decision => ({
  allowed: false,
  status,
  code,
  message,
});

/** Every person a violation is assigned to, escalated roles included. */
function assignedPeople(violation: ViolationSubject): Set<string> {
  return new Set(violation.assignees.flatMap((a) => a.people));
}

function callerName(caller: Caller): string {
  return caller.kind === "person" ? visible(caller.id) : "the machine reader";
}

export function authorize(caller: Caller, request: Request): Decision {
  const readsAll = caller.kind === "reader" || caller.auditor;
  switch (request.action) {
    case "audit":
      return readsAll
        ? allow()
        : refuse(403, "not_auditor", "only auditors and the machine reader may read this");
    case "read":
      if (readsAll || assignedPeople(request.violation).has(caller.id)) return allow();
      return refuse(403, "not_assigned", `this violation is not assigned to ${callerName(caller)}`);
    case "list": {
      const { assignee } = request;
      if (caller.kind === "reader") {
        if (assignee === "me")
          return refuse(
            400,
            "validation_failed",
            "assignee=me needs a signed-in person; the machine reader has no queue",
          );
        return allow(assignee);
      }
      // a person's list without `assignee` is their queue; an auditor's is everything
      if (assignee === undefined) return allow(caller.auditor ? undefined : caller.id);
      if (assignee === "me" || assignee === caller.id) return allow(caller.id);
      if (caller.auditor) return allow(assignee);
      return refuse(
        403,
        "not_assigned",
        `${callerName(caller)} may list only their own queue (assignee=me), not ${visible(assignee)}'s`,
      );
    }
    default: {
      // acting: 1. actor, 2. separation of duties, 3. assignment
      const { action, violation, by } = request;
      if (by !== undefined && (caller.kind !== "person" || by !== caller.id))
        return refuse(
          403,
          "actor_mismatch",
          `by is ${visible(by)} but the caller is ${callerName(caller)}: people act only as themselves`,
        );
      if (caller.kind === "reader")
        return refuse(403, "not_assigned", "the machine reader reads and never acts");
      if (action === "waive" && (violation.culprits ?? []).includes(caller.id))
        return refuse(
          403,
          "separation_of_duties",
          `${visible(caller.id)} is named by the record as the one who acted, and cannot waive its violation`,
        );
      if (assignedPeople(violation).has(caller.id)) return allow();
      if (action === "reopen" && caller.auditor) return allow();
      return refuse(
        403,
        "not_assigned",
        action === "reopen"
          ? `${visible(caller.id)} may not reopen it: it is not assigned to them and they are not an auditor`
          : `this violation is not assigned to ${visible(caller.id)}, who may not ${action} it`,
      );
    }
  }
}

/** A refusal of CONTRACT §6 as a typed error (its HTTP status comes from the one code table). */
export class RefusedError extends DomainError<RefusalCode> {}

/** The decision, or its refusal thrown: what a list may show (its assignee) when allowed. */
export function requireAllowed(caller: Caller, request: Request): { assignee?: string } {
  const decision = authorize(caller, request);
  if (decision.allowed) return decision;
  throw new RefusedError(decision.code, decision.message, {
    ...(decision.code === "validation_failed"
      ? { issues: [{ path: "assignee", message: decision.message }] }
      : {}),
  });
}
