/**
 * The violation lifecycle as a pure function (functions/core/lifecycle.ts): what an evaluation
 * changes about what is stored — created, refreshed, resolved, reopened, or nothing — with the
 * history, the lock counter and the guard against older judgements. Pure: no Java; the
 * evaluator's integration tests prove the same through DynamoDB Local.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Violation } from "../../functions/core/engine/violation.ts";
import {
  appendHistory,
  HISTORY_MAX_ENTRIES,
  type HistoryEntry,
  historyCount,
  publicViolation,
  reconcile,
  type StoredViolation,
  SYSTEM,
} from "../../functions/core/lifecycle.ts";

const T0 = Date.parse("2026-03-01T00:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** What an evaluation of `revision` produced for the one violation these tests follow. */
function fired(revision: number, changes: Partial<Violation> = {}): Violation {
  return {
    id: "f".repeat(32),
    policyId: "expense-approval",
    policyVersion: 1,
    ruleId: "over-budget",
    area: "approval-limits",
    severity: "high",
    record: { type: "expense", id: "EXP-1", revision },
    status: "open",
    message: { zh: "超出預算", en: "over budget" },
    assignees: [{ role: "finance", people: ["fin.wang"] }],
    dueAt: at(60 * 24),
    detectedAt: at(0),
    resolvedAt: null,
    evidence: { amount: 12000 },
    source: [{ document: "001", clause: "3.2" }],
    ...changes,
  };
}

function created(): StoredViolation {
  const change = reconcile(undefined, fired(1), at(0), 1);
  if (change.kind !== "create") throw new Error(`expected a create, got ${change.kind}`);
  return change.next;
}

describe("reconcile", () => {
  it("creates an open violation when a rule first fires: one history entry by the system, ver 1", () => {
    const change = reconcile(undefined, fired(1), at(0), 1);
    expect(change.kind).toBe("create");
    if (change.kind === "none") return;
    expect(change.next).toMatchObject({ status: "open", ver: 1, updatedAt: at(0), historyCount: 1 });
    expect(change.next.history).toEqual([
      { status: "open", at: at(0), by: SYSTEM, reason: "detected at revision 1" },
    ]);
  });

  it("does nothing when nothing fired and nothing is stored", () => {
    expect(reconcile(undefined, undefined, at(0), 1)).toEqual({ kind: "none" });
  });

  it("does nothing when the same violation fires again unchanged", () => {
    expect(reconcile(created(), fired(1), at(5), 1)).toEqual({ kind: "none" });
  });

  it("sees through DynamoDB's key order: the same content in another order is unchanged", () => {
    const stored = { ...created(), evidence: { b: 2, a: 1 } };
    expect(reconcile(stored, fired(1, { evidence: { a: 1, b: 2 } }), at(5), 1).kind).toBe("none");
  });

  it("refreshes what an evaluation may change on a new revision; status, dueAt and history stay", () => {
    const stored = { ...created(), status: "acknowledged" as const };
    const change = reconcile(stored, fired(2, { message: { zh: "新", en: "new" }, dueAt: at(1) }), at(10), 2);
    expect(change.kind).toBe("update");
    if (change.kind === "none") return;
    expect(change.next).toMatchObject({
      status: "acknowledged",
      dueAt: stored.dueAt,
      message: { en: "new" },
      record: { revision: 2 },
      updatedAt: at(10),
      ver: stored.ver + 1,
    });
    expect(change.next.history).toEqual(stored.history);
  });

  it("keeps the roles a violation was escalated to when a new revision still violates", () => {
    const stored = {
      ...created(),
      assignees: [
        { role: "finance", people: ["fin.wang"] },
        { role: "management", people: ["gm.zhao"] },
      ],
    };
    const change = reconcile(
      stored,
      fired(2, { assignees: [{ role: "finance", people: ["fin.li"] }] }),
      at(10),
      2,
    );
    if (change.kind !== "update") throw new Error(change.kind);
    expect(change.next.assignees).toEqual([
      { role: "finance", people: ["fin.li"] },
      { role: "management", people: ["gm.zhao"] },
    ]);
  });

  it.each(["open", "acknowledged", "waived"] as const)(
    "resolves a %s violation that no longer fires, by the system, at the new revision",
    (status) => {
      const stored = { ...created(), status, waivedUntil: status === "waived" ? at(999) : null };
      const change = reconcile(stored, undefined, at(20), 3);
      expect(change.kind).toBe("resolve");
      if (change.kind === "none") return;
      expect(change.next).toMatchObject({
        status: "resolved",
        resolvedAt: at(20),
        waivedUntil: null,
        record: { revision: 3 },
        ver: stored.ver + 1,
        historyCount: 2,
      });
      expect(change.next.history.at(-1)).toEqual({
        status: "resolved",
        at: at(20),
        by: SYSTEM,
        reason: "no longer violated at revision 3",
      });
    },
  );

  it("reopens a resolved violation that fires again, with the new dueAt", () => {
    const resolved = reconcile(created(), undefined, at(20), 2);
    if (resolved.kind !== "resolve") throw new Error(resolved.kind);
    const change = reconcile(resolved.next, fired(3, { dueAt: at(3000) }), at(30), 3);
    expect(change.kind).toBe("reopen");
    if (change.kind === "none") return;
    expect(change.next).toMatchObject({
      status: "open",
      dueAt: at(3000),
      resolvedAt: null,
      ver: resolved.next.ver + 1,
      historyCount: 3,
    });
    expect(change.next.history.at(-1)).toMatchObject({
      status: "open",
      by: SYSTEM,
      reason: "recurred at revision 3",
    });
  });

  it("leaves a resolved violation alone while it does not fire", () => {
    const resolved = reconcile(created(), undefined, at(20), 2);
    if (resolved.kind !== "resolve") throw new Error(resolved.kind);
    expect(reconcile(resolved.next, undefined, at(30), 3)).toEqual({ kind: "none" });
  });

  it.each([
    ["an older revision", 1, at(50)],
    ["the same revision judged earlier", 2, at(9)],
  ])("never lets %s overwrite a newer judgement", (_, revision, when) => {
    const change = reconcile(created(), fired(2), at(10), 2);
    if (change.kind !== "update") throw new Error(change.kind);
    const stored = change.next;
    expect(reconcile(stored, undefined, when, revision)).toEqual({ kind: "none" });
    expect(reconcile(stored, fired(revision, { severity: "low" }), when, revision)).toEqual({ kind: "none" });
  });

  it("follows any sequence of evaluations: statuses alternate, every change is counted and locked (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 120 }), (fires) => {
        let stored: StoredViolation | undefined;
        let changes = 0;
        fires.forEach((fires, i) => {
          const revision = i + 1;
          const change = reconcile(stored, fires ? fired(revision) : undefined, at(i), revision);
          if (change.kind === "none") {
            // each evaluation is of a new revision: only "still not firing" changes nothing
            expect(fires).toBe(false);
            expect(stored === undefined || stored.status === "resolved").toBe(true);
            return;
          }
          const expectedKind = !stored
            ? "create"
            : !fires
              ? "resolve"
              : stored.status === "resolved"
                ? "reopen"
                : "update";
          expect(change.kind).toBe(expectedKind);
          expect(change.next.ver).toBe((stored?.ver ?? 0) + 1);
          if (change.kind !== "update") changes++;
          expect(historyCount(change.next)).toBe(changes);
          expect(change.next.history.length).toBe(Math.min(changes, HISTORY_MAX_ENTRIES));
          expect(change.next.status).toBe(fires ? "open" : "resolved");
          stored = change.next;
        });
      }),
    );
  });
});

describe("appendHistory", () => {
  const entry = (i: number, reason = "r"): HistoryEntry => ({ status: "open", at: at(i), by: "p", reason });

  it("keeps the newest entries up to the bound and counts them all", () => {
    let v: { history: HistoryEntry[]; historyCount: number } | undefined;
    for (let i = 0; i < HISTORY_MAX_ENTRIES + 7; i++) v = appendHistory(v, entry(i));
    expect(v?.history.length).toBe(HISTORY_MAX_ENTRIES);
    expect(v?.historyCount).toBe(HISTORY_MAX_ENTRIES + 7);
    expect(v?.history[0]?.at).toBe(at(7));
    expect(v?.history.at(-1)?.at).toBe(at(HISTORY_MAX_ENTRIES + 6));
  });

  it("keeps fewer entries when their text is long, but always the newest one", () => {
    let v: { history: HistoryEntry[]; historyCount: number } | undefined;
    for (let i = 0; i < 10; i++) v = appendHistory(v, entry(i, "x".repeat(9_000)));
    expect(v?.history.length).toBeLessThan(10);
    expect(JSON.stringify(v?.history).length).toBeLessThanOrEqual(40_000 + 1_000);
    expect(v?.history.at(-1)?.at).toBe(at(9));
    const huge = appendHistory(v, entry(10, "y".repeat(100_000)));
    expect(huge.history).toEqual([entry(10, "y".repeat(100_000))]);
    expect(huge.historyCount).toBe(11);
  });

  it("counts the history of a violation stored before the bound (no historyCount)", () => {
    const legacy = { history: [entry(0), entry(1)] };
    expect(historyCount(legacy)).toBe(2);
    expect(appendHistory(legacy, entry(2)).historyCount).toBe(3);
  });
});

describe("publicViolation", () => {
  it("answers the contract's fields only, with defaults for what older items lack", () => {
    const stored = { ...created(), nextActionAt: at(5), department: "marketing", occurredAt: at(0) };
    const shown = publicViolation(stored);
    expect(Object.keys(shown)).toEqual([
      "id",
      "policyId",
      "policyVersion",
      "ruleId",
      "area",
      "severity",
      "record",
      "status",
      "message",
      "assignees",
      "dueAt",
      "detectedAt",
      "resolvedAt",
      "evidence",
      "source",
      "history",
      "waivedUntil",
      "escalationLevel",
      "updatedAt",
    ]);
    expect(shown).toMatchObject({ waivedUntil: null, escalationLevel: 0, resolvedAt: null });
    expect(shown).not.toHaveProperty("ver");
  });
});
