/**
 * Schema problems of a parsed YAML file, each at its node (`file:line:column`), and what can be
 * salvaged of an invalid policy file so its other problems are still reported in the same run.
 */
import type * as z from "zod";
import { type PolicyFile, policySchema, type RuleFile, ruleSchema } from "../../../schemas/policy.ts";
import type { AnySchema } from "../../../schemas/zod.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { formatPath, type Issue, toIssues } from "../issues.ts";
import type { YamlPath, YamlSource } from "./yaml-source.ts";

/** Schema issues of a parsed YAML value, each at its node. */
export function schemaDiagnostics(
  source: YamlSource,
  schema: AnySchema,
): { value?: unknown; diagnostics: Diagnostic[] } {
  const parsed = schema.safeParse(source.value);
  if (parsed.success) return { value: parsed.data, diagnostics: [] };
  return { diagnostics: toIssues(parsed.error, source.value).map((i) => issueAt(source, i)) };
}

export function issueAt(source: YamlSource, issue: Issue, base: YamlPath = []): Diagnostic {
  const path = [...base, ...issue.path];
  const where = path.length > 0 ? `${formatPath(path)}: ` : "";
  return source.at(path, "schema", `${where}${issue.message}`, { key: issue.atKey });
}

export type PartialRule = Partial<RuleFile>;
export type PartialPolicy = Partial<Omit<PolicyFile, "rules">> & { rules: (PartialRule | undefined)[] };

/** The fields of a value that are valid on their own. */
function validFields(
  shape: Record<string, z.ZodType>,
  raw: unknown,
  skip: string[] = [],
): Record<string, unknown> {
  const value = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(shape)) {
    if (skip.includes(key)) continue;
    const parsed = schema.safeParse(value[key]);
    if (parsed.success && parsed.data !== undefined) out[key] = parsed.data;
  }
  return out;
}

/** The fields of an invalid policy file that are valid on their own (rules field by field). */
export function salvage(raw: unknown): PartialPolicy {
  const fields = validFields(policySchema.shape, raw, ["rules"]);
  const rules = (raw as { rules?: unknown })?.rules;
  return {
    ...fields,
    rules: Array.isArray(rules) ? rules.map((r) => validFields(ruleSchema.shape, r) as PartialRule) : [],
  } as PartialPolicy;
}
