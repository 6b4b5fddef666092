/**
 * Conditions in words a policy owner reads, in zh and en: "status is reimbursed and amount is more
 * than budget.remaining" / "status 為 reimbursed 且 amount 大於 budget.remaining". The one renderer
 * of rule conditions: `policy diff`, the rule reference (docs/rules.md), the policy-version API and
 * explanations use it. Each operator's and decorator's words are part of its definition
 * (operators.ts). Works on conditions as written (`{param: name}` reads "parameter name").
 */
import type { Condition } from "../../../schemas/policy.ts";
import { DECORATORS, type Lang, OPERATOR_BY_NAME } from "./operators.ts";

export type { Lang } from "./operators.ts";

const WORDS = {
  en: {
    wholeValue: "the whole value",
    nothing: "nothing",
    parameter: (name: string) => `parameter ${name}`,
    data: "the record's data",
    record: "the record",
    recordField: (path: string) => `record ${path}`,
    allHappened: (paths: string) => `all of ${paths} happened`,
    elapsed: (from: string, until: string) => `time from ${from} until ${until}`,
    listSeparator: ", ",
    paramSeparator: ", ",
    pathsJoin: " and ",
    and: " and ",
    or: " or ",
    not: (inner: string) => `not (${inner})`,
    group: (s: string) => `(${s})`,
  },
  zh: {
    wholeValue: "整個值",
    nothing: "無",
    parameter: (name: string) => `參數 ${name}`,
    data: "記錄資料",
    record: "記錄",
    recordField: (path: string) => `記錄 ${path}`,
    allHappened: (paths: string) => `${paths} 全部發生`,
    elapsed: (from: string, until: string) => `從 ${from} 到 ${until} 的時間`,
    listSeparator: "、",
    paramSeparator: "，",
    pathsJoin: " 和 ",
    and: " 且 ",
    or: " 或 ",
    not: (inner: string) => `並非（${inner}）`,
    group: (s: string) => `（${s}）`,
  },
} as const satisfies Record<Lang, unknown>;

function pathWords(path: string, lang: Lang): string {
  return path.startsWith("$.") ? path.slice(2) : path === "$" ? WORDS[lang].wholeValue : path;
}

/** A value as a policy owner wrote it: text as is, lists in brackets, {param} as "parameter x". */
export function valueWords(value: unknown, lang: Lang = "en"): string {
  const w = WORDS[lang];
  if (value === undefined) return w.nothing;
  if (value === null) return "null";
  if (typeof value === "string") return value;
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => valueWords(v, lang)).join(w.listSeparator)}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === "param") return w.parameter(valueWords(o.param, lang));
  if (typeof o.fact === "string" && keys.every((k) => k === "fact" || k === "path" || k === "params"))
    return factWords(o as { fact: string; path?: string; params?: Record<string, unknown> }, lang);
  return `{${keys.map((k) => `${k}: ${valueWords(o[k], lang)}`).join(", ")}}`;
}

function paramWords(value: unknown, lang: Lang): string {
  // inside params, data paths are written `$.field`
  if (typeof value === "string") return pathWords(value, lang);
  if (Array.isArray(value) && value.every((v) => typeof v === "string"))
    return value.map((v) => pathWords(v, lang)).join(WORDS[lang].pathsJoin);
  return valueWords(value, lang);
}

/** A fact (with its path and params) in words: "budget.remaining", "time from receivedAt until …". */
function factWords(
  ref: { fact: string; path?: string; params?: Record<string, unknown> },
  lang: Lang = "en",
): string {
  const w = WORDS[lang];
  const { fact, path, params } = ref;
  if (fact === "data") return path ? pathWords(path, lang) : w.data;
  if (fact === "record") return path ? w.recordField(pathWords(path, lang)) : w.record;
  if (fact === "elapsed" && params) {
    const to = params.to;
    const until = Array.isArray(to) ? w.allHappened(paramWords(to, lang)) : paramWords(to, lang);
    return w.elapsed(paramWords(params.from, lang), until);
  }
  const label = path ? `${fact} ${pathWords(path, lang)}` : fact;
  if (!params || Object.keys(params).length === 0) return label;
  return `${label} (${Object.entries(params)
    .map(([k, v]) => `${k}: ${paramWords(v, lang)}`)
    .join(w.paramSeparator)})`;
}

type Leaf = Extract<Condition, { fact: string }>;

/** One condition in words; an operator the loader would refuse reads as its name. */
export function leafWords(leaf: Leaf, lang: Lang = "en"): string {
  const fact = factWords(leaf, lang);
  const parts = leaf.operator.split(":");
  const baseName = parts.pop() as string;
  const base = OPERATOR_BY_NAME.get(baseName);
  const value = valueWords(leaf.value, lang);
  const rest = base ? base.words[lang](value, leaf.value) : `${baseName} ${value}`;
  // decorators apply from the innermost (rightmost) outwards, as json-rules-engine does
  let text: string | undefined;
  for (const d of parts.reverse()) {
    const decorator = Object.hasOwn(DECORATORS, d) ? DECORATORS[d] : undefined;
    if (text === undefined) text = decorator ? decorator.words[lang](fact, rest) : `${d}: ${fact} ${rest}`;
    else text = d === "not" ? WORDS[lang].not(text) : `${d}: ${WORDS[lang].group(text)}`;
  }
  return text ?? `${fact} ${rest}`;
}

/** A condition in words: "status is reimbursed and amount is more than budget.remaining". */
export function conditionWords(condition: Condition, lang: Lang = "en", nested = false): string {
  const w = WORDS[lang];
  const wrap = (s: string) => (nested ? w.group(s) : s);
  if ("all" in condition) {
    if (condition.all.length === 1) return conditionWords(condition.all[0] as Condition, lang, nested);
    return wrap(condition.all.map((c) => conditionWords(c, lang, true)).join(w.and));
  }
  if ("any" in condition) {
    if (condition.any.length === 1) return conditionWords(condition.any[0] as Condition, lang, nested);
    return wrap(condition.any.map((c) => conditionWords(c, lang, true)).join(w.or));
  }
  if ("not" in condition) return w.not(conditionWords(condition.not, lang));
  return leafWords(condition, lang);
}

/** Both languages at once (the API's and the docs' `words`). */
export function conditionWordsBoth(condition: Condition): { zh: string; en: string } {
  return { zh: conditionWords(condition, "zh"), en: conditionWords(condition, "en") };
}
