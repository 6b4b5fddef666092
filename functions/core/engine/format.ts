/**
 * Messages in plain language: evidence and parameters interpolated, numbers with thousands
 * separators from their exact decimal digits ("報銷金額 12,000 超出預算餘額 8,000"), codes by
 * their name in the message's language ("一般類投訴", not "general 類投訴"), durations in words
 * ("2天4小時", never "P2DT4H"). `{key|percent}` shows a fraction as a percentage. The template
 * grammar (values, formats, sections) is policy/template.ts's.
 */
import Big from "big.js";
import { type CodeKind, codeName, type Lang } from "../code-names.ts";
import { Ratio, UNLIMITED } from "../decimal.ts";
import { Elapsed, isPresent } from "../policy/facts.ts";
import type { OrgDirectory } from "../policy/model.ts";
import { parseTemplate, renderTemplate } from "../policy/template.ts";
import { durationInWords, isoDurationInWords } from "../time.ts";

/** What a value is, beyond its JavaScript type: a code of some kind, or an ISO duration text. */
export type ValueKind = CodeKind | "duration";

export interface FormatOptions {
  readonly format?: string;
  readonly kind?: ValueKind;
  /** Names roles (org.yaml `name`). */
  readonly org?: OrgDirectory;
}

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

export function formatValue(value: unknown, lang: Lang, options: FormatOptions = {}): string {
  const { format: filter, kind, org } = options;
  if (value === undefined || value === null || value === "") return "—";
  if (value instanceof Ratio && value.den.eq(0)) return value.num.eq(0) ? "—" : value.num.gt(0) ? "∞" : "-∞";
  if (filter === "percent" && (typeof value === "number" || value instanceof Big || value instanceof Ratio)) {
    const fraction = value instanceof Ratio ? value.toNumber(8) : Number(new Big(value).toString());
    return `${group(new Big(fraction).times(100).round(4).toFixed())}%`;
  }
  if (value === UNLIMITED) return lang === "zh" ? "無上限" : "unlimited";
  if (typeof value === "number" && Number.isFinite(value)) return group(decimalString(value));
  if (value instanceof Big || value instanceof Ratio) return group(decimalString(value));
  if (value instanceof Elapsed) return durationInWords(value.ms, lang);
  if (Array.isArray(value)) {
    if (value.length === 0) return "—";
    return value.map((v) => formatValue(v, lang, { kind, org })).join(lang === "zh" ? "、" : ", ");
  }
  if (typeof value === "object") return JSON.stringify(value);
  if (typeof value === "string" && kind !== undefined)
    return kind === "duration"
      ? (isoDurationInWords(value, lang) ?? value)
      : codeName(kind, value, lang, org);
  return String(value);
}

/** A placeholder's value and what kind of value it is. */
export interface Resolved {
  readonly value: unknown;
  readonly kind?: ValueKind;
}

/** Fills in a message template (policy/template.ts grammar). */
export function renderMessage(
  template: string,
  lang: Lang,
  resolve: (name: string) => Resolved,
  org?: OrgDirectory,
): string {
  const { parts } = parseTemplate(template);
  return renderTemplate(
    parts,
    (name, format) => {
      const { value, kind } = resolve(name);
      return formatValue(value, lang, { format, kind, org });
    },
    (name) => isPresent(resolve(name).value),
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
