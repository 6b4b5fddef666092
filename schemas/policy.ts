/**
 * Policy file schemas: CONTRACT §4. One definition for the loader and for the JSON Schema that
 * editors use (`# yaml-language-server: $schema=…` in every policy file).
 *
 * The structure is checked here; what needs the whole file (a parameter that exists, a value that
 * fits its operator, a placeholder that names known evidence) is checked by the loader.
 */
import * as z from "zod";
import { BASE_FACTS, DERIVED_FACTS } from "../functions/core/policy/facts.ts";
import { DECORATORS, OPERATORS } from "../functions/core/policy/operators.ts";
import { DURATION_HINT, isCalendarDate, parseDuration } from "../functions/core/time.ts";
import { notificationsSchema } from "./notifications.ts";
import { personSchema } from "./person.ts";
import { AREAS, SEVERITIES } from "./policy-terms.ts";
import { RECORD_TYPES } from "./record-types.ts";
import { dateTime, timeZone } from "./time.ts";
import { withMeta } from "./zod.ts";

export { AREAS, SEVERITIES };

const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be lowercase words joined by '-', e.g. over-budget");
const bilingual = z.strictObject({ zh: z.string().trim().min(1), en: z.string().trim().min(1) });
export const role = slug.meta({ description: "a role defined in policies/org.yaml" });
export const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, DURATION_HINT)
  .meta({ description: "ISO 8601 duration: P2D, PT4H, PT30M" });
export const citation = z.strictObject({
  document: z.string().min(1).meta({ description: "seed document number, e.g. 000" }),
  clause: z.string().min(1),
});

const factName = z.string().meta({
  description: "a fact: data, record, now or a derived fact",
  anyOf: [
    ...Object.entries(BASE_FACTS).map(([name, description]) => ({ const: name, description })),
    ...DERIVED_FACTS.map((f) => ({
      const: f.name,
      description: `${f.description}${f.appliesTo ? ` (${f.appliesTo.join(", ")})` : ""}`,
    })),
  ],
});

const operatorName = z.string().meta({
  description: "an operator, optionally with json-rules-engine decorators: not:equal, someFact:in …",
  anyOf: [
    ...OPERATORS.map((o) => ({ const: o.name, description: o.description })),
    {
      type: "string",
      pattern: `^(${Object.keys(DECORATORS).join("|")}):`,
      description: "decorated operator",
    },
  ],
});

export const paramReference = z
  .strictObject({ param: z.string().min(1) })
  .meta({ description: "the value of a policy parameter" });

export const factReference = z
  .strictObject({
    fact: factName,
    path: z.string().optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ description: "compare with another fact's value" });

export const leafCondition = z.strictObject({
  fact: factName,
  path: z.string().optional().meta({ description: "simple JSONPath into the fact, e.g. $.budget.remaining" }),
  params: z.record(z.string(), z.unknown()).optional().meta({ description: "parameters of a derived fact" }),
  operator: operatorName,
  value: z.unknown().meta({ description: "a literal, {param: name} or {fact, path, params}" }),
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/)
    .optional()
    .meta({ description: "evidence key for this condition's fact (default: the fact's path or name)" }),
});

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | z.infer<typeof leafCondition>;

export const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(condition).min(1) }),
    z.strictObject({ any: z.array(condition).min(1) }),
    z.strictObject({ not: condition }),
    leafCondition,
  ]),
);

export const topCondition = z.union([
  z.strictObject({ all: z.array(condition).min(1) }),
  z.strictObject({ any: z.array(condition).min(1) }),
  z.strictObject({ not: condition }),
]);

export const ruleSchema = z.strictObject({
  id: slug,
  severity: z.enum(SEVERITIES),
  when: topCondition.meta({ description: "json-rules-engine conditions: all / any / not at the top" }),
  assign: z.array(role).min(1).meta({ description: "roles that must act on a violation" }),
  due: duration.meta({ description: "time to act, from detection" }),
  message: bilingual.meta({
    description: "zh and en; {evidence-key} and {params.name} placeholders are filled in",
  }),
  escalate: z.array(role).min(1).optional().meta({ description: "roles, in order, for overdue violations" }),
  source: z.array(citation).min(1).optional().meta({ description: "clauses this rule comes from" }),
  evidence: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/), factReference)
    .optional()
    .meta({
      description:
        "more facts to report as evidence (and use in the message) when the rule fires, by name; they never change whether it fires",
    }),
});

export const policySchema = z
  .strictObject({
    id: slug,
    version: z.number().int().min(1),
    effectiveFrom: z
      .string()
      .refine(isCalendarDate, "must be a date YYYY-MM-DD")
      .meta({ description: "date (UTC) from which this version is in force" }),
    area: z.enum(AREAS),
    appliesTo: z.enum(RECORD_TYPES),
    title: bilingual,
    owner: role,
    source: z.array(citation).min(1),
    parameters: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, "must be camelCase"), z.unknown())
      .optional(),
    rules: z.array(ruleSchema).min(1),
  })
  .meta({ id: "Policy", title: "Compliance policy version" });

export type PolicyFile = z.infer<typeof policySchema>;
export type RuleFile = z.infer<typeof ruleSchema>;

export const orgSchema = z
  .strictObject({
    timeZone: z.optional(timeZone),
    roles: z.record(
      role,
      z.union([
        z.strictObject({ name: bilingual.optional(), people: z.array(z.string().min(1)) }),
        z.strictObject({
          name: bilingual.optional(),
          byDepartment: z
            .record(z.string().min(1), z.array(z.string().min(1)))
            .meta({ description: 'department → people; "*" for every other department' }),
        }),
      ]),
    ),
    people: z
      .array(personSchema)
      .meta({ description: "every person: role members and everyone a record can name (CONTRACT §6)" }),
    notifications: notificationsSchema.optional(),
  })
  .meta({ id: "Org", title: "Organisation directory: who holds each role, and the people" });

export type OrgFile = z.infer<typeof orgSchema>;

export const policyTestSchema = z
  .strictObject({
    record: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: "record template every case's record is deep-merged onto" }),
    cases: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          now: withMeta(dateTime, { description: "evaluation time" }),
          record: z.record(z.string(), z.unknown()).optional(),
          expect: z
            .array(
              z.union([
                slug,
                z.strictObject({
                  ruleId: slug,
                  evidence: z.record(z.string(), z.unknown()).optional(),
                  message: z
                    .strictObject({ zh: z.string().optional(), en: z.string().optional() })
                    .optional(),
                  dueAt: z.optional(dateTime),
                  assignees: z.array(z.strictObject({ role, people: z.array(z.string()) })).optional(),
                }),
              ]),
            )
            .meta({
              description: "exactly the rules of this policy that fire; details are matched as subsets",
            }),
          nextCheckAt: z.optional(z.nullable(dateTime)),
        }),
      )
      .min(1),
  })
  .meta({ id: "PolicyTest", title: "Policy test cases (v<N>.test.yaml)" });

export type PolicyTestFile = z.infer<typeof policyTestSchema>;
