/** zod parsing with every issue in the 400 answer. */
import type * as z from "zod";
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

/**
 * A route without query parameters refuses every one (CONTRACT §2: an unknown parameter is a 400,
 * on every route), `?__proto__=1` included: nothing a caller sends is silently ignored.
 */
export function refuseQuery(query: Readonly<Record<string, unknown>> | undefined): Record<string, never> {
  const names = Object.keys(query ?? {});
  if (names.length > 0)
    throw validationFailed(
      names.map((name) => ({
        path: [name.slice(0, 100)],
        message: `unknown parameter "${name.slice(0, 100)}": this route takes no query parameters`,
      })),
      "query",
    );
  return {};
}
