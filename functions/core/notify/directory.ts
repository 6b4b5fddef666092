/**
 * Who people are, as the notifier needs them (CONTRACT §6's directory: `{id, name: {zh, en},
 * email, department}`): a small interface, so the notifier does not care where the directory comes
 * from. `directoryFromOrg` reads org.yaml's `people:` list when the loaded org carries one.
 */
import type { OrgDirectory } from "../policy/model.ts";

export interface Person {
  readonly id: string;
  readonly name: { readonly zh: string; readonly en: string };
  readonly email?: string;
  readonly department?: string;
}

export interface PersonDirectory {
  person(id: string): Person | undefined;
  /** Every person a digest may go to: the directory's people and every role member. */
  everyone(): readonly string[];
}

/** The company's time zone (CONTRACT §8): org.yaml `timeZone`, default Asia/Shanghai. */
export const DEFAULT_TIME_ZONE = "Asia/Shanghai";

export function companyTimeZone(org: OrgDirectory): string {
  const zone = (org as { timeZone?: unknown }).timeZone;
  return typeof zone === "string" && zone.trim() !== "" ? zone : DEFAULT_TIME_ZONE;
}

export function directoryFromOrg(org: OrgDirectory): PersonDirectory {
  const listed = (org as { people?: readonly Person[] }).people ?? [];
  const byId = new Map(listed.map((p) => [p.id, p]));
  const ids = new Set(byId.keys());
  for (const role of Object.values(org.roles)) {
    for (const id of role.people ?? []) ids.add(id);
    for (const people of Object.values(role.byDepartment ?? {})) for (const id of people) ids.add(id);
  }
  const everyone = [...ids].sort();
  return { person: (id) => byId.get(id), everyone: () => everyone };
}
