/**
 * The console's pure parts, without a browser: the queue's order (overdue first), the actions a
 * status allows, the revision diff, durations in words, ISO weeks and quarters, policy periods.
 */
import { describe, expect, it } from "vitest";
import { diff } from "../../console/src/diff.ts";
import { dateTime, durationWords, isoWeekDays, quarterDays } from "../../console/src/format.ts";
import { allowedActions, isOverdue, queueOrder } from "../../console/src/queue-order.ts";

const NOW = Date.parse("2026-12-07T00:00:00Z");
const v = (
  id: string,
  status: "open" | "acknowledged" | "waived" | "resolved",
  dueAt: string,
  detectedAt = dueAt,
) => ({
  id,
  status,
  dueAt,
  detectedAt,
});

describe("the queue", () => {
  it("puts overdue first, then what is due soonest, then finished ones latest first", () => {
    const items = [
      v("resolved-old", "resolved", "2026-11-01T00:00:00Z"),
      v("due-later", "open", "2026-12-20T00:00:00Z"),
      v("overdue-recent", "acknowledged", "2026-12-06T00:00:00Z"),
      v("waived-new", "waived", "2026-12-05T00:00:00Z"),
      v("due-soon", "open", "2026-12-08T00:00:00Z"),
      v("overdue-old", "open", "2026-12-01T00:00:00Z"),
    ];
    expect(queueOrder(items, NOW).map((x) => x.id)).toEqual([
      "overdue-old",
      "overdue-recent",
      "due-soon",
      "due-later",
      "waived-new",
      "resolved-old",
    ]);
  });

  it("counts only open and acknowledged violations past their due time as overdue", () => {
    expect(isOverdue(v("a", "open", "2026-12-06T23:59:59Z"), NOW)).toBe(true);
    expect(isOverdue(v("b", "acknowledged", "2026-12-06T00:00:00Z"), NOW)).toBe(true);
    expect(isOverdue(v("c", "waived", "2026-12-01T00:00:00Z"), NOW)).toBe(false);
    expect(isOverdue(v("d", "open", "2026-12-07T00:00:01Z"), NOW)).toBe(false);
  });

  it("offers the transitions of CONTRACT §2 for each status", () => {
    expect(allowedActions("open")).toEqual(["acknowledge", "waive"]);
    expect(allowedActions("acknowledged")).toEqual(["waive", "reopen"]);
    expect(allowedActions("waived")).toEqual(["reopen"]);
    expect(allowedActions("resolved")).toEqual(["reopen"]);
  });
});

describe("the revision diff", () => {
  it("names every added, removed and changed leaf by its path", () => {
    const before = { data: { amount: 12000, attachments: 1, approvals: [{ step: "a" }], note: "x" } };
    const after = { data: { amount: 12500, attachments: 1, approvals: [{ step: "a" }, { step: "b" }] } };
    expect(diff(before, after)).toEqual([
      { path: "data.amount", kind: "changed", before: 12000, after: 12500 },
      { path: "data.note", kind: "removed", before: "x" },
      { path: "data.approvals[1].step", kind: "added", after: "b" },
    ]);
    expect(diff(before, structuredClone(before))).toEqual([]);
  });

  it("treats an empty list or object as a value of its own", () => {
    expect(diff({ a: [] }, { a: [1] })).toEqual([
      { path: "a", kind: "removed", before: [] },
      { path: "a[0]", kind: "added", after: 1 },
    ]);
  });
});

describe("times for people", () => {
  it("reads durations as words in zh and en, never ISO 8601", () => {
    const ms = (d: number, h: number, m = 0) => ((d * 24 + h) * 60 + m) * 60_000;
    expect(durationWords(ms(2, 4), "en")).toBe("2 days 4 hours");
    expect(durationWords(ms(2, 4), "zh")).toBe("2天4小時");
    expect(durationWords(ms(1, 0, 5), "en")).toBe("1 day");
    expect(durationWords(ms(0, 1, 1), "en")).toBe("1 hour 1 minute");
    expect(durationWords(-ms(0, 3), "en")).toBe("3 hours");
    expect(durationWords(30_000, "zh")).toBe("不到1分鐘");
  });

  it("shows instants in the company's time zone", () => {
    expect(dateTime("2026-03-01T00:00:00Z", "en", "Asia/Shanghai")).toBe("1 Mar 2026, 08:00");
    expect(dateTime("2026-03-01T00:00:00Z", "en", "UTC")).toBe("1 Mar 2026, 00:00");
  });

  it("turns an ISO week into its Monday and Sunday, and a quarter into its days", () => {
    expect(isoWeekDays("2026-W01")).toEqual({ from: "2025-12-29", to: "2026-01-04" });
    expect(isoWeekDays("2026-W10")).toEqual({ from: "2026-03-02", to: "2026-03-08" });
    expect(isoWeekDays("2026-10")).toBeUndefined();
    expect(quarterDays(2026, 1)).toEqual({ from: "2026-01-01", to: "2026-03-31" });
    expect(quarterDays(2024, 1)).toEqual({ from: "2024-01-01", to: "2024-03-31" });
    expect(quarterDays(2026, 4)).toEqual({ from: "2026-10-01", to: "2026-12-31" });
  });
});
