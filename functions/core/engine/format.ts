/**
 * Messages in plain language: evidence and parameters interpolated, numbers with thousands
 * separators from their exact decimal digits ("報銷金額 12,000 超出預算餘額 8,000").
 * `{key|percent}` shows a fraction as a percentage.
 */
import Big from "big.js";
import { Ratio, UNLIMITED } from "../decimal.ts";
import { Elapsed } from "../policy/facts.ts";
import type { Bilingual } from "../policy/model.ts";

type Lang = keyof Bilingual;

function group(digits: string): string {
  const [int = "", frac] = digits.split(".");
  const sign = int.startsWith("-") ? "-" : "";
  const body = sign ? int.slice(1) : int;
  const grouped = body.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${grouped}${frac ? `.${frac}` : ""}`;
}

function decimalString(value: number | Big | Ratio): string {
  if (value instanceof Ratio) return String(value.toNumber());
  return new Big(value).toFixed();
}

export function formatValue(value: unknown, lang: Lang, filter?: string): string {
  if (value === undefined || value === null || value === "") return "—";
  if (value instanceof Ratio && value.den.eq(0)) return value.num.eq(0) ? "—" : value.num.gt(0) ? "∞" : "-∞";
  if (filter === "percent" && (typeof value === "number" || value instanceof Big || value instanceof Ratio)) {
    const fraction = value instanceof Ratio ? value.toNumber(8) : Number(new Big(value).toString());
    return `${group(new Big(fraction).times(100).round(4).toFixed())}%`;
  }
  if (value === UNLIMITED) return lang === "zh" ? "無上限" : "unlimited";
  if (typeof value === "number" && Number.isFinite(value)) return group(decimalString(value));
  if (value instanceof Big || value instanceof Ratio) return group(decimalString(value));
  if (value instanceof Elapsed) return value.toString();
  if (Array.isArray(value)) {
    if (value.length === 0) return "—";
    return value.map((v) => formatValue(v, lang)).join(lang === "zh" ? "、" : ", ");
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

const PLACEHOLDER = /\{([^{}|]+)(?:\|([a-z]+))?\}/g;

export function interpolate(template: string, lang: Lang, lookup: (name: string) => unknown): string {
  return template.replace(PLACEHOLDER, (_, name: string, filter?: string) =>
    formatValue(lookup(name.trim()), lang, filter),
  );
}

/** Evidence as plain JSON: exact values as numbers, durations as ISO 8601, absent as null. */
export function toEvidenceValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Big) return Number(value.toString());
  if (value instanceof Ratio) {
    const n = value.toNumber();
    return Number.isFinite(n) ? n : null; // a share of an empty line: JSON has no infinity
  }
  if (value instanceof Elapsed) return value.toString();
  return value;
}
