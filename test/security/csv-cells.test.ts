/**
 * Issue 11 item 7: a text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
 * is prefixed with ' (OWASP CSV injection), in every export; numbers stay numbers.
 */
import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "../../functions/core/csv.ts";
import type { StoredViolation } from "../../functions/core/lifecycle.ts";
import { toCsv } from "../../functions/service/violations-csv.ts";

describe("CSV cells", () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
    ["+1+cmd", "'+1+cmd"],
    ["-R1", "'-R1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", `"'\rx"`],
    ["plain", "plain"],
    ["a=b", "a=b"],
    ["", ""],
  ])("%j → %s", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it("numbers, null and undefined are not text", () => {
    expect(csvLine([-5, 0, null, undefined, "x"])).toBe("-5,0,,,x\r\n");
  });

  it("the violations export neutralises record ids and messages", () => {
    const v = {
      id: "v1",
      policyId: "p",
      policyVersion: 1,
      ruleId: "r",
      area: "a",
      severity: "high",
      record: { type: "access", id: "-R1", revision: 1 },
      status: "open",
      message: { zh: '=HYPERLINK("http://x","y") 執行', en: "@evil" },
      assignees: [],
      dueAt: "2026-03-01T00:00:00.000Z",
      detectedAt: "2026-03-01T00:00:00.000Z",
      resolvedAt: null,
      evidence: {},
      source: [],
      history: [],
      updatedAt: "2026-03-01T00:00:00.000Z",
      ver: 1,
    } as unknown as StoredViolation;
    const row = toCsv([v]).split("\r\n")[1] ?? "";
    expect(row).toContain(",'-R1,");
    expect(row).toContain(`"'=HYPERLINK(""http://x"",""y"") 執行"`);
    expect(row).toContain(",'@evil,");
  });
});
