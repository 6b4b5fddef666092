/**
 * Times as people read them in notifications: a due time in the company's time zone, how long
 * until it in words ("in 2 days 4 hours", "還有2天4小時"), and the daily digest's slot (09:00
 * local). Pure: `Intl` supplies the zone rules; the caller supplies "now".
 */
import { durationInWords, zonedInstant, zoneOffsetMs } from "../time.ts";

const MINUTE = 60_000;

/**
 * How long in words, as a notification shows it: the two largest units, to the minute ("2 days 4
 * hours", "2天4小時"); under a minute reads "1 minute". The words are core/time.ts's, the one home.
 */
export function durationWords(ms: number, lang: "zh" | "en"): string {
  return durationInWords(Math.max(Math.abs(ms), MINUTE), lang, { units: 2, smallest: "minute" });
}

/** "in 2 days 4 hours" / "還有2天4小時", or "overdue by 3 hours" / "已逾期3小時". */
export function dueInWords(dueAt: string, nowMs: number): { zh: string; en: string } {
  const left = Date.parse(dueAt) - nowMs;
  if (left >= 0) return { zh: `還有${durationWords(left, "zh")}`, en: `in ${durationWords(left, "en")}` };
  return { zh: `已逾期${durationWords(left, "zh")}`, en: `overdue by ${durationWords(left, "en")}` };
}

/** The zone's wall clock at an instant (its offset from core/time.ts, whose formatter is cached). */
function wallClock(ms: number, timeZone: string) {
  const local = new Date(Math.floor(ms / 1000) * 1000 + zoneOffsetMs(timeZone, ms));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
  };
}

const pad = (n: number) => String(n).padStart(2, "0");

function offsetText(offsetMs: number): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const minutes = Math.abs(offsetMs) / MINUTE;
  return `UTC${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** "2026-03-03 16:00 (Asia/Shanghai, UTC+08:00)". */
export function localTime(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  const w = wallClock(ms, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} (${timeZone}, ${offsetText(zoneOffsetMs(timeZone, ms))})`;
}

/** `HH:MM`, 24-hour. */
export function parseClock(text: string): { hour: number; minute: number } | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

/**
 * The latest digest slot at or before `nowMs`: the local date and the instant its `at` (09:00)
 * happens in the zone.
 */
export function latestDigestSlot(
  nowMs: number,
  timeZone: string,
  at: { hour: number; minute: number } = { hour: 9, minute: 0 },
): { date: string; atMs: number } {
  const today = wallClock(nowMs, timeZone);
  for (let back = 0; back < 3; back++) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day - back));
    const local = {
      year: day.getUTCFullYear(),
      month: day.getUTCMonth() + 1,
      day: day.getUTCDate(),
      ...at,
    };
    const atMs = zonedInstant(timeZone, local);
    if (atMs <= nowMs) return { date: `${local.year}-${pad(local.month)}-${pad(local.day)}`, atMs };
  }
  throw new Error(`no digest slot found before ${new Date(nowMs).toISOString()} in ${timeZone}`);
}
