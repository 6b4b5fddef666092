/**
 * An explanation as an indented tree a person reads (`compliance evaluate --explain`, failing
 * policy tests): ✓/✗ per condition, the condition in words (core/policy/words.ts), and what was
 * actually read against what was expected.
 *
 *   ✗ approval-limit: did not fire
 *       ✗ all of:
 *           ✗ approverAuthority (step: …) is present: actual (missing), expected true
 */
import type { Condition } from "../../../schemas/policy.ts";
import { type Lang, leafWords } from "../policy/words.ts";
import { isoDurationInWords } from "../time.ts";
import type { Explanation, RuleExplanation } from "./explanation.ts";
import { writtenChild } from "./explanation.ts";
import { formatValue } from "./format.ts";

const TEXT = {
  en: {
    fired: "fired",
    notFired: "did not fire",
    all: "all of:",
    any: "any of:",
    not: "not:",
    missing: "(missing)",
    compared: (actual: string, expected: string) => `actual ${actual}, expected ${expected}`,
  },
  zh: {
    fired: "已觸發",
    notFired: "未觸發",
    all: "全部符合：",
    any: "任一符合：",
    not: "並非：",
    missing: "（缺失）",
    compared: (actual: string, expected: string) => `實際 ${actual}，預期 ${expected}`,
  },
} as const;

const mark = (result: boolean) => (result ? "✓" : "✗");

/**
 * A value read or expected, for people: numbers grouped, lists in brackets, durations (an elapsed
 * time, a limit) in words, absent as "(missing)".
 */
function shown(value: unknown, lang: Lang): string {
  if (value === undefined || value === null) return TEXT[lang].missing;
  if (typeof value === "string") {
    const words = isoDurationInWords(value, lang);
    if (words !== undefined) return words;
  }
  if (Array.isArray(value)) return `[${value.map((v) => shown(v, lang)).join(", ")}]`;
  if (value === "") return '""';
  return formatValue(value, lang);
}

function nodeLines(
  node: Explanation,
  written: Condition | undefined,
  lang: Lang,
  depth: number,
  indent: string,
): string[] {
  const pad = indent.repeat(depth);
  const t = TEXT[lang];
  if ("all" in node || "any" in node) {
    const key = "all" in node ? "all" : "any";
    const children = "all" in node ? node.all : node.any;
    return [
      `${pad}${mark(node.result)} ${t[key]}`,
      ...children.flatMap((child, i) =>
        nodeLines(child, writtenChild(written, key, i), lang, depth + 1, indent),
      ),
    ];
  }
  if ("not" in node) {
    const inner = written && "not" in written ? written.not : undefined;
    return [`${pad}${mark(node.result)} ${t.not}`, ...nodeLines(node.not, inner, lang, depth + 1, indent)];
  }
  // the written leaf carries the derived fact's params, which the explanation does not repeat
  const leaf = written && "fact" in written ? written : node;
  const words = leafWords(leaf as Extract<Condition, { fact: string }>, lang);
  return [
    `${pad}${mark(node.result)} ${words}: ${t.compared(shown(node.actual, lang), shown(node.expected, lang))}`,
  ];
}

/** One rule's explanation as lines: a header (fired or not), then its `when` tree. */
export function explanationLines(
  rule: RuleExplanation,
  written: Condition | undefined,
  lang: Lang = "en",
  indent = "    ",
): string[] {
  const t = TEXT[lang];
  return [
    `${mark(rule.fired)} ${rule.id}: ${rule.fired ? t.fired : t.notFired}`,
    ...nodeLines(rule.explanation, written, lang, 1, indent),
  ];
}
