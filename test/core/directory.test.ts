/**
 * The org directory's people (CONTRACT §6): everyone a role names or a record of ours names is a
 * person of the shipped directory; lookups by id are exact and by email ignore letter case; the
 * loader refuses a role member who is not a person and duplicate ids or emails, all at once.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { formatDiagnostic } from "../../functions/core/diagnostics.ts";
import { AUDITOR_ROLE, directoryOf } from "../../functions/core/directory.ts";
import { loadPolicies } from "../../functions/core/policy/loader.ts";
import { corpusFiles } from "../support/corpus.ts";
import { shippedPolicies } from "../support/policies.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const org = shippedPolicies().org;
const directory = directoryOf(org);

/** Every value a record uses to name a person: applicant, salesperson, approver, reviewer, … */
const PERSON_FIELDS = new Set(["applicant", "salesperson", "approver", "reviewer", "grantedBy", "person"]);
function peopleNamedIn(value: unknown, parent?: string, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) peopleNamedIn(v, parent, out);
  else if (value && typeof value === "object")
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === "string" && (PERSON_FIELDS.has(key) || (parent === "actor" && key === "id")))
        out.add(v);
      peopleNamedIn(v, key, out);
    }
  return out;
}
function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && pattern.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe("the shipped directory", () => {
  it("holds every role member as a person", () => {
    const members = Object.values(org.roles).flatMap((r) => [
      ...(r.people ?? []),
      ...Object.values(r.byDepartment ?? {}).flat(),
    ]);
    expect(members.length).toBeGreaterThan(10);
    for (const id of members) expect(directory.byId(id), id).toBeDefined();
  });

  it("holds every employee our records name (policy tests, the acceptance corpus, fixtures)", () => {
    const named = new Set<string>();
    for (const file of [
      ...filesUnder("policies", /\.test\.yaml$/),
      join(ROOT, "test/e2e/acceptance-corpus.yaml"),
    ])
      for (const doc of parseAllDocuments(readFileSync(file, "utf8")))
        peopleNamedIn(doc.toJS(), undefined, named);
    for (const line of readFileSync(join(ROOT, "test/fixtures/impact-records.jsonl"), "utf8").split("\n"))
      if (line.trim() && !line.startsWith("#")) peopleNamedIn(JSON.parse(line), undefined, named);
    // the README's example expense, the benchmark's and the test builders' staff
    for (const id of ["a.wu", "emp.wu", "mk.wu", "mk.qian", "mk.sun", "sa.zheng", "sa.feng", "mr.tang"])
      named.add(id);
    expect(named.size).toBeGreaterThan(15);
    const missing = [...named].filter((id) => !directory.byId(id));
    expect(missing).toEqual([]);
  });

  it("has the auditor role with at least one person", () => {
    const auditors = org.roles[AUDITOR_ROLE]?.people ?? [];
    expect(auditors.length).toBeGreaterThan(0);
    for (const id of auditors) expect(directory.isAuditor(id)).toBe(true);
    expect(directory.isAuditor("fin.wang")).toBe(false);
  });

  it("gives every person a name in both languages, a unique email and a department", () => {
    const emails = directory.people.map((p) => p.email.toLowerCase());
    expect(new Set(emails).size).toBe(emails.length);
    for (const p of directory.people) {
      expect(p.name.zh.length * p.name.en.length, p.id).toBeGreaterThan(0);
      expect(p.department, p.id).toMatch(/^[a-z-]+$/);
    }
  });
});

describe("directory lookups", () => {
  it("finds a person by id exactly and by email whatever its letter case", () => {
    expect(directory.byId("fin.wang")?.email).toBe("fin.wang@example.com");
    expect(directory.byEmail("FIN.Wang@Example.com")?.id).toBe("fin.wang");
    expect(directory.byEmail("nobody@example.com")).toBeUndefined();
    // other ids, not the same person in disguise
    for (const impostor of ["A.WU", "a.wu\u200b", "\u0430.wu", " a.wu", "a.wu "])
      expect(directory.byId(impostor), JSON.stringify(impostor)).toBeUndefined();
  });

  it("lists the roles a person holds, department-scoped ones included", () => {
    expect(directory.rolesOf("fin.wang")).toEqual(["finance"]);
    expect(directory.rolesOf("gm.chen")).toEqual(["general-manager", "management"]);
    expect(directory.rolesOf("dh.zhou")).toEqual(["data-owner", "department-head"]);
    expect(directory.rolesOf("a.wu")).toEqual([]);
    expect(directory.view(directory.byId("md.li") as never)).toEqual({
      id: "md.li",
      name: { zh: "李明", en: "Li Ming" },
      email: "md.li@example.com",
      department: "marketing",
      roles: ["marketing-director"],
    });
  });
});

describe("the loader and the directory", () => {
  it("refuses a directory without people", () => {
    const files = corpusFiles("valid").map((f) =>
      f.path === "org.yaml" ? { ...f, text: f.text.replace(/^people:[\s\S]*$/m, "") } : f,
    );
    const result = loadPolicies(files);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.diagnostics.map(formatDiagnostic)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/org\.yaml:1:1: .*people/),
          expect.stringContaining('role customer-service: "cs.liu" is not a person of the directory'),
        ]),
      );
  });

  it("refuses a Cyrillic look-alike role member", () => {
    const files = corpusFiles("valid").map((f) =>
      f.path === "org.yaml" ? { ...f, text: f.text.replace("people: [cs.liu]", "people: [cs.li\u0443]") } : f,
    );
    const result = loadPolicies(files);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.diagnostics.map(formatDiagnostic)).toEqual([
        'policies/org.yaml:2:32: role customer-service: "cs.li\\u{443}" is not a person of the directory (add them to people: with id, name, email, department)',
      ]);
  });
});
