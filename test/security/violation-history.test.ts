/**
 * Issue 11 item 6: no sequence of valid calls can break a violation. ~190 waive/reopen cycles with
 * long reasons once pushed the item past DynamoDB's 400 KB; now the newest history entries stay
 * on the violation (bounded), every change still counts (historyCount) and still reaches the
 * audit trail and the events under a key of its own.
 */
import { describe, expect, it } from "vitest";
import { applyCaseAction } from "../../functions/core/case-actions.ts";
import { HISTORY_MAX_ENTRIES, reconcile, type StoredViolation } from "../../functions/core/lifecycle.ts";
import { auditEntryForViolationChange } from "../../functions/service/audit.ts";
import { violationEvents } from "../../functions/service/events.ts";
import { itemProblems } from "../../functions/store/item-limits.ts";

const T0 = Date.parse("2026-03-01T00:00:00Z");
const at = (i: number) => new Date(T0 + i * 60_000).toISOString();

function firstState(): StoredViolation {
  const fired = {
    id: "0".repeat(32),
    policyId: "p",
    policyVersion: 1,
    ruleId: "r",
    area: "a",
    severity: "high" as const,
    record: { type: "expense" as const, id: "E1", revision: 1 },
    status: "open" as const,
    message: { zh: "測".repeat(400), en: "x".repeat(400) },
    assignees: [{ role: "finance", people: ["fin.wang"] }],
    dueAt: at(100),
    detectedAt: at(0),
    resolvedAt: null,
    evidence: { amount: 1 },
    source: [],
  };
  const change = reconcile(undefined, fired, at(0), 1);
  if (change.kind !== "create") throw new Error("expected a create");
  return change.next;
}

describe("a violation's history", () => {
  it("stays bounded through 400 waive/reopen cycles with 2,000-character reasons; every change counts", () => {
    let v = firstState();
    const keys = new Set<string>();
    const eventKeys: string[] = [];
    const reason = "理".repeat(2000);
    for (let i = 1; i <= 800; i++) {
      const action = i % 2 === 1 ? "waive" : "reopen";
      const before = v;
      v = applyCaseAction({
        violation: v,
        action,
        request: { by: "mgr.li", reason, ...(action === "waive" ? { until: at(i + 100) } : {}) },
        at: at(i),
        rule: undefined,
        culprits: [],
      });
      const audit = auditEntryForViolationChange(before, v);
      expect(audit, `change ${i}`).toBeDefined();
      keys.add(audit?.eventKey ?? "");
      for (const event of violationEvents(before, v)) eventKeys.push(event.key);
      const { problems, bytes } = itemProblems({ ...v });
      expect(problems, `after ${i} changes`).toEqual([]);
      expect(bytes).toBeLessThan(200 * 1024);
    }
    expect(keys.size).toBe(800); // each change its own audit entry
    expect(eventKeys.length).toBe(400); // every reopen is a ViolationOpened event …
    expect(new Set(eventKeys).size).toBe(400); // … under a key of its own
    expect(v.historyCount).toBe(801);
    expect(v.history.length).toBeLessThanOrEqual(HISTORY_MAX_ENTRIES);
    expect(v.history.at(-1)).toMatchObject({ status: "open", at: at(800) });
  });

  it("a violation stored before the bound (no historyCount) counts its history", () => {
    const { historyCount: _, ...legacy } = firstState();
    const next = applyCaseAction({
      violation: legacy as StoredViolation,
      action: "acknowledge",
      request: { by: "mgr.li", reason: "seen" },
      at: at(1),
      rule: undefined,
      culprits: [],
    });
    expect(next.historyCount).toBe(2);
    expect(auditEntryForViolationChange(legacy as StoredViolation, next)?.eventKey).toMatch(/@2$/);
  });
});
