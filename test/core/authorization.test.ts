/**
 * CONTRACT §6's authorization matrix, every row: an auditor, an assignee, a member of the role the
 * violation was escalated to, the person whose action caused it (the culprit), a culprit who is
 * also assigned, another person and the machine reader, against acknowledge / waive / reopen /
 * read / list (own queue, "me", someone else's) / auditor-only reading.
 */
import { describe, expect, it } from "vitest";
import {
  authorize,
  type Caller,
  type Request,
  type ViolationSubject,
} from "../../functions/core/authorization.ts";

const person = (id: string, auditor = false): Caller => ({ kind: "person", id, auditor });
const CALLERS = {
  auditor: person("au.gao", true),
  assignee: person("fin.wang"),
  escalated: person("md.li"),
  culprit: person("a.wu"),
  "culprit-assignee": person("fin.zhao"),
  other: person("cs.liu"),
  reader: { kind: "reader" } as Caller,
} as const;
type Who = keyof typeof CALLERS;

// assigned to finance, escalated to the marketing director; the record names a.wu and fin.zhao
const VIOLATION: ViolationSubject = {
  assignees: [{ people: ["fin.wang", "fin.zhao"] }, { people: ["md.li"] }],
  culprits: ["a.wu", "fin.zhao"],
};

type Outcome = "ok" | `ok:${string}` | "ok:all" | `${400 | 403} ${string}`;
const COLUMNS = [
  "acknowledge",
  "waive",
  "reopen",
  "read",
  "list",
  "list me",
  "list fin.wang",
  "audit",
] as const;
type Column = (typeof COLUMNS)[number];

const MATRIX: Record<Who, Record<Column, Outcome>> = {
  auditor: {
    acknowledge: "403 not_assigned",
    waive: "403 not_assigned",
    reopen: "ok",
    read: "ok",
    list: "ok:all",
    "list me": "ok:au.gao",
    "list fin.wang": "ok:fin.wang",
    audit: "ok",
  },
  assignee: {
    acknowledge: "ok",
    waive: "ok",
    reopen: "ok",
    read: "ok",
    list: "ok:fin.wang",
    "list me": "ok:fin.wang",
    "list fin.wang": "ok:fin.wang",
    audit: "403 not_auditor",
  },
  escalated: {
    acknowledge: "ok",
    waive: "ok",
    reopen: "ok",
    read: "ok",
    list: "ok:md.li",
    "list me": "ok:md.li",
    "list fin.wang": "403 not_assigned",
    audit: "403 not_auditor",
  },
  culprit: {
    acknowledge: "403 not_assigned",
    waive: "403 separation_of_duties",
    reopen: "403 not_assigned",
    read: "403 not_assigned",
    list: "ok:a.wu",
    "list me": "ok:a.wu",
    "list fin.wang": "403 not_assigned",
    audit: "403 not_auditor",
  },
  "culprit-assignee": {
    acknowledge: "ok",
    waive: "403 separation_of_duties",
    reopen: "ok",
    read: "ok",
    list: "ok:fin.zhao",
    "list me": "ok:fin.zhao",
    "list fin.wang": "403 not_assigned",
    audit: "403 not_auditor",
  },
  other: {
    acknowledge: "403 not_assigned",
    waive: "403 not_assigned",
    reopen: "403 not_assigned",
    read: "403 not_assigned",
    list: "ok:cs.liu",
    "list me": "ok:cs.liu",
    "list fin.wang": "403 not_assigned",
    audit: "403 not_auditor",
  },
  reader: {
    acknowledge: "403 not_assigned",
    waive: "403 not_assigned",
    reopen: "403 not_assigned",
    read: "ok",
    list: "ok:all",
    "list me": "400 validation_failed",
    "list fin.wang": "ok:fin.wang",
    audit: "ok",
  },
};

function request(column: Column): Request {
  switch (column) {
    case "read":
      return { action: "read", violation: VIOLATION };
    case "list":
      return { action: "list" };
    case "list me":
      return { action: "list", assignee: "me" };
    case "list fin.wang":
      return { action: "list", assignee: "fin.wang" };
    case "audit":
      return { action: "audit" };
    default:
      return { action: column, violation: VIOLATION };
  }
}

function outcome(caller: Caller, req: Request): Outcome {
  const d = authorize(caller, req);
  if (!d.allowed) return `${d.status} ${d.code}`;
  if (req.action !== "list") return "ok";
  return d.assignee === undefined ? "ok:all" : `ok:${d.assignee}`;
}

describe("authorization matrix (CONTRACT §6)", () => {
  for (const who of Object.keys(MATRIX) as Who[])
    for (const column of COLUMNS)
      it(`${who} × ${column} → ${MATRIX[who][column]}`, () => {
        expect(outcome(CALLERS[who], request(column))).toBe(MATRIX[who][column]);
      });
});

describe("acting as yourself", () => {
  const actions = ["acknowledge", "waive", "reopen"] as const;

  it("a `by` equal to the caller changes nothing; any other `by` is actor_mismatch, before every other refusal", () => {
    for (const who of Object.keys(CALLERS) as Who[])
      for (const action of actions) {
        const caller = CALLERS[who];
        const plain = outcome(caller, { action, violation: VIOLATION });
        if (caller.kind === "person")
          expect(outcome(caller, { action, violation: VIOLATION, by: caller.id }), `${who} ${action}`).toBe(
            plain,
          );
        // someone else's id: refused as a mismatch even where the real caller would be refused anyway
        expect(
          outcome(caller, { action, violation: VIOLATION, by: "fin.wang\u0020" }),
          `${who} ${action}`,
        ).toBe("403 actor_mismatch");
        expect(outcome(caller, { action, violation: VIOLATION, by: "system" })).toBe("403 actor_mismatch");
      }
  });

  it("look-alikes of the culprit are other ids: they are refused as a mismatch and never waive", () => {
    const culprit = CALLERS.culprit;
    for (const impostor of ["A.WU", "a.wu\u200b", "\u0430.wu", "a.wu\u00a0", "ａ.wu"]) {
      const d = authorize(culprit, { action: "waive", violation: VIOLATION, by: impostor });
      expect(d, JSON.stringify(impostor)).toMatchObject({
        allowed: false,
        status: 403,
        code: "actor_mismatch",
      });
      // the message shows the difference
      if (!d.allowed) expect(d.message).toMatch(/\\u\{|A\.WU/);
    }
    // a person whose id merely looks like an assignee's is nobody's assignee
    for (const impostor of ["FIN.WANG", "fin.wang\u200b", "fin.w\u0430ng"])
      expect(outcome(person(impostor), { action: "acknowledge", violation: VIOLATION })).toBe(
        "403 not_assigned",
      );
  });

  it("separation of duties holds whether or not the culprit is assigned, and only for waiving", () => {
    const assignedCulprit: ViolationSubject = { assignees: [{ people: ["a.wu"] }], culprits: ["a.wu"] };
    expect(outcome(CALLERS.culprit, { action: "waive", violation: assignedCulprit })).toBe(
      "403 separation_of_duties",
    );
    expect(outcome(CALLERS.culprit, { action: "acknowledge", violation: assignedCulprit })).toBe("ok");
    // an auditor who caused a violation cannot waive it either
    expect(
      outcome(person("au.gao", true), { action: "waive", violation: { ...VIOLATION, culprits: ["au.gao"] } }),
    ).toBe("403 separation_of_duties");
  });
});
