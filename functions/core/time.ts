/**
 * Time as the catalogue defines it: elapsed UTC time, no business calendars.
 * "P1D" is exactly 24 h, so durations with years or months (no fixed length) are refused.
 */

const DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const MS = { week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 };

/** Milliseconds in an ISO 8601 duration, or `undefined` when it is not one we accept. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const [, w, d, h, min, s] = m;
  return (
    Number(w ?? 0) * MS.week +
    Number(d ?? 0) * MS.day +
    Number(h ?? 0) * MS.hour +
    Number(min ?? 0) * MS.minute +
    Math.round(Number(s ?? 0) * MS.second)
  );
}

export const DURATION_HINT =
  "must be an ISO 8601 duration in weeks, days, hours, minutes or seconds, e.g. P2D, PT4H, PT30M (years and months have no fixed length)";

/** Renders milliseconds as a compact ISO 8601 duration: 93_600_000 → "P1DT2H". */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = ms;
  const days = Math.floor(rest / MS.day);
  rest -= days * MS.day;
  const hours = Math.floor(rest / MS.hour);
  rest -= hours * MS.hour;
  const minutes = Math.floor(rest / MS.minute);
  rest -= minutes * MS.minute;
  const seconds = rest / MS.second;
  let time = "";
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (seconds) time += `${seconds}S`;
  if (!days && !time) return "PT0S";
  return `P${days ? `${days}D` : ""}${time ? `T${time}` : ""}`;
}

/** Epoch milliseconds of a timestamp string, or `undefined` when absent or unparsable. */
export function toMillis(value: unknown): number | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The last instant written: an evaluation writes its own time several times (evaluatedAt, detectedAt). */
let lastIso: { ms: number; iso: string } | undefined;

export function toIso(ms: number): string {
  if (lastIso?.ms !== ms) lastIso = { ms, iso: new Date(ms).toISOString() };
  return lastIso.iso;
}

/** `YYYY-MM-DD` that is a real calendar date. */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(text);
}

// ---------------------------------------------------------------------------------------------
// Date-times and dates as people write them (CONTRACT §8)

/** The company's time zone when org.yaml names none. */
export const DEFAULT_TIME_ZONE = "Asia/Shanghai";

export const DATE_TIME_EXAMPLE = "2026-03-01T08:00:00Z or 2026-03-01T16:00+08:00";
export const DATE_TIME_HINT = `expected an ISO 8601 date-time with a zone, e.g. ${DATE_TIME_EXAMPLE}`;
export const DATE_OR_DATE_TIME_HINT = `expected a date YYYY-MM-DD (in the company's time zone) or an ISO 8601 date-time with a zone, e.g. 2026-03-01, ${DATE_TIME_EXAMPLE}`;

// RFC 3339 / ISO 8601 extended: seconds and fractions optional, a zone required.
export const DATE_TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$/;
export const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const ZONELESS = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

export type TimeError = { readonly ok: false; readonly message: string };
export type TimeResult = { readonly ok: true; readonly ms: number } | TimeError;

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Epoch ms of a date-time with a zone (`Z` or `±HH:MM`), or why it is refused. */
export function parseDateTime(text: string): TimeResult {
  const m = DATE_TIME_PATTERN.exec(text);
  if (!m) {
    const why = ZONELESS.test(text) ? `"${text}" has no zone (Z or ±HH:MM); ` : "";
    return { ok: false, message: `${why}${DATE_TIME_HINT}` };
  }
  const [, y, mo, d, h, mi, s = "0", frac = "", zone = "Z"] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  let offsetMin = 0;
  if (zone !== "Z" && zone !== "z") {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59)
      return { ok: false, message: `"${text}" has an impossible offset; ${DATE_TIME_HINT}` };
    offsetMin = (zone.startsWith("-") ? -1 : 1) * (oh * 60 + om);
  }
  if (!validDay(year, month, day) || hour > 23 || minute > 59 || second > 59)
    return { ok: false, message: `"${text}" is not a real date and time; ${DATE_TIME_HINT}` };
  const millis = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMin * 60_000;
  return { ok: true, ms };
}

/** Whether `name` is an IANA time zone name this runtime knows (e.g. Asia/Shanghai, UTC). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false; // not "+08:00"
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** How far the zone's wall clock is ahead of UTC at an instant, in ms (+8 h for Asia/Shanghai). */
export function zoneOffsetMs(timeZone: string, ms: number): number {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    zoneFormats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(ms)) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const local = Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return local - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a local wall-clock time happens in a zone (DST-safe: two refinements; the later one
 * if it happens twice).
 */
export function zonedInstant(
  timeZone: string,
  local: { year: number; month: number; day: number; hour: number; minute: number },
): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  let ms = wall - zoneOffsetMs(timeZone, wall);
  ms = wall - zoneOffsetMs(timeZone, ms);
  return ms;
}

/** First instant of a local wall-clock midnight in a zone. */
function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  return zonedInstant(timeZone, { year, month, day, hour: 0, minute: 0 });
}

/** The first instant and the last millisecond of a calendar day in a time zone. */
export function dayBounds(date: string, timeZone: string): { start: number; end: number } | undefined {
  const m = DATE_PATTERN.exec(date);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validDay(year, month, day)) return undefined;
  const next = new Date(Date.UTC(year, month - 1, day + 1));
  return {
    start: localMidnight(year, month, day, timeZone),
    end: localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone) - 1,
  };
}

/**
 * A time a person typed in a query, a case action or the CLI: a date-time with a zone, or a
 * date meaning that day in `timeZone` — its first instant (`start`: lower bounds, `?at=`, `--at`)
 * or its last millisecond (`end`: upper bounds, a waiver's `until`).
 */
export function parseTimeInput(text: string, timeZone: string, side: "start" | "end"): TimeResult {
  if (DATE_PATTERN.test(text)) {
    const bounds = dayBounds(text, timeZone);
    if (!bounds) return { ok: false, message: `"${text}" is not a real date; ${DATE_OR_DATE_TIME_HINT}` };
    return { ok: true, ms: bounds[side] };
  }
  const parsed = parseDateTime(text);
  if (parsed.ok) return parsed;
  const why = ZONELESS.test(text) ? `"${text}" has no zone (Z or ±HH:MM); ` : "";
  return { ok: false, message: `${why}${DATE_OR_DATE_TIME_HINT}` };
}

/** The company's time zone: org.yaml `timeZone`, else Asia/Shanghai. */
export function companyTimeZone(org: { readonly timeZone?: string } | undefined): string {
  return org?.timeZone ?? DEFAULT_TIME_ZONE;
}

// ---------------------------------------------------------------------------------------------
// Durations as people read them (CONTRACT §8): "2 days 4 hours", "2天4小時", never "P2DT4H"

const WORD_UNITS = [
  { ms: MS.day, en: ["day", "days"], zh: "天" },
  { ms: MS.hour, en: ["hour", "hours"], zh: "小時" },
  { ms: MS.minute, en: ["minute", "minutes"], zh: "分鐘" },
  { ms: MS.second, en: ["second", "seconds"], zh: "秒" },
] as const;

/** How coarse a duration in words may be (the default: exact to the second). */
export interface WordsPrecision {
  /**
   * At most this many units: the largest non-zero one and those right below it, so
   * "2 days 4 hours" (never "2 days 5 minutes"): a due time read at a glance.
   */
  readonly units?: number;
  /** The smallest unit shown (default `second`); below it reads "less than 1 minute". */
  readonly smallest?: "minute" | "second";
}

/**
 * A duration in words: every non-zero unit from days down to whole seconds (a deadline missed by
 * one second must not read as the limit itself); under a second reads "less than 1 second".
 * `precision` rounds it down for a glance (notifications, the console's queue).
 */
export function durationInWords(ms: number, lang: "zh" | "en", precision: WordsPrecision = {}): string {
  if (ms < 0) return `-${durationInWords(-ms, lang, precision)}`;
  const units = precision.smallest === "minute" ? WORD_UNITS.slice(0, 3) : WORD_UNITS;
  const smallest = units[units.length - 1] as (typeof WORD_UNITS)[number];
  let rest = Math.floor(ms / smallest.ms) * smallest.ms;
  const words: string[] = [];
  let first = -1;
  for (const [i, unit] of units.entries()) {
    if (first >= 0 && i - first >= (precision.units ?? units.length)) break;
    const count = Math.floor(rest / unit.ms);
    rest -= count * unit.ms;
    if (count === 0) continue;
    if (first < 0) first = i;
    words.push(lang === "zh" ? `${count}${unit.zh}` : `${count} ${unit.en[count === 1 ? 0 : 1]}`);
  }
  if (words.length === 0)
    return ms === 0
      ? lang === "zh"
        ? `0${smallest.zh}`
        : `0 ${smallest.en[1]}`
      : lang === "zh"
        ? `不到1${smallest.zh}`
        : `less than 1 ${smallest.en[0]}`;
  return words.join(lang === "zh" ? "" : " ");
}

/** An ISO 8601 duration we accept (`P2D`, `PT4H`) in words; `undefined` for any other text. */
export function isoDurationInWords(text: string, lang: "zh" | "en"): string | undefined {
  if (!text.startsWith("P")) return undefined;
  const ms = parseDuration(text);
  return ms === undefined ? undefined : durationInWords(ms, lang);
}
