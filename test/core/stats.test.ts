/** The stats counters as a pure function of a violation's change (core/stats.ts). */
import { describe, expect, it } from "vitest";
import type { StoredViolation } from "../../functions/core/lifecycle.ts";
import { isoWeek, mergeDeltas, statsAnswer, statsDeltas, weeksBetween } from "../../functions/core/stats.ts";
import { storedViolation } from "../support/violations.ts";

const base: StoredViolation = storedViolation();

describe("isoWeek", () => {
  it.each([
    ["2026-03-02T00:00:00Z", "UTC", "2026-W10"],
    ["2026-03-01T17:00:00Z", "Asia/Shanghai", "2026-W10"], // Monday 01:00 in Shanghai
    ["2026-03-01T17:00:00Z", "UTC", "2026-W09"],
    ["2021-01-03T12:00:00Z", "UTC", "2020-W53"],
    ["2024-12-30T12:00:00Z", "UTC", "2025-W01"],
  ])("%s in %s is %s", (at, zone, week) => {
    expect(isoWeek(Date.parse(at), zone)).toBe(week);
  });

  it("lists every week of a range, in order", () => {
    expect(
      weeksBetween(Date.parse("2026-02-25T00:00:00Z"), Date.parse("2026-03-10T00:00:00Z"), "UTC"),
    ).toEqual(["2026-W09", "2026-W10", "2026-W11"]);
  });
});

describe("statsDeltas", () => {
  it("a new open violation counts as open (area, severity, role) and opened in its week, for everyone assigned", () => {
    const deltas = statsDeltas(undefined, base, "UTC");
    expect(deltas).toContainEqual({
      scope: "all",
      key: "open",
      add: { "area#approval-limits": 1, "severity#high": 1, "role#finance": 1 },
    });
    expect(deltas).toContainEqual({ scope: "all", key: "week#2026-W10", add: { opened: 1 } });
    expect(deltas).toContainEqual({ scope: "person:fin.wang", key: "week#2026-W10", add: { opened: 1 } });
  });

  it("a resolution takes it out of open, counts it resolved and adds its hours", () => {
    const resolved: StoredViolation = {
      ...base,
      status: "resolved",
      resolvedAt: "2026-03-02T06:00:00.000Z",
      history: [
        ...base.history,
        { status: "resolved", at: "2026-03-02T06:00:00.000Z", by: "system", reason: null },
      ],
    };
    const deltas = statsDeltas(base, resolved, "UTC");
    expect(deltas).toContainEqual({
      scope: "all",
      key: "open",
      add: {
        "area#approval-limits": -1,
        "severity#high": -1,
        "role#finance": -1,
        "hours#expense-approval": 6,
        "resolved#expense-approval": 1,
      },
    });
    expect(deltas).toContainEqual({ scope: "all", key: "week#2026-W10", add: { resolved: 1 } });
  });

  it("a change that moves no count writes nothing", () => {
    expect(statsDeltas(base, { ...base, evidence: { amount: 1 }, ver: 2 }, "UTC")).toEqual([]);
  });

  it("an escalation adds the new role (and person) to open", () => {
    const escalated: StoredViolation = {
      ...base,
      assignees: [...base.assignees, { role: "marketing-director", people: ["md.li"] }],
      escalationLevel: 1,
    };
    const deltas = statsDeltas(base, escalated, "UTC");
    expect(deltas).toContainEqual({ scope: "all", key: "open", add: { "role#marketing-director": 1 } });
    expect(deltas).toContainEqual({
      scope: "person:md.li",
      key: "open",
      add: { "area#approval-limits": 1, "severity#high": 1, "role#finance": 1, "role#marketing-director": 1 },
    });
  });
});

describe("mergeDeltas", () => {
  it("a batch's changes become one delta per counter item, each the sum of its changes", () => {
    const other: StoredViolation = { ...base, id: "v2", severity: "medium" };
    const merged = mergeDeltas([statsDeltas(undefined, base, "UTC"), statsDeltas(undefined, other, "UTC")]);
    expect(merged).toHaveLength(4); // all and person:fin.wang, each open and week#2026-W10
    expect(merged).toContainEqual({
      scope: "all",
      key: "open",
      add: { "area#approval-limits": 2, "severity#high": 1, "severity#medium": 1, "role#finance": 2 },
    });
    expect(merged).toContainEqual({ scope: "person:fin.wang", key: "week#2026-W10", add: { opened: 2 } });
  });

  it("what cancels out within the batch is not written: opened and resolved again leaves only the week counts and hours", () => {
    const resolved: StoredViolation = {
      ...base,
      status: "resolved",
      resolvedAt: "2026-03-02T03:00:00.000Z",
      history: [
        ...base.history,
        { status: "resolved", at: "2026-03-02T03:00:00.000Z", by: "system", reason: null },
      ],
    };
    const merged = mergeDeltas([statsDeltas(undefined, base, "UTC"), statsDeltas(base, resolved, "UTC")]);
    expect(merged).toContainEqual({
      scope: "all",
      key: "open",
      add: { "hours#expense-approval": 3, "resolved#expense-approval": 1 },
    });
    expect(merged).toContainEqual({ scope: "all", key: "week#2026-W10", add: { opened: 1, resolved: 1 } });
    // opened and gone within the batch: the open item is not written at all
    expect(mergeDeltas([statsDeltas(undefined, base, "UTC"), statsDeltas(base, undefined, "UTC")])).toEqual([
      { scope: "all", key: "week#2026-W10", add: { opened: 1 } },
      { scope: "person:fin.wang", key: "week#2026-W10", add: { opened: 1 } },
    ]);
  });
});

describe("statsAnswer", () => {
  it("maps counters to the answer, zero counts left out, mean hours per policy", () => {
    const answer = statsAnswer(
      {
        scope: "all",
        key: "open",
        "area#a": 2,
        "area#b": 0,
        "severity#high": 1,
        "hours#p": 9,
        "resolved#p": 3,
      },
      new Map([["2026-W10", { opened: 4, resolved: 1 }]]),
      ["2026-W09", "2026-W10"],
      5,
    );
    expect(answer).toEqual({
      open: { byArea: { a: 2 }, bySeverity: { high: 1 }, byRole: {} },
      overdue: 5,
      weeks: [
        { week: "2026-W09", opened: 0, resolved: 0 },
        { week: "2026-W10", opened: 4, resolved: 1 },
      ],
      meanHoursToResolve: { p: 3 },
    });
  });
});
