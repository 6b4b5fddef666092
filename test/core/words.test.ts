/**
 * Rule conditions in words, zh and en: one renderer (core/policy/words.ts) whose operator and
 * decorator words are part of each definition (operators.ts). `policy diff` uses it too
 * (test/cli/policy-diff.test.ts keeps its English sentences).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { DECORATORS, OPERATORS, type OperatorSpec } from "../../functions/core/policy/operators.ts";
import { conditionWords, conditionWordsBoth, leafWords } from "../../functions/core/policy/words.ts";
import type { Condition } from "../../schemas/policy.ts";
import { shippedPolicies } from "../support/policies.ts";

describe("operator words", () => {
  it("every operator reads in both languages, with its value, never as its code name", () => {
    for (const op of OPERATORS)
      for (const lang of ["en", "zh"] as const) {
        const text = leafWords({ fact: "data", path: "$.x", operator: op.name, value: 7 }, lang);
        expect(text.startsWith("x ")).toBe(true);
        if (/[A-Z]/.test(op.name)) expect(text).not.toContain(op.name);
        if (lang === "zh") expect(text).not.toBe(`x ${op.name} 7`); // the fallback without words
        if (op.name !== "present") expect(text).toContain("7");
        if (lang === "zh") expect(text).toMatch(/[\u4e00-\u9fff]/);
      }
  });

  it("an operator without words, or without one language, does not compile", () => {
    // @ts-expect-error words are part of an operator's definition
    const noWords: OperatorSpec = { name: "x", description: "x", value: z.unknown(), test: () => true };
    // @ts-expect-error both languages are required
    const enOnly: OperatorSpec = { ...noWords, words: { en: (v: string) => `is ${v}` } };
    expect([noWords.name, enOnly.name]).toEqual(["x", "x"]);
  });

  it("every decorator reads in both languages", () => {
    for (const name of Object.keys(DECORATORS))
      for (const lang of ["en", "zh"] as const) {
        const text = leafWords({ fact: "roles", operator: `${name}:equal`, value: "x" }, lang);
        expect(text).not.toContain(`${name}:`);
      }
  });

  it("present reads as present or missing", () => {
    const leaf = (value: boolean) => ({ fact: "data", path: "$.content", operator: "present", value });
    expect(leafWords(leaf(true), "en")).toBe("content is present");
    expect(leafWords(leaf(false), "en")).toBe("content is missing");
    expect(leafWords(leaf(false), "zh")).toBe("content 缺失");
  });

  it("the diff has no wording table of its own any more", () => {
    const diff = readFileSync(new URL("../../functions/core/policy/diff.ts", import.meta.url), "utf8");
    expect(diff).not.toMatch(/OPERATOR_WORDS|DECORATOR_WORDS|"is at least"|"is more than"/);
  });
});

describe("conditions in words", () => {
  const approvalLimit: Condition = {
    all: [
      {
        fact: "approverAuthority",
        params: { step: "leadership-approval", authority: { param: "approvalAuthority" } },
        operator: "present",
        value: true,
      },
      {
        fact: "approverAuthority",
        params: { step: "leadership-approval", authority: { param: "approvalAuthority" } },
        operator: "decimalLessThan",
        value: { fact: "data", path: "$.amount" },
      },
    ],
  };

  it("renders zh and en", () => {
    expect(conditionWordsBoth(approvalLimit)).toEqual({
      en: "approverAuthority (step: leadership-approval, authority: parameter approvalAuthority) is present and approverAuthority (step: leadership-approval, authority: parameter approvalAuthority) is less than amount",
      zh: "approverAuthority (step: leadership-approval，authority: 參數 approvalAuthority) 存在 且 approverAuthority (step: leadership-approval，authority: 參數 approvalAuthority) 小於 amount",
    });
    const elapsed: Condition = {
      any: [
        { fact: "data", path: "$.category", operator: "in", value: ["legal", "media"] },
        {
          not: {
            fact: "elapsed",
            params: { from: "$.receivedAt", to: ["$.resolvedAt", "$.customerNotifiedAt"] },
            operator: "longerThan",
            value: "P7D",
          },
        },
      ],
    };
    expect(conditionWords(elapsed, "zh")).toBe(
      "category 是 [legal、media] 之一 或 並非（從 receivedAt 到 resolvedAt 和 customerNotifiedAt 全部發生 的時間 超過 P7D）",
    );
  });

  it("renders every shipped rule in both languages without English joins in zh", () => {
    for (const version of shippedPolicies().versions)
      for (const rule of version.rules) {
        const words = conditionWordsBoth(rule.whenAsWritten);
        expect(words.en.length).toBeGreaterThan(5);
        expect(words.zh).not.toMatch(/ (and|or|is|not) /);
        expect(words.zh).toMatch(/[\u4e00-\u9fff]/);
      }
  });
});
