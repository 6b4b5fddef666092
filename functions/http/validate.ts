/** zod parsing with every issue in the 400 answer. */
import type * as z from "zod";
import type { AnySchema } from "../../schemas/zod.ts";
import { DomainError } from "../core/errors.ts";
import { reportedIssues, toIssues } from "../core/issues.ts";
import { validationFailed } from "./errors.ts";

export function parseOr400<S extends AnySchema>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed(toIssues(result.error, input), what);
  return result.data as z.output<S>;
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
  if (names.length > 0) {
    const issues = names.map((name) => ({
      path: [name.slice(0, 100)],
      message: `unknown parameter "${name.slice(0, 100)}": this route takes no query parameters`,
    }));
    const { listed } = reportedIssues(issues);
    throw new DomainError("validation_failed", `query is invalid: ${listed[0]?.message}`, { issues: listed });
  }
  return {};
}

/**
 * A query parsed with its (strict) schema. An unknown parameter is named with every parameter the
 * route accepts, and the answer's message carries the issues themselves (CONTRACT §2: a 400 whose
 * message lists what is accepted), e.g. `query is invalid: unknown parameter "stauts"; accepted:
 * status, severity, …`.
 */
export function parseQuery<S extends AnySchema>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.output<S>;
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  const accepted = shape ? Object.keys(shape) : [];
  const issues = toIssues(result.error, input).map((issue) =>
    issue.atKey && issue.path.length === 1
      ? {
          path: issue.path,
          message: `unknown parameter "${String(issue.path[0]).slice(0, 100)}"; accepted: ${accepted.join(", ")}`,
        }
      : issue,
  );
  const { listed, total } = reportedIssues(issues);
  const words = listed.map((i) => (i.message.startsWith("unknown") ? i.message : `${i.path}: ${i.message}`));
  const message = `query is invalid: ${words.join("; ")}${total > listed.length ? ` (and ${total - listed.length} more)` : ""}`;
  throw new DomainError("validation_failed", message.length > 2000 ? `${message.slice(0, 1999)}…` : message, {
    issues: listed,
  });
}
