/**
 * JSON Schema documents generated from the zod schemas (never kept by hand): editors use them
 * through `# yaml-language-server: $schema=…` lines, callers to validate records before sending.
 * `npm run schemas` writes them; test/schemas fails when the committed files drift.
 */
import * as z from "zod";
import { orgSchema, policySchema, policyTestSchema } from "./policy.ts";
import { recordSchema } from "./record.ts";

export const JSON_SCHEMAS: Readonly<Record<string, z.core.$ZodType>> = {
  "record.schema.json": recordSchema,
  "policy.schema.json": policySchema,
  "org.schema.json": orgSchema,
  "policy-test.schema.json": policyTestSchema,
};

/** The JSON text of one generated schema: the form callers send (io: input), stable formatting. */
export function renderJsonSchema(name: string): string {
  const schema = JSON_SCHEMAS[name];
  if (!schema) throw new Error(`unknown schema ${name}`);
  const json = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12", unrepresentable: "any" });
  return `${JSON.stringify({ ...json, $id: `https://compliance.example/schemas/${name}` }, null, 2)}\n`;
}
