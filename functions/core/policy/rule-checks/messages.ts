/** A rule's message templates: every placeholder names evidence, a data field, a parameter or the record. */
import type { RuleFile } from "../../../../schemas/policy.ts";
import { DATA_SCHEMAS, type RecordType } from "../../../../schemas/record.ts";
import { didYouMean } from "../../suggest.ts";
import { DERIVED_FACT_BY_NAME } from "../facts.ts";
import { parsePath } from "../path.ts";
import { missingSegment } from "../schema-paths.ts";
import { parseTemplate } from "../template.ts";
import type { YamlPath } from "../yaml-source.ts";
import { addEvidence, type RuleContext } from "./context.ts";

const RECORD_PLACEHOLDERS = new Set([
  "record.type",
  "record.id",
  "record.revision",
  "record.occurredAt",
  "record.source",
]);

export function checkMessage(
  ctx: RuleContext,
  message: RuleFile["message"],
  base: YamlPath,
  conditionsFailed: boolean,
) {
  const schema = DATA_SCHEMAS[ctx.policy.appliesTo as RecordType];
  for (const lang of ["zh", "en"] as const) {
    const template = parseTemplate(message[lang]);
    for (const problem of template.problems)
      ctx.out.push(ctx.source.at([...base, "message", lang], "unknown_placeholder", problem.message));
    for (const { name } of template.names) {
      const dataPath = name.startsWith("data.") ? parsePath(`$.${name.slice(5)}`) : undefined;
      const derived = DERIVED_FACT_BY_NAME.get(name);
      if (
        derived &&
        !derived.params &&
        (!derived.appliesTo || derived.appliesTo.includes(ctx.policy.appliesTo as RecordType))
      ) {
        // a parameterless derived fact named in a message is reported as evidence too
        addEvidence(ctx, name, { fact: name }, [...base, "message", lang]);
        continue;
      }
      const known =
        ctx.evidence.has(name) ||
        (dataPath !== undefined && missingSegment(schema, dataPath) === undefined) ||
        RECORD_PLACEHOLDERS.has(name) ||
        (name.startsWith("params.") &&
          Object.hasOwn(ctx.policy.parameters ?? {}, name.slice("params.".length)));
      // After a problem in the rule's conditions, a placeholder that the corrected condition
      // would report (a fact's name, a record field such as {amount}) is not another error.
      const afterConditionProblem =
        conditionsFailed &&
        (DERIVED_FACT_BY_NAME.has(name.split(".")[0] ?? "") ||
          missingSegment(schema, parsePath(`$.${name}`) ?? ["?"]) === undefined);
      if (!known && !afterConditionProblem)
        ctx.out.push(
          ctx.source.at(
            [...base, "message", lang],
            "unknown_placeholder",
            `unknown placeholder {${name}}${didYouMean(name, [
              ...ctx.evidence.keys(),
              ...Object.keys(ctx.policy.parameters ?? {}).map((p) => `params.${p}`),
            ])
              .replace(/^: /, " (")
              .replace(
                /\?$/,
                "?)",
              )}: use an evidence key (${[...ctx.evidence.keys()].join(", ") || "none"}), {data.<field>}, {params.<name>} or {record.id}`,
          ),
        );
    }
  }
}
