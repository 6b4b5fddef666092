/**
 * A fact reference (a condition's, a `value: {fact…}`, an evidence entry's) checked against the
 * record type: the fact exists for it, its path names fields the record's schema has, its params
 * are valid (after parameter substitution) and their own data paths exist.
 */
import { DATA_SCHEMAS, type RecordType, recordSchema } from "../../../../schemas/record.ts";
import { toIssues } from "../../issues.ts";
import { didYouMean } from "../../suggest.ts";
import { BASE_FACTS, DERIVED_FACT_BY_NAME, isFactReference } from "../facts.ts";
import { PATH_HINT, parsePath } from "../path.ts";
import { issueAt } from "../schema-diagnostics.ts";
import { fieldsBeside, missingSegment } from "../schema-paths.ts";
import type { YamlPath } from "../yaml-source.ts";
import { addEvidence, evidenceKey, type RuleContext } from "./context.ts";
import { substituteParams } from "./substitution.ts";

const RECORD_FIELDS = recordSchema._zod.def.options[0];

/** Checks fact, path and params of a condition or a `value: {fact…}`; records its evidence. */
export function checkFactReference(
  ctx: RuleContext,
  ref: { fact: string; path?: string; params?: Record<string, unknown>; name?: string },
  path: YamlPath,
): boolean {
  const { source, out, policy } = ctx;
  const type = policy.appliesTo as RecordType;
  const derived = DERIVED_FACT_BY_NAME.get(ref.fact);
  if (!derived && !Object.hasOwn(BASE_FACTS, ref.fact)) {
    const facts = [
      ...Object.keys(BASE_FACTS),
      ...[...DERIVED_FACT_BY_NAME.values()]
        .filter((f) => !f.appliesTo || f.appliesTo.includes(type))
        .map((f) => f.name),
    ];
    out.push(
      source.at(
        [...path, "fact"],
        "unknown_fact",
        `unknown fact "${ref.fact}"${didYouMean(ref.fact, facts)}`,
      ),
    );
    return false;
  }
  if (derived?.appliesTo && !derived.appliesTo.includes(type)) {
    out.push(
      source.at(
        [...path, "fact"],
        "unknown_fact",
        `fact "${ref.fact}" is for ${derived.appliesTo.join(", ")} records, not ${type}`,
      ),
    );
    return false;
  }
  let ok = true;
  if (ref.path !== undefined) ok = checkPath(ctx, ref.fact, ref.path, [...path, "path"]) && ok;
  if (derived) {
    if (derived.params) {
      const params = substituteParams(ctx, ref.params ?? {}, [...path, "params"]) as Record<string, unknown>;
      const parsed = derived.params.safeParse(params);
      if (!parsed.success) {
        ok = false;
        for (const issue of toIssues(parsed.error, params))
          out.push(
            issueAt(source, { ...issue, message: `params of "${ref.fact}": ${issue.message}` }, [
              ...path,
              "params",
            ]),
          );
      } else {
        ref.params = params;
        ok = checkDerivedParams(ctx, ref.fact, params, [...path, "params"]) && ok;
      }
    } else if (ref.params !== undefined) {
      out.push(source.at([...path, "params"], "invalid_value", `fact "${ref.fact}" takes no params`));
      ok = false;
    }
  } else if (ref.params !== undefined) {
    out.push(source.at([...path, "params"], "invalid_value", `fact "${ref.fact}" takes no params`));
    ok = false;
  }
  if (ok && !ref.name)
    addEvidence(ctx, evidenceKey(ref), { fact: ref.fact, path: ref.path, params: ref.params }, path);
  return ok;
}

function checkPath(ctx: RuleContext, fact: string, path: string, at: YamlPath): boolean {
  const segments = parsePath(path);
  if (!segments) {
    ctx.out.push(ctx.source.at(at, "invalid_path", `path "${path}" ${PATH_HINT}`));
    return false;
  }
  const schema =
    fact === "data"
      ? DATA_SCHEMAS[ctx.policy.appliesTo as RecordType]
      : fact === "record"
        ? RECORD_FIELDS
        : undefined;
  if (!schema) {
    ctx.out.push(ctx.source.at(at, "invalid_path", `fact "${fact}" has no fields: remove "path"`));
    return false;
  }
  const missing = missingSegment(schema, segments);
  if (missing !== undefined) {
    ctx.out.push(
      ctx.source.at(
        at,
        "invalid_path",
        `path "${path}": ${ctx.policy.appliesTo} ${fact} has no field "${missing}"${typeof missing === "string" ? didYouMean(missing, fieldsBeside(schema, segments)) : ""}`,
      ),
    );
    return false;
  }
  return true;
}

/** Data paths inside a derived fact's params (elapsed's from/to) must exist too. */
function checkDerivedParams(
  ctx: RuleContext,
  fact: string,
  params: Record<string, unknown>,
  at: YamlPath,
): boolean {
  let ok = true;
  if (fact !== "elapsed") {
    // copiesNotSentWithin's from, valueIf's path
    for (const key of ["from", "path"])
      if (typeof params[key] === "string") ok = checkPath(ctx, "data", params[key], [...at, key]) && ok;
    return ok;
  }
  const check = (p: unknown, where: YamlPath) => {
    if (typeof p === "string") ok = checkPath(ctx, "data", p, where) && ok;
  };
  check(params.from, [...at, "from"]);
  const to = params.to;
  if (Array.isArray(to)) {
    for (const [i, p] of to.entries()) check(p, [...at, "to", i]);
  } else if (isFactReference(to)) {
    const ref = { ...to };
    ok = checkFactReference({ ...ctx, evidence: new Map() }, ref, [...at, "to"]) && ok;
    params.to = ref;
  } else check(to, [...at, "to"]);
  return ok;
}
