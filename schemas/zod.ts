/**
 * The zod that every schema a Lambda function builds is written with: `zod/mini`, configured once.
 *
 * Why not classic `zod` there: a Lambda function validates a few shapes, yet classic zod was
 * ~100 KB of every bundle that validates anything, and compiling its schema classes on first use
 * cost about a third of a bare Node start per cold start (bench/bundles.ts). zod/mini is the same
 * library — the same core parses, the same issues, the same JSON Schema — without the chained
 * methods: esbuild keeps only the kinds a bundle builds. So `z.string().max(5)` is written
 * `z.string().check(z.maxLength(5))`, `.optional()` is `z.optional(…)`, `.transform(f)` is
 * `z.pipe(…, z.transform(f))`, and `.meta(m)` is `withMeta(…, m)` below, each the very schema
 * classic zod builds.
 *
 * The English messages are installed here (classic zod installs them itself; zod/mini does not),
 * so answers say what they said. Classic zod stays where no Lambda function looks (the answers'
 * shapes, the policy language, the OpenAPI generator, the CLI): the two compose, both being
 * zod's core.
 */
import { clone, config, type core, globalRegistry } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());

export * from "zod/mini";

/**
 * `schema` with `meta` for the JSON Schema and OpenAPI documents: a copy with the metadata
 * registered, as classic zod's `.meta(meta)` makes it.
 */
export function withMeta<T extends core.$ZodType>(schema: T, meta: core.GlobalMeta): T {
  const copy = clone(schema);
  globalRegistry.add(copy, meta);
  return copy;
}

/**
 * A refusal from inside a transform, as classic zod's `ctx.addIssue({ code: "custom", message,
 * input })` adds it.
 */
export function addIssue(ctx: core.ParsePayload, message: string, input: unknown): void {
  ctx.issues.push({ code: "custom", message, input });
}

/**
 * A schema of either zod — zod/mini's (built here) or classic zod's (the answers', the policy
 * language's) — as code that only parses with it sees it: both parse with `safeParse`.
 */
export type AnySchema<O = unknown> = core.$ZodType<O> & {
  safeParse(input: unknown): core.util.SafeParseResult<O>;
};
