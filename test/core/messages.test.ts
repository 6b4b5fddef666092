/**
 * Messages people read: durations in words, codes by their zh/en names, and the one template
 * grammar (values, formats, sections) shared by the loader and the renderer.
 */
import { describe, expect, it } from "vitest";
import { CODE_NAMES, codeName, fieldCodeKind } from "../../functions/core/code-names.ts";
import { createEvaluator } from "../../functions/core/engine/evaluate.ts";
import { VIOLATION_STATUSES } from "../../functions/core/engine/violation.ts";
import { parseTemplate, renderTemplate } from "../../functions/core/policy/template.ts";
import { durationInWords } from "../../functions/core/time.ts";
import { AREAS, SEVERITIES } from "../../schemas/policy.ts";
import { CLAUSES, RECORD_TYPES, recordSchema } from "../../schemas/record.ts";
import { shippedPolicies } from "../support/policies.ts";
import { complaint, expense } from "../support/records.ts";

describe("durations in words (CONTRACT §8)", () => {
  it.each([
    [2 * 86_400_000 + 4 * 3_600_000, "2 days 4 hours", "2天4小時"],
    [3_600_000, "1 hour", "1小時"],
    [30 * 60_000, "30 minutes", "30分鐘"],
    [86_400_000 + 1000, "1 day 1 second", "1天1秒"],
    [
      276 * 86_400_000 + 11 * 3_600_000 + 32 * 60_000 + 16_125,
      "276 days 11 hours 32 minutes 16 seconds",
      "276天11小時32分鐘16秒",
    ],
    [0, "0 seconds", "0秒"],
    [250, "less than 1 second", "不到1秒"],
  ])("%d ms reads %s / %s", (ms, en, zh) => {
    expect(durationInWords(ms, "en")).toBe(en);
    expect(durationInWords(ms, "zh")).toBe(zh);
  });
});

describe("the template grammar", () => {
  it("finds values, formats and sections, and renders sections by presence", () => {
    const t = parseTemplate("a {x} {y|percent}{#z} z={z}{/z}{^z} no z{/z}.");
    expect(t.problems).toEqual([]);
    expect(t.names).toEqual([
      { name: "x" },
      { name: "y", format: "percent" },
      { name: "z" },
      { name: "z" },
      { name: "z" },
    ]);
    const values: Record<string, string> = { x: "1", y: "2%", z: "3" };
    const show = (present: boolean) =>
      renderTemplate(
        t.parts,
        (n) => values[n] ?? "—",
        (n) => n !== "z" || present,
      );
    expect(show(true)).toBe("a 1 2% z=3.");
    expect(show(false)).toBe("a 1 2% no z.");
  });

  it("reports unbalanced sections and unknown formats", () => {
    expect(parseTemplate("{#a}x").problems.map((p) => p.message)).toEqual(["{#a} is never closed: add {/a}"]);
    expect(parseTemplate("x{/a}").problems.map((p) => p.message)).toEqual(["{/a} closes no section"]);
    expect(parseTemplate("{#a}{/b}").problems.map((p) => p.message)).toEqual(["{/b} closes {#a}"]);
    expect(parseTemplate("{a|money}").problems[0]?.message).toContain('unknown format "|money"');
  });
});

describe("the code-name table", () => {
  it("names every value of the closed sets people see, in zh and en", () => {
    for (const [kind, table] of Object.entries(CODE_NAMES))
      for (const [code, name] of Object.entries(table)) {
        expect(name.zh, `${kind}.${code}`).not.toMatch(/[a-z]/);
        expect(name.en, `${kind}.${code}`).toMatch(/\S/);
      }
    expect(Object.keys(CODE_NAMES.complaintCategory)).toEqual([
      "general",
      "service",
      "quality",
      "legal",
      "media",
    ]);
    expect(Object.keys(CODE_NAMES.clause)).toEqual([...CLAUSES]);
    expect(Object.keys(CODE_NAMES.recordType)).toEqual([...RECORD_TYPES]);
    expect(Object.keys(CODE_NAMES.violationStatus)).toEqual([...VIOLATION_STATUSES]);
    expect(Object.keys(CODE_NAMES.severity)).toEqual([...SEVERITIES]);
    expect(Object.keys(CODE_NAMES.area).sort()).toEqual([...AREAS].sort());
    expect(codeName("clause", "delivery-date", "zh")).toBe("交貨日期");
    expect(codeName("role", "finance", "zh", shippedPolicies().org)).toBe("財務部");
    expect(codeName("clause", "unknown-clause", "zh")).toBe("unknown-clause");
    expect(fieldCodeKind("contract", "$.legalReview.decision")).toBe("decision");
    expect(fieldCodeKind("expense", "$.approvals[3].step")).toBe("approvalStep");
  });
});

describe("rendered messages (every policy version gains names and words)", () => {
  const evaluator = createEvaluator(shippedPolicies());
  const messages = (input: unknown, now: string) =>
    evaluator.evaluate(recordSchema.parse(input), { now }).violations.map((v) => v.message);

  it("no ISO duration and no English code in a zh message (v1 complaint wording)", () => {
    const m = messages(
      complaint("MSG-1", 1, { category: "general", receivedAt: "2026-03-01T08:00:00Z", content: "x" }),
      "2026-03-03T12:00:00Z",
    );
    expect(m.length).toBeGreaterThan(0);
    for (const { zh, en } of m) {
      expect(zh).not.toMatch(/\bP(T?\d)/);
      expect(en).not.toMatch(/\bP(T?\d)/);
      expect(zh).not.toMatch(/general/);
    }
    expect(m.map((x) => x.zh).join("\n")).toContain("一般 類投訴");
  });

  it("expense status by name", () => {
    const m = messages(expense("MSG-2", 1, { attachments: 0, amount: 100 }), "2026-03-02T00:00:00Z");
    expect(m.map((x) => x.zh)).toContain("費用申請（狀態：已提交）未附任何證明材料");
  });
});
