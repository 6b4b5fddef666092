/**
 * Looking people up in the org directory (CONTRACT §6): by id (records, assignees, `history[].by`),
 * by email (sign-in, notifications), and the roles each holds. Built once per directory.
 */
import type { Person } from "../../schemas/person.ts";
import type { OrgDirectory } from "./policy/model.ts";
import { emailKey } from "./policy/org-check.ts";

export type { Person };

/** The role whose members read every violation (CONTRACT §6). */
export const AUDITOR_ROLE = "auditor";

/** A person as the API shows them (`GET /v1/me`, `POST /local/sign-in`, `GET /local/people`). */
export interface PersonView {
  readonly id: string;
  readonly name: { readonly zh: string; readonly en: string };
  readonly email: string;
  readonly department: string;
  readonly roles: readonly string[];
}

export interface Directory {
  readonly people: readonly Person[];
  byId(id: string): Person | undefined;
  /** Emails match whatever their letter case (the directory refuses two that differ only so). */
  byEmail(email: string): Person | undefined;
  /** Every role the person is a member of (`people`, or any department of `byDepartment`), sorted. */
  rolesOf(id: string): readonly string[];
  isAuditor(id: string): boolean;
  view(person: Person): PersonView;
}

function build(org: OrgDirectory): Directory {
  const byId = new Map<string, Person>();
  const byEmail = new Map<string, Person>();
  for (const person of org.people ?? []) {
    byId.set(person.id, person);
    byEmail.set(emailKey(person.email), person);
  }
  const roles = new Map<string, string[]>();
  for (const [role, entry] of Object.entries(org.roles)) {
    const members = new Set([
      ...(entry.people ?? []),
      ...Object.values(entry.byDepartment ?? {}).flatMap((list) => [...list]),
    ]);
    for (const id of members) roles.set(id, [...(roles.get(id) ?? []), role]);
  }
  const rolesOf = (id: string) => [...(roles.get(id) ?? [])].sort();
  return {
    people: org.people ?? [],
    // Map lookups are exact: "A.WU" or "a.wu" with a zero-width space is simply nobody
    byId: (id) => byId.get(id),
    byEmail: (email) => byEmail.get(emailKey(email)),
    rolesOf,
    isAuditor: (id) => rolesOf(id).includes(AUDITOR_ROLE),
    view: (p) => ({ id: p.id, name: p.name, email: p.email, department: p.department, roles: rolesOf(p.id) }),
  };
}

const cache = new WeakMap<OrgDirectory, Directory>();

/** The directory of a loaded org file (built on first use, then shared). */
export function directoryOf(org: OrgDirectory): Directory {
  let directory = cache.get(org);
  if (!directory) {
    directory = build(org);
    cache.set(org, directory);
  }
  return directory;
}

/**
 * A record's department (`data.department`, every record type's optional field): what
 * department-scoped roles resolve by, what violations are filtered and exported by, and which
 * chat robots hear of them. Undefined when the record has none.
 */
export function recordDepartment(record: { readonly data: unknown } | undefined): string | undefined {
  const department = (record?.data as { department?: unknown } | undefined)?.department;
  return typeof department === "string" ? department : undefined;
}

/** People holding a role; department-scoped roles resolve by the record's department ("*" = any other). */
export function peopleFor(org: OrgDirectory, role: string, department: unknown): string[] {
  const entry = org.roles[role];
  if (!entry) return [];
  if (entry.people) return [...entry.people];
  const byDepartment = entry.byDepartment ?? {};
  const dept = typeof department === "string" ? department.trim() : "";
  return [...(byDepartment[dept] ?? byDepartment["*"] ?? [])];
}
