/** Query filters that take one value or a list (CONTRACT §2 "Lists"). */
import * as z from "./zod.ts";

/**
 * A filter of one value or a comma-separated list (API Gateway, and the local server, join a
 * repeated parameter with commas: `?status=open&status=waived` = `?status=open,waived`). With
 * `accepted`, a value outside that closed set is refused with the accepted values listed.
 */
export function listFilter<T extends string = string>(name: string, accepted?: readonly T[]) {
  return z.pipe(
    z.string().check(z.maxLength(4096)),
    z.transform((text: string, ctx) => {
      const values = [...new Set(text.split(",").map((v) => v.trim()))].filter((v) => v !== "");
      if (values.length === 0) {
        z.addIssue(ctx, `${name} needs a value (or a comma-separated list)`, text);
        return z.NEVER;
      }
      const unknown = accepted ? values.filter((v) => !(accepted as readonly string[]).includes(v)) : [];
      if (unknown.length > 0) {
        z.addIssue(
          ctx,
          `unknown ${name} ${unknown.map((v) => `"${v.slice(0, 100)}"`).join(", ")}; accepted: ${accepted?.join(", ")}`,
          text,
        );
        return z.NEVER;
      }
      const tooLong = values.find((v) => v.length > 128);
      if (tooLong !== undefined) {
        z.addIssue(ctx, `a ${name} has at most 128 characters`, text);
        return z.NEVER;
      }
      return values as T[];
    }),
  );
}
