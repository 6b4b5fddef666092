import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { formatPath, toIssues } from "../../functions/core/issues.ts";
import { JSON_SCHEMAS, renderJsonSchema } from "../../schemas/json-schemas.ts";
import { recordSchema } from "../../schemas/record.ts";
import { expense as expenseRecord } from "../support/records.ts";

const schemaFile = (name: string) => new URL(`../../schemas/${name}`, import.meta.url);

// with an offset and a null optional field, which parsing normalises
const expense = expenseRecord(
  "EXP-2026-0001",
  1,
  { amount: 12000, attachments: 1, submittedAt: null },
  "2026-03-01T16:00:00+08:00",
);

describe("generated JSON Schemas", () => {
  for (const name of Object.keys(JSON_SCHEMAS)) {
    it(`${name} is committed as generated (run npm run schemas after changing a zod schema)`, () => {
      expect(readFileSync(schemaFile(name), "utf8")).toBe(renderJsonSchema(name));
    });
    it(`${name} compiles in ajv (draft 2020-12)`, () => {
      const ajv = new Ajv2020.default({ strict: false, allErrors: true });
      expect(() => ajv.compile(JSON.parse(readFileSync(schemaFile(name), "utf8")))).not.toThrow();
    });
  }

  it("record.schema.json agrees with zod on a valid and an invalid record", () => {
    const ajv = new Ajv2020.default({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaFile("record.schema.json"), "utf8")));
    expect(validate(expense)).toBe(true);
    expect(validate({ ...expense, data: { ...expense.data, ammount: 1 } })).toBe(false);
  });
});

describe("record schema (CONTRACT §1)", () => {
  it("normalises timestamps to UTC and drops null optional fields", () => {
    const parsed = recordSchema.parse(expense);
    expect(parsed.occurredAt).toBe("2026-03-01T08:00:00.000Z");
    expect((parsed.data as { submittedAt?: string }).submittedAt).toBeUndefined();
    expect(JSON.stringify(parsed)).not.toContain("submittedAt");
  });

  it("rejects unknown fields, naming each", () => {
    const input = { ...expense, extra: 1, data: { ...expense.data, ammount: 5 } };
    const result = recordSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) {
      const issues = toIssues(result.error, input).map((i) => `${formatPath(i.path)}: ${i.message}`);
      expect(issues).toContain('extra: unknown field "extra"');
      expect(issues).toContain('data.ammount: unknown field "ammount"');
    }
  });

  it("reports every invalid field with its path", () => {
    const input = {
      ...expense,
      id: "bad id!",
      revision: 0,
      data: { ...expense.data, amount: 0, currency: "yuan", approvals: [{ step: "x" }] },
    };
    const result = recordSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) {
      const paths = toIssues(result.error, input).map((i) => formatPath(i.path));
      expect(paths).toEqual(
        expect.arrayContaining([
          "id",
          "revision",
          "data.amount",
          "data.currency",
          "data.approvals[0].step",
          "data.approvals[0].approver",
        ]),
      );
    }
  });

  it("names an unknown record type", () => {
    const input = { ...expense, type: "invoice" };
    const result = recordSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success)
      expect(toIssues(result.error, input).map((i) => formatPath(i.path))).toEqual(["type"]);
  });

  it("accepts an empty required string (rules judge emptiness)", () => {
    expect(recordSchema.safeParse({ ...expense, data: { ...expense.data, applicant: "" } }).success).toBe(
      true,
    );
  });

  it("rejects a timestamp without a zone", () => {
    expect(recordSchema.safeParse({ ...expense, occurredAt: "2026-03-01T08:00:00" }).success).toBe(false);
  });
});
