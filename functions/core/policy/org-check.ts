/**
 * What the org directory's schema cannot say on its own (CONTRACT §6): every role member is a
 * person of `people:`, and no two people share an id or an email. Runs on whatever parsed (even
 * when the schema refused part of the file) so every problem is reported in one run.
 */
import type { Diagnostic } from "../diagnostics.ts";
import { visible } from "../visible.ts";
import type { YamlPath, YamlSource } from "./yaml-source.ts";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Emails name one mailbox whatever their letter case, so duplicates are found case-insensitively. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

export function checkDirectory(source: YamlSource): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const org = isObject(source.value) ? source.value : {};
  const people = Array.isArray(org.people) ? org.people : [];
  const ids = new Map<string, number>();
  const emails = new Map<string, number>();
  const lineOf = (path: YamlPath) => source.at(path, "duplicate_person", "").line;
  for (const [i, person] of people.entries()) {
    if (!isObject(person)) continue;
    if (typeof person.id === "string") {
      const first = ids.get(person.id);
      if (first === undefined) ids.set(person.id, i);
      else
        diagnostics.push(
          source.at(
            ["people", i, "id"],
            "duplicate_person",
            `people[${i}].id: ${visible(person.id)} is already the id of people[${first}] (line ${lineOf(["people", first, "id"])})`,
          ),
        );
    }
    if (typeof person.email === "string") {
      const key = emailKey(person.email);
      const first = emails.get(key);
      if (first === undefined) emails.set(key, i);
      else
        diagnostics.push(
          source.at(
            ["people", i, "email"],
            "duplicate_person",
            `people[${i}].email: ${visible(person.email)} is already the email of people[${first}] (line ${lineOf(["people", first, "email"])})`,
          ),
        );
    }
  }
  const roles = isObject(org.roles) ? org.roles : {};
  const member = (path: YamlPath, role: string, id: unknown) => {
    if (typeof id !== "string" || ids.has(id)) return;
    diagnostics.push(
      source.at(
        path,
        "unknown_person",
        `role ${role}: ${visible(id)} is not a person of the directory (add them to people: with id, name, email, department)`,
      ),
    );
  };
  for (const [role, entry] of Object.entries(roles)) {
    if (!isObject(entry)) continue;
    if (Array.isArray(entry.people))
      for (const [i, id] of entry.people.entries()) member(["roles", role, "people", i], role, id);
    if (isObject(entry.byDepartment))
      for (const [department, list] of Object.entries(entry.byDepartment))
        if (Array.isArray(list))
          for (const [i, id] of list.entries())
            member(["roles", role, "byDepartment", department, i], role, id);
  }
  return diagnostics;
}
