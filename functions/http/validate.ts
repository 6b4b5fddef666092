/** zod parsing with every issue in the 400 answer. */
import type * as z from "zod";
import { toIssues } from "../core/issues.ts";
import { validationFailed } from "./errors.ts";

export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed(toIssues(result.error, input), what);
  return result.data;
}
