/**
 * What people do with violations and what time does to them, as pure functions
 * (functions/core/case-actions.ts): the allowed transitions, a waiver's `until` and its longest
 * length, separation of duties, reopening with a fresh deadline, expired waivers and escalation
 * along the rule's `escalate` roles. Pure: no Java; the case routes' integration tests prove the
 * same through the HTTP API and DynamoDB Local.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyCaseAction,
  applyDueAction,
  type CaseAction,
  CaseActionError,
  culpritsOf,
  DEFAULT_MAX_WAIVER_DAYS,
  maxWaiverDays,
  nextActionAt,
} from "../../functions/core/case-actions.ts";
import type { ViolationStatus } from "../../functions/core/engine/violation.ts";
import { reconcile, type StoredViolation, SYSTEM } from "../../functions/core/lifecycle.ts";
import type { LoadedRule } from "../../functions/core/policy/model.ts";
import { recordSchema } from "../../schemas/record.ts";
import { complaint, discountedQuote, expense } from "../support/records.ts";

const T0 = Date.parse("2026-03-01T00:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

const RULE: LoadedRule = {
  id: "over-budget",
  severity: "high",
  when: { all: [] },
  whenAsWritten: { all: [] },
  assign: ["finance"],
  due: "P2D",
  dueMs: 2 * DAY,
  message: { zh: "超出預算", en: "over budget" },
  escalate: ["finance-director", "management"],
  source: [],
  evidence: [],
};

/** A violation stored by the evaluator at hour 0 (open, due at hour 48), then put in `status`. */
function stored(status: ViolationStatus = "open", changes: Partial<StoredViolation> = {}): StoredViolation {
  const change = reconcile(
    undefined,
    {
      id: "a".repeat(32),
      policyId: "expense-approval",
      policyVersion: 1,
      ruleId: RULE.id,
      area: "approval-limits",
      severity: "high",
      record: { type: "expense", id: "EXP-1", revision: 1 },
      status: "open",
      message: RULE.message,
      assignees: [{ role: "finance", people: ["fin.wang"] }],
      dueAt: at(48),
      detectedAt: at(0),
      resolvedAt: null,
      evidence: {},
      source: [],
    },
    at(0),
    1,
  );
  if (change.kind !== "create") throw new Error(change.kind);
  return { ...change.next, status, ...changes };
}

function act(
  violation: StoredViolation,
  action: CaseAction,
  request: { by?: string; reason?: string; until?: string } = {},
  more: { culprits?: string[]; maxWaiverDays?: number; at?: string; rule?: LoadedRule } = {},
) {
  return applyCaseAction({
    violation,
    action,
    request: { by: request.by ?? "fin.wang", reason: request.reason ?? "checked", until: request.until },
    at: more.at ?? at(1),
    rule: "rule" in more ? more.rule : RULE,
    culprits: more.culprits ?? [],
    maxWaiverDays: more.maxWaiverDays,
  });
}

/** The error an action throws: its code, and the fields it names. */
function refusal(run: () => unknown): { code: string; paths: string[] } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof CaseActionError)) throw error;
    const issues = error.issues ?? [];
    return { code: error.code, paths: issues.map((i) => i.path) };
  }
}

const STATUSES = ["open", "acknowledged", "waived", "resolved"] as const;
const ALLOWED: Readonly<Record<CaseAction, readonly ViolationStatus[]>> = {
  acknowledge: ["open"],
  waive: ["open", "acknowledged"],
  reopen: ["acknowledged", "waived", "resolved"],
};
const UNTIL = at(24 * 30);

describe("applyCaseAction: which transitions are allowed", () => {
  const cases = (["acknowledge", "waive", "reopen"] as const).flatMap((action) =>
    STATUSES.map((status) => ({ action, status, allowed: ALLOWED[action].includes(status) })),
  );

  it.each(cases)("$action from $status: allowed $allowed", ({ action, status, allowed }) => {
    const run = () => act(stored(status), action, action === "waive" ? { until: UNTIL } : {});
    if (allowed)
      expect(run().status).toBe({ acknowledge: "acknowledged", waive: "waived", reopen: "open" }[action]);
    else expect(refusal(run)).toEqual({ code: "transition_not_allowed", paths: [] });
  });
});

describe("applyCaseAction: what each action writes", () => {
  it("acknowledge: the person's entry in the history, the lock counter moved on", () => {
    const v = stored();
    const next = act(v, "acknowledge", { by: "fin.wang", reason: "looking into it" });
    expect(next).toMatchObject({ status: "acknowledged", ver: v.ver + 1, updatedAt: at(1), historyCount: 2 });
    expect(next.history.at(-1)).toEqual({
      status: "acknowledged",
      at: at(1),
      by: "fin.wang",
      reason: "looking into it",
    });
    expect(v.status).toBe("open"); // the stored value is not changed in place
  });

  it("waive: until when, and the sweeper looks again then", () => {
    const next = act(stored("acknowledged"), "waive", { until: UNTIL });
    expect(next).toMatchObject({ status: "waived", waivedUntil: UNTIL, nextActionAt: UNTIL });
  });

  it("reopen: a fresh deadline from the rule's due, no waiver, not resolved; without the rule the old dueAt", () => {
    const waived = act(stored(), "waive", { until: UNTIL });
    const next = act(waived, "reopen", {}, { at: at(100) });
    expect(next).toMatchObject({
      status: "open",
      waivedUntil: null,
      resolvedAt: null,
      dueAt: at(148),
      nextActionAt: at(148), // escalation is due then
    });
    expect(act(waived, "reopen", {}, { at: at(100), rule: undefined }).dueAt).toBe(at(48));
  });
});

describe("applyCaseAction: refusals", () => {
  it.each([
    ["no until", undefined],
    ["an until in the past", at(0)],
    ["an until at this very moment", at(1)],
  ])("waive with %s: validation_failed on until", (_, until) => {
    expect(refusal(() => act(stored(), "waive", { until }))).toEqual({
      code: "validation_failed",
      paths: ["until"],
    });
  });

  it("waive longer than the longest waiver: validation_failed, naming the latest allowed", () => {
    expect(
      refusal(() => act(stored(), "waive", { until: at(1 + 30 * 24) }, { maxWaiverDays: 30 })),
    ).toBeUndefined();
    const run = () => act(stored(), "waive", { until: at(1 + 30 * 24 + 1) }, { maxWaiverDays: 30 });
    expect(refusal(run)).toEqual({ code: "validation_failed", paths: ["until"] });
    expect(run).toThrow(`a waiver lasts at most 30 days: \`until\` must be at or before ${at(1 + 30 * 24)}`);
    expect(refusal(() => act(stored(), "waive", { until: at(1 + 366 * 24) }))).toMatchObject({
      code: "validation_failed",
    });
  });

  it("the person whose action caused the violation never waives it (separation of duties)", () => {
    const run = (by: string) => act(stored(), "waive", { by, until: UNTIL }, { culprits: ["a.wu"] });
    expect(refusal(() => run("a.wu"))).toEqual({ code: "separation_of_duties", paths: [] });
    expect(refusal(() => run(" a.wu "))).toEqual({ code: "separation_of_duties", paths: [] });
    expect(run("fin.wang").status).toBe("waived");
    // acknowledging is allowed
    expect(act(stored(), "acknowledge", { by: "a.wu" }, { culprits: ["a.wu"] }).status).toBe("acknowledged");
  });

  it("`until` is for waive only, whatever the status: a request error first", () => {
    for (const action of ["acknowledge", "reopen"] as const)
      for (const status of STATUSES)
        expect(refusal(() => act(stored(status), action, { until: UNTIL }))).toEqual({
          code: "validation_failed",
          paths: ["until"],
        });
  });
});

describe("culpritsOf", () => {
  it.each([
    ["an expense's applicant", expense("E", 1, { applicant: " a.wu " }), ["a.wu"]],
    ["a quote's salesperson", discountedQuote("Q", 1), ["sp.wu"]],
    ["a complaint names nobody", complaint("C", 1), []],
  ])("%s", (_, input, expected) => {
    expect(culpritsOf(recordSchema.parse(input))).toEqual(expected);
  });

  it("no record, nobody", () => {
    expect(culpritsOf(undefined)).toEqual([]);
  });
});

describe("maxWaiverDays", () => {
  it.each([
    [{ maxWaiverDays: 30 }, 365, 30],
    [{ maxWaiverDays: 0 }, 90, 90],
    [{ maxWaiverDays: "30" }, 90, 90],
    [{}, 90, 90],
    [undefined, undefined, DEFAULT_MAX_WAIVER_DAYS],
  ])("parameters %j, platform %s: %s days", (parameters, platform, expected) => {
    expect(maxWaiverDays(parameters, platform)).toBe(expected);
  });
});

describe("nextActionAt", () => {
  it.each([
    ["waived: when the waiver ends", stored("waived", { waivedUntil: UNTIL }), RULE, UNTIL],
    ["open with roles left to escalate to: its dueAt", stored("open"), RULE, at(48)],
    ["open, every role escalated to: nothing", stored("open", { escalationLevel: 2 }), RULE, null],
    ["open, a rule without escalation: nothing", stored("open"), { ...RULE, escalate: undefined }, null],
    ["acknowledged: nothing", stored("acknowledged"), RULE, null],
    ["resolved: nothing", stored("resolved"), RULE, null],
  ])("%s", (_, v, rule, expected) => {
    expect(nextActionAt(v, rule)).toBe(expected);
  });
});

describe("applyDueAction", () => {
  const people = (role: string) => ({ "finance-director": ["fd.qian"], management: ["gm.zhao"] })[role] ?? [];
  const due = (v: StoredViolation, hours: number, rule: LoadedRule | undefined = RULE) =>
    applyDueAction({ violation: v, at: at(hours), rule, peopleFor: people });

  it("reopens a waiver that has expired, by the system, with a fresh deadline", () => {
    const v = stored("waived", { waivedUntil: at(10) });
    expect(due(v, 9.99)).toBeUndefined();
    const result = due(v, 10);
    expect(result?.kind).toBe("waiver_expired");
    expect(result?.next).toMatchObject({ status: "open", waivedUntil: null, dueAt: at(58), ver: v.ver + 1 });
    expect(result?.next.history.at(-1)).toEqual({
      status: "open",
      at: at(10),
      by: SYSTEM,
      reason: `waiver expired at ${at(10)}`,
    });
  });

  it("escalates an overdue open violation to the rule's next role, one level at a time", () => {
    const v = stored("open");
    expect(due(v, 47)).toBeUndefined();
    const first = due(v, 48);
    expect(first?.kind).toBe("escalated");
    expect(first?.next).toMatchObject({
      escalationLevel: 1,
      dueAt: at(96),
      nextActionAt: at(96),
      assignees: [
        { role: "finance", people: ["fin.wang"] },
        { role: "finance-director", people: ["fd.qian"] },
      ],
    });
    expect(first?.next.history.at(-1)?.reason).toBe(`overdue since ${at(48)}: escalated to finance-director`);
    const second = due(first?.next as StoredViolation, 96);
    expect(second?.next).toMatchObject({ escalationLevel: 2, nextActionAt: null });
    expect(second?.next.assignees.map((a) => a.role)).toEqual(["finance", "finance-director", "management"]);
    // every role escalated to: nothing more is due
    expect(due(second?.next as StoredViolation, 1000)).toBeUndefined();
  });

  it.each(["acknowledged", "resolved"] as const)("leaves an overdue %s violation alone", (status) => {
    expect(due(stored(status), 1000)).toBeUndefined();
  });

  it("does not escalate without the rule (a policy version no longer loaded)", () => {
    expect(
      applyDueAction({ violation: stored("open"), at: at(1000), rule: undefined, peopleFor: people }),
    ).toBeUndefined();
  });
});

describe("case action properties", () => {
  it("any sequence of actions: allowed ones move the lock and the history by one, others change nothing (property)", () => {
    const step = fc.record({
      action: fc.constantFrom<CaseAction>("acknowledge", "waive", "reopen"),
      hours: fc.integer({ min: 1, max: 24 * 30 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let v = stored();
        let now = 0;
        for (const { action, hours } of steps) {
          now += hours;
          const before = v;
          const request = action === "waive" ? { until: at(now + 24) } : {};
          const problem = refusal(() => {
            v = act(before, action, request, { at: at(now) });
          });
          if (ALLOWED[action].includes(before.status)) {
            expect(problem).toBeUndefined();
            expect(v.ver).toBe(before.ver + 1);
            expect(v.historyCount).toBe((before.historyCount ?? before.history.length) + 1);
            expect(v.history.at(-1)).toMatchObject({ at: at(now), by: "fin.wang" });
            expect(v.nextActionAt).toBe(nextActionAt(v, RULE));
          } else {
            expect(problem?.code).toBe("transition_not_allowed");
            expect(v).toBe(before);
          }
        }
      }),
    );
  });
});
