/**
 * GET /v1/stats: the maintained counters (core/stats.ts, written by the violations stream's
 * events consumer) for a scope, the weeks asked for, and the overdue count. No violation is read
 * except through the overdue COUNT query of the open/acknowledged index partitions.
 */
import { DomainError } from "../core/errors.ts";
import { ALL_SCOPE, personScope, type StatsAnswer, statsAnswer, weeksBetween } from "../core/stats.ts";
import type { Platform } from "./platform.ts";

/** Whose stats: the company's, or one person's own violations (the people branch passes it). */
export type StatsScope = { readonly kind: "all" } | { readonly kind: "person"; readonly id: string };

const DEFAULT_WEEKS = 12;
const MAX_WEEKS = 520;
const WEEK = 7 * 86_400_000;

export async function readStats(
  platform: Platform,
  timeZone: string,
  scope: StatsScope,
  range: { from?: string; to?: string },
): Promise<StatsAnswer> {
  const now = platform.now().getTime();
  const toMs = range.to ? Date.parse(range.to) : now;
  const fromMs = range.from ? Date.parse(range.from) : toMs - (DEFAULT_WEEKS - 1) * WEEK;
  if ((toMs - fromMs) / WEEK > MAX_WEEKS)
    throw new DomainError(
      "validation_failed",
      `query is invalid: from and to span at most ${MAX_WEEKS} weeks`,
      {
        issues: [{ path: "from", message: `from and to span at most ${MAX_WEEKS} weeks` }],
      },
    );
  const weeks = weeksBetween(fromMs, toMs, timeZone);
  const key = scope.kind === "all" ? ALL_SCOPE : personScope(scope.id);
  const [counters, overdue] = await Promise.all([
    platform.stats.read(key, weeks),
    platform.violations.countOverdue(
      ["open", "acknowledged"],
      new Date(now).toISOString(),
      scope.kind === "person" ? scope.id : undefined,
    ),
  ]);
  return statsAnswer(counters.open, counters.weeks, weeks, overdue);
}
