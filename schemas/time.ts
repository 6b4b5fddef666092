/**
 * Times as CONTRACT §8 reads them, as zod schemas: one home for every schema that takes a time.
 *
 * - `dateTime`: records and anything that is not a person's query: an ISO 8601 / RFC 3339
 *   date-time with `Z` or `±HH:MM` (seconds and fractions optional), normalised to UTC.
 * - `instant(tz)`, `lowerBound(tz)`, `upperBound(tz)`, `until(tz)`: queries, case actions and the
 *   CLI also take a date `YYYY-MM-DD`, meaning that day in the company's time zone (org.yaml
 *   `timeZone`): its first instant for `?at=` and lower bounds, its last millisecond for upper
 *   bounds and a waiver's `until`. The org directory is loaded at runtime, so these are factories
 *   that take the zone; the schemas are cached per zone (cheap to call per request).
 *
 * Every refusal says which form is accepted, with an example.
 */
import {
  DATE_OR_DATE_TIME_HINT,
  DATE_PATTERN,
  DATE_TIME_EXAMPLE,
  DATE_TIME_PATTERN,
  DEFAULT_TIME_ZONE,
  isTimeZone,
  parseDateTime,
  parseTimeInput,
  toIso,
} from "../functions/core/time.ts";
import * as z from "./zod.ts";

export { DEFAULT_TIME_ZONE };

/** A date-time with a zone, normalised to UTC (`2026-03-01T16:00+08:00` → `2026-03-01T08:00:00.000Z`). */
export const dateTime = z.withMeta(
  z.pipe(
    z.string().check(
      z.regex(DATE_TIME_PATTERN, {
        error: (issue) => (parseDateTime(String(issue.input)) as { message?: string }).message,
      }),
    ),
    z.transform((text: string, ctx) => {
      const parsed = parseDateTime(text);
      if (parsed.ok) return toIso(parsed.ms);
      z.addIssue(ctx, parsed.message, text);
      return z.NEVER;
    }),
  ),
  {
    description: `ISO 8601 date-time with Z or ±HH:MM (seconds optional), e.g. ${DATE_TIME_EXAMPLE}; stored as UTC`,
  },
);

/** An IANA time zone name, e.g. Asia/Shanghai. */
export const timeZone = z.withMeta(
  z
    .string()
    .check(z.refine(isTimeZone, "must be an IANA time zone name, e.g. Asia/Shanghai, Europe/Berlin or UTC")),
  { description: `IANA time zone of the company (default ${DEFAULT_TIME_ZONE})` },
);

const DATE_OR_DATE_TIME = new RegExp(`${DATE_PATTERN.source}|${DATE_TIME_PATTERN.source}`);

type Side = "start" | "end";
const cache = new Map<string, z.ZodMiniType<string, string>>();

function personTime(tz: string, side: Side): z.ZodMiniType<string, string> {
  const key = `${side}\u0000${tz}`;
  let schema = cache.get(key);
  if (!schema) {
    schema = z.withMeta(
      z.pipe(
        z.string().check(
          z.regex(DATE_OR_DATE_TIME, {
            error: (issue) => (parseTimeInput(String(issue.input), tz, side) as { message?: string }).message,
          }),
        ),
        z.transform((text: string, ctx) => {
          const parsed = parseTimeInput(text, tz, side);
          if (parsed.ok) return toIso(parsed.ms);
          z.addIssue(ctx, parsed.message, text);
          return z.NEVER;
        }),
      ),
      {
        description:
          side === "start"
            ? `ISO 8601 date-time with a zone, or a date YYYY-MM-DD meaning 00:00 of that day in the company's time zone; ${DATE_OR_DATE_TIME_HINT}`
            : `ISO 8601 date-time with a zone, or a date YYYY-MM-DD meaning 23:59:59.999 of that day in the company's time zone; ${DATE_OR_DATE_TIME_HINT}`,
      },
    );
    cache.set(key, schema);
  }
  return schema;
}

/** `?at=`, `--at`: a date-time, or a date = its first instant in `tz`. */
export const instant = (tz: string = DEFAULT_TIME_ZONE) => personTime(tz, "start");
/** `from`, `occurredFrom`, `resolvedFrom`: a date-time, or a date = its first instant in `tz`. */
export const lowerBound = (tz: string = DEFAULT_TIME_ZONE) => personTime(tz, "start");
/** `to`, `occurredTo`, `resolvedTo`: a date-time, or a date = its last millisecond in `tz`. */
export const upperBound = (tz: string = DEFAULT_TIME_ZONE) => personTime(tz, "end");
/** A waiver's `until`: a date-time, or a date = the end of that day in `tz`. */
export const until = (tz: string = DEFAULT_TIME_ZONE) => personTime(tz, "end");
