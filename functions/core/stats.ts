/**
 * The counters behind GET /v1/stats (CONTRACT §2), as a pure function of a violation's change:
 * what one status change adds to and takes from each count, for the company (`all`) and for each
 * person it is assigned to (`person:<id>`, a person's own view). Counters are maintained from the
 * violations stream (old and new image), so answering never reads violations.
 *
 * - `open` item: `area#<area>`, `severity#<severity>`, `role#<role>` = violations in status `open`
 *   (the list's `status=open&area=…`); `hours#<policyId>` / `resolved#<policyId>` = the sum of
 *   hours from (re)opening to resolution, and how many resolutions (their mean is the answer).
 * - `week#<YYYY>-W<ww>` items (ISO weeks in the company's time zone): `opened` = violations first
 *   detected that week, `resolved` = resolutions that week.
 */
import type { StoredViolation } from "./lifecycle.ts";
import { zoneOffsetMs } from "./time.ts";

export const ALL_SCOPE = "all";
export const personScope = (id: string) => `person:${id}`;
export const OPEN_KEY = "open";
export const weekKey = (week: string) => `week#${week}`;

export interface StatsDelta {
  readonly scope: string;
  readonly key: string;
  readonly add: Readonly<Record<string, number>>;
}

const DAY = 86_400_000;

/** ISO 8601 week of an instant in a time zone: `2026-W10`. */
export function isoWeek(ms: number, timeZone: string): string {
  // midnight (as UTC) of the zone's calendar day; the zone's formatter is core/time.ts's, cached
  const date = Math.floor((ms + zoneOffsetMs(timeZone, ms)) / DAY) * DAY;
  const weekday = (new Date(date).getUTCDay() + 6) % 7; // Monday 0
  const thursday = date + (3 - weekday) * DAY;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** Every ISO week from the one holding `fromMs` to the one holding `toMs`, in order. */
export function weeksBetween(fromMs: number, toMs: number, timeZone: string): string[] {
  const weeks: string[] = [];
  const last = isoWeek(toMs, timeZone);
  for (let ms = fromMs; ; ms += 7 * DAY) {
    const week = isoWeek(Math.min(ms, toMs), timeZone);
    if (weeks.at(-1) !== week) weeks.push(week);
    if (week === last || ms >= toMs) break;
  }
  if (weeks.at(-1) !== last) weeks.push(last);
  return weeks;
}

function people(v: StoredViolation | undefined): string[] {
  return [...new Set((v?.assignees ?? []).flatMap((a) => a.people))];
}

function openCounts(v: StoredViolation | undefined): Record<string, number> {
  if (v?.status !== "open") return {};
  const counts: Record<string, number> = { [`area#${v.area}`]: 1, [`severity#${v.severity}`]: 1 };
  for (const a of v.assignees) counts[`role#${a.role}`] = 1;
  return counts;
}

/** When the violation last became open before its resolution (its detection if history is gone). */
function openedAt(v: StoredViolation): string {
  const opens = v.history.filter((h) => h.status === "open" && h.at <= (v.resolvedAt ?? h.at));
  return opens.at(-1)?.at ?? v.detectedAt;
}

/** Adds deltas up per counter item; `deltas()` leaves out what sums to nothing (+1 −1 writes nothing). */
class DeltaSum {
  private readonly items = new Map<string, Record<string, number>>();
  add(scope: string, key: string, name: string, n: number) {
    if (n === 0) return;
    const id = `${scope}\u0000${key}`;
    const entry = this.items.get(id) ?? {};
    entry[name] = (entry[name] ?? 0) + n;
    this.items.set(id, entry);
  }
  deltas(): StatsDelta[] {
    return [...this.items.entries()]
      .map(([id, counts]) => {
        const [scope, key] = id.split("\u0000") as [string, string];
        const nonZero = Object.fromEntries(Object.entries(counts).filter(([, n]) => Math.abs(n) > 1e-9));
        return { scope, key, add: nonZero };
      })
      .filter((d) => Object.keys(d.add).length > 0);
  }
}

/**
 * The deltas of many changes (a stream batch's) as one delta per counter item: ADD adds up, so
 * the batch writes each counter item it touches once, not once per change.
 */
export function mergeDeltas(changes: readonly (readonly StatsDelta[])[]): StatsDelta[] {
  const sum = new DeltaSum();
  for (const deltas of changes)
    for (const d of deltas) for (const [name, n] of Object.entries(d.add)) sum.add(d.scope, d.key, name, n);
  return sum.deltas();
}

/** What one change of a violation (its image before and after) adds to every counter. */
export function statsDeltas(
  before: StoredViolation | undefined,
  after: StoredViolation | undefined,
  timeZone: string,
): StatsDelta[] {
  const sum = new DeltaSum();
  const add = (scope: string, key: string, name: string, n: number) => sum.add(scope, key, name, n);
  const scopesOf = (v: StoredViolation | undefined) => [ALL_SCOPE, ...people(v).map(personScope)];
  for (const scope of scopesOf(before))
    for (const [name, n] of Object.entries(openCounts(before))) add(scope, OPEN_KEY, name, -n);
  for (const scope of scopesOf(after))
    for (const [name, n] of Object.entries(openCounts(after))) add(scope, OPEN_KEY, name, n);
  if (after && !before)
    for (const scope of scopesOf(after))
      add(scope, weekKey(isoWeek(Date.parse(after.detectedAt), timeZone)), "opened", 1);
  if (after?.status === "resolved" && before?.status !== "resolved" && after.resolvedAt) {
    const hours = Math.max(0, Date.parse(after.resolvedAt) - Date.parse(openedAt(after))) / 3_600_000;
    for (const scope of scopesOf(after)) {
      add(scope, weekKey(isoWeek(Date.parse(after.resolvedAt), timeZone)), "resolved", 1);
      add(scope, OPEN_KEY, `hours#${after.policyId}`, hours);
      add(scope, OPEN_KEY, `resolved#${after.policyId}`, 1);
    }
  }
  // an update that moves nothing (+1 −1) writes nothing
  return sum.deltas();
}

export interface StatsAnswer {
  readonly open: {
    readonly byArea: Record<string, number>;
    readonly bySeverity: Record<string, number>;
    readonly byRole: Record<string, number>;
  };
  readonly overdue: number;
  readonly weeks: { week: string; opened: number; resolved: number }[];
  readonly meanHoursToResolve: Record<string, number>;
}

/** The answer from the counter items (zero counts left out of the maps). */
export function statsAnswer(
  open: Readonly<Record<string, unknown>> | undefined,
  weekItems: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
  weeks: readonly string[],
  overdue: number,
): StatsAnswer {
  const byArea: Record<string, number> = {};
  const bySeverity: Record<string, number> = {};
  const byRole: Record<string, number> = {};
  const hours: Record<string, number> = {};
  const resolved: Record<string, number> = {};
  const byKind = new Map([
    ["area", byArea],
    ["severity", bySeverity],
    ["role", byRole],
    ["hours", hours],
    ["resolved", resolved],
  ]);
  for (const [name, value] of Object.entries(open ?? {})) {
    if (typeof value !== "number") continue;
    const [kind, key] = [name.slice(0, name.indexOf("#")), name.slice(name.indexOf("#") + 1)];
    const target = byKind.get(kind);
    if (target && (value > 0 || target === hours)) target[key] = value;
  }
  const meanHoursToResolve: Record<string, number> = {};
  for (const [policy, n] of Object.entries(resolved))
    if (n > 0) meanHoursToResolve[policy] = Math.round(((hours[policy] ?? 0) / n) * 100) / 100;
  return {
    open: { byArea, bySeverity, byRole },
    overdue,
    weeks: weeks.map((week) => {
      const item = weekItems.get(week);
      return { week, opened: Number(item?.opened ?? 0), resolved: Number(item?.resolved ?? 0) };
    }),
    meanHoursToResolve,
  };
}
