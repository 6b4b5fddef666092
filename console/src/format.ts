/**
 * Times and durations as people read them: instants in the company's time zone (named beside
 * them), durations in words in zh and en — never ISO 8601 durations.
 */
import { durationInWords } from "../../functions/core/time.ts";
import type { Lang } from "./lang.ts";

/**
 * "2 days 4 hours" / "2天4小時": the largest unit and the one below it, rounded down (a day and
 * five minutes reads "1 day"); under a minute "less than a minute". The words are the platform's
 * (functions/core/time.ts imports nothing, so the bundle takes it without zod or Node code).
 */
export function durationWords(ms: number, lang: Lang): string {
  const abs = Math.abs(ms);
  if (abs < 60_000) return lang === "zh" ? "不到1分鐘" : "less than a minute";
  return durationInWords(abs, lang, { units: 2, smallest: "minute" });
}

/** An instant in the company's time zone, e.g. "7 Dec 2026, 10:30" / "2026年12月7日 10:30". */
export function dateTime(iso: string | null | undefined, lang: Lang, timeZone: string): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang === "zh" ? "zh-Hant" : "en-GB", {
    timeZone,
    dateStyle: "medium",
    timeStyle: "short",
    hourCycle: "h23",
  }).format(d);
}

/** A day in the company's time zone, YYYY-MM-DD. */
export function dayIn(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** Monday and Sunday (YYYY-MM-DD) of an ISO week "2026-W10". */
export function isoWeekDays(week: string): { from: string; to: string } | undefined {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) return undefined;
  const year = Number(m[1]);
  const n = Number(m[2]);
  // ISO week 1 holds the year's first Thursday; its Monday is the start
  const jan4 = Date.UTC(year, 0, 4);
  const jan4Day = (new Date(jan4).getUTCDay() + 6) % 7;
  const monday = jan4 - jan4Day * 86_400_000 + (n - 1) * 7 * 86_400_000;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(monday), to: day(monday + 6 * 86_400_000) };
}

/** Start and end days of a quarter, e.g. (2026, 1) → 2026-01-01 … 2026-03-31. */
export function quarterDays(year: number, quarter: 1 | 2 | 3 | 4): { from: string; to: string } {
  const first = new Date(Date.UTC(year, (quarter - 1) * 3, 1));
  const last = new Date(Date.UTC(year, quarter * 3, 0));
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
}

/** A JSON value as one short line for tables (strings without quotes). */
export function shortValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
