/**
 * The policy owners' pull-request tools, dispatched from main():
 *
 *   compliance policy check --base <git-ref> [dir]        exit 0 ok, 1 problems (file:line:column: message)
 *   compliance policy diff <policyId> [<from> <to>]       rules and parameters changed, in words
 *   compliance policy impact --base <git-ref> [--since <date>] [--at <time>] [--latest]
 *                            [--records <file.jsonl>] [dir]
 *                                                         Markdown for a PR comment; exit 0
 *   add --json for machine-readable output; exit 2 is a usage error.
 */
import { parseArgs } from "node:util";
import { exitCode } from "../core/errors.ts";
import type { Io } from "./io.ts";
import { policyCheck } from "./policy-check.ts";
import { PolicyUsageError, type ToolOptions } from "./policy-common.ts";
import { policyDiff } from "./policy-diff.ts";
import { policyImpact } from "./policy-impact.ts";

export const POLICY_TOOLS_USAGE = `  compliance policy check --base <git-ref> [dir] [--json]
  compliance policy diff <policyId> [<from> <to>] [--json]
  compliance policy impact --base <git-ref> [--since <date>] [--at <time>] [--latest] [--records <file.jsonl>] [dir] [--json]`;

const OPTIONS = {
  json: { type: "boolean", default: false },
  base: { type: "string" },
  since: { type: "string" },
  records: { type: "string" },
  at: { type: "string" },
  latest: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

const TOOLS = new Set(["check", "diff", "impact"]);

/** Runs `policy check|diff|impact`; undefined when argv is another command (main() handles it). */
export function runPolicyTool(argv: readonly string[], io: Io): Promise<number> | undefined {
  let positionals: string[];
  try {
    positionals = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: false,
    }).positionals;
  } catch {
    return undefined;
  }
  if (positionals[0] !== "policy" || !TOOLS.has(positionals[1] ?? "")) return undefined;
  return run(argv, io);
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
    const [, tool, ...args] = positionals;
    if (values.help) {
      io.out(`usage:\n${POLICY_TOOLS_USAGE}`);
      return 0;
    }
    const options: ToolOptions = {
      json: values.json,
      base: values.base,
      since: values.since,
      records: values.records,
      at: values.at,
      latest: values.latest,
    };
    const only = (allowed: readonly (keyof ToolOptions)[]) => {
      for (const key of ["base", "since", "records", "at", "latest"] as const)
        if (values[key] !== undefined && values[key] !== false && !allowed.includes(key))
          throw new PolicyUsageError(`policy ${tool} takes no --${key}`);
    };
    if (tool === "diff") {
      only([]);
      return policyDiff(args, options, io);
    }
    if (args.length > 1) throw new PolicyUsageError(`unexpected argument ${args[1]}`);
    if (tool === "check") {
      only(["base"]);
      return policyCheck(args[0], options, io);
    }
    only(["base", "since", "records", "at", "latest"]);
    return await policyImpact(args[0], options, io);
  } catch (error) {
    if (
      error instanceof PolicyUsageError ||
      (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      io.err(`compliance: ${(error as Error).message}\nusage:\n${POLICY_TOOLS_USAGE}`);
      return exitCode("usage_error");
    }
    throw error;
  }
}
