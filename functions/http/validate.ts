/** zod parsing with every issue in the 400 answer. */
import type * as z from "#zod";
import { toIssues } from "../core/issues.ts";
import { validationFailed } from "./errors.ts";

export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed(toIssues(result.error, input), what);
  return result.data;
}

/**
 * Ranges of a query (`from`/`to`, `occurredFrom`/`occurredTo` …): a start after its end is the
 * caller's mistake (CONTRACT §2 "Lists"), a 400 naming both, never a query DynamoDB refuses.
 * Values are ISO 8601 UTC timestamps, so text order is time order.
 */
export function assertOrderedRanges(
  query: Readonly<Record<string, unknown>>,
  pairs: readonly (readonly [string, string])[] = [["from", "to"]],
): void {
  const issues = pairs.flatMap(([start, end]) => {
    const a = query[start];
    const b = query[end];
    return typeof a === "string" && typeof b === "string" && a > b
      ? [{ path: [start], message: `${start} (${a}) is after ${end} (${b})` }]
      : [];
  });
  if (issues.length > 0) throw validationFailed(issues, "query");
}
