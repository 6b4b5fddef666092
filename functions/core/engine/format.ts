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

/**
 * Bounds on what a record's values can add to a violation, so that every violation of every
 * schema-valid record fits one DynamoDB item (400 KB) and stays readable: an interpolated value
 * shows at most 200 characters; evidence keeps strings up to 200 characters and lists up to 20
 * items (then a "… N more" entry), tighter still when a rule reads many large values.
 */
export const MESSAGE_VALUE_MAX_CHARS = 200;
const EVIDENCE_BOUNDS = [
  { chars: 200, items: 20 },
  { chars: 40, items: 5 },
] as const;
/** JSON characters of evidence before the tighter bound applies (≤ 3 bytes each in UTF-8). */
const EVIDENCE_BUDGET_CHARS = 30_000;

/** `text` cut to `max` characters, ending in "…" when cut (never inside a surrogate pair). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
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
      return clip(formatValue(value, lang, { format, kind, org }), MESSAGE_VALUE_MAX_CHARS);
    },
    (name) => isPresent(resolve(name).value),
  );
}

/**
 * A number as evidence: a JSON number while it is an exact-enough double DynamoDB and its SDK
 * take (|n| ≤ 2^53); beyond that (a ratio of extreme prices) its decimal digits as a string.
 */
function evidenceNumber(n: number): number | string | null {
  if (!Number.isFinite(n)) return null; // a share of an empty line: JSON has no infinity
  return Math.abs(n) <= Number.MAX_SAFE_INTEGER ? n : new Big(n).toFixed();
}

/** Evidence as plain JSON: exact values as numbers, durations as ISO 8601, absent as null. */
export function toEvidenceValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Big) return evidenceNumber(Number(value.toString()));
  if (value instanceof Ratio) return evidenceNumber(value.toNumber());
  if (value instanceof Elapsed) return value.toString();
  if (typeof value === "number") return evidenceNumber(value);
  return value;
}

function bounded(value: unknown, bound: { chars: number; items: number }): unknown {
  if (typeof value === "string") return clip(value, bound.chars);
  if (Array.isArray(value)) {
    const kept = value.slice(0, bound.items).map((v) => bounded(v, bound));
    return value.length > bound.items ? [...kept, `… ${value.length - bound.items} more`] : kept;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = bounded(v, bound);
    return out;
  }
  return value;
}

/** A violation's evidence, every value converted (toEvidenceValue) and bounded in size. */
export function toEvidence(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) plain[key] = toEvidenceValue(value);
  let out = plain;
  for (const bound of EVIDENCE_BOUNDS) {
    out = bounded(plain, bound) as Record<string, unknown>;
    if (JSON.stringify(out).length <= EVIDENCE_BUDGET_CHARS) break;
  }
  return out;
}
