/**
 * Issue 11 item 2: everything that answers 202 must be storable. Property: for any schema-valid
 * record — pushed to the bounds of CONTRACT §1 (strings of 1,000 characters in any script, lists
 * of 1,000 items, money at 4 decimal places just below 10^15, counts of 10^9), within the 256 KiB
 * body limit — the stored revision and every violation it produces fit one DynamoDB item: the
 * SDK marshals them, every number is in DynamoDB's range, and the item is under 400 KB.
 * And the findings of the review itself are refused: they are the caller's mistakes (400).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEvaluator } from "../../functions/core/engine/evaluate.ts";
import { MESSAGE_VALUE_MAX_CHARS } from "../../functions/core/engine/format.ts";
import type { StoredViolation } from "../../functions/core/lifecycle.ts";
import { itemProblems } from "../../functions/store/item-limits.ts";
import { type RecordInput, recordSchema } from "../../schemas/record.ts";
import { now, recordInput } from "../support/arbitraries.ts";
import { shippedPolicies } from "../support/policies.ts";
import { expense as expenseRecord, quote as plainQuote } from "../support/records.ts";

const evaluator = createEvaluator(shippedPolicies());
const BODY_LIMIT = 256 * 1024;
const ISO = /^\d{4}-\d\d-\d\dT/;
const MONEY = new Set(["amount", "remaining", "listPrice", "unitPrice", "lineTotal"]);
const COUNTS = new Set(["quantity", "attachments", "recordCount", "paymentTermDays"]);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** How a record is pushed to its bounds. */
const LONG_TEXT = [
  "測".repeat(1000), // 3 UTF-8 bytes per character
  "😀".repeat(500), // 1,000 UTF-16 units, 4 bytes per pair
  `=HYPERLINK("http://x","y")${"x".repeat(974)}`,
  "a".repeat(1000),
];
// long texts in short lists, or long lists of short texts: both within the 256 KiB body limit
const sizes = fc.oneof(
  fc.record({ text: fc.constantFrom(...LONG_TEXT, ""), items: fc.constantFrom(1, 3) }),
  fc.record({ text: fc.constantFrom("測".repeat(20), "@x", ""), items: fc.constant(1000) }),
);
const knobs = fc.record({
  text: fc.constant(""),
  items: fc.constant(1),
  money: fc.constantFrom(0, 0.0001, 999_999_999_999_999.9, 123_456_789_012.3456, -999_999_999_999_999.9),
  count: fc.constantFrom(1, 1_000_000_000),
  longId: fc.boolean(),
});

type Knobs = { text: string; items: number; money: number; count: number; longId: boolean };

function inflate(value: Json, k: Knobs, key?: string, inList = false): Json {
  if (typeof value === "string") return ISO.test(value) || /^[A-Z]{3}$/.test(value) ? value : k.text;
  if (typeof value === "number") {
    if (key && MONEY.has(key)) return k.money;
    if (key && COUNTS.has(key)) return k.count;
    return value;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return value;
    const out: Json[] = [];
    const n = inList ? value.length : k.items; // only the outer lists grow
    for (let i = 0; i < n; i++) out.push(inflate(value[i % value.length] as Json, k, undefined, true));
    return out;
  }
  if (value && typeof value === "object") {
    const out: { [k: string]: Json } = {};
    for (const [name, v] of Object.entries(value)) out[name] = inflate(v, k, name, inList);
    return out;
  }
  return value;
}

function setAt(target: Json, path: readonly PropertyKey[], value: Json): void {
  let node = target as Record<PropertyKey, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<PropertyKey, Json>;
  node[path.at(-1) as PropertyKey] = value;
}
function getAt(source: Json, path: readonly PropertyKey[]): Json {
  let node = source as Json;
  for (const key of path) {
    // inflated lists repeat the original's items: item i came from item i mod length
    const at = Array.isArray(node) && typeof key === "number" ? key % node.length : key;
    node = (node as Record<PropertyKey, Json>)[at] as Json;
  }
  return node;
}

/** A schema-valid record at the bounds: inflated, with whatever the schema refuses put back. */
const boundedRecord = fc.tuple(recordInput, knobs, sizes).map(([input, base, size]) => {
  const k: Knobs = { ...base, ...size };
  const original = input as unknown as Json;
  const inflated = inflate(structuredClone(original), k) as { [key: string]: Json };
  inflated.type = input.type;
  inflated.occurredAt = input.occurredAt;
  inflated.revision = input.revision;
  inflated.id = k.longId ? "R".repeat(128) : input.id;
  for (let round = 0; round < 3; round++) {
    const result = recordSchema.safeParse(inflated);
    if (result.success) return { body: JSON.stringify(inflated), record: result.data };
    for (const issue of result.error.issues) setAt(inflated, issue.path, getAt(original, issue.path));
  }
  throw new Error(`could not make a valid bounded record of ${JSON.stringify(input).slice(0, 200)}`);
});

function asStored(v: ReturnType<typeof evaluator.evaluate>["violations"][number]): StoredViolation {
  // as the store writes it: with its first history entry and its index attributes
  return {
    ...v,
    history: [{ status: "open", at: v.detectedAt, by: "system", reason: null }],
    waivedUntil: null,
    escalationLevel: 0,
    updatedAt: v.detectedAt,
    ver: 1,
    ...{ statusShard: "open#0", recordType: v.record.type, recordId: v.record.id, roles: ["x"] },
  };
}

describe("every schema-valid record is storable", () => {
  it("the revision and all of its violations fit a DynamoDB item and its number range", () => {
    let violations = 0;
    let big = 0;
    let skipped = 0;
    fc.assert(
      fc.property(boundedRecord, now, ({ body, record }, at) => {
        if (Buffer.byteLength(body) > BODY_LIMIT) {
          skipped++;
          return; // a 413 at the door: never stored
        }
        if (body.length > 100_000) big++;
        const revision = itemProblems({
          pk: `${record.type}#${record.id}`,
          rev: record.revision,
          record,
          bodyHash: "0".repeat(64),
          receivedAt: at,
          clientId: "erp",
        });
        expect(revision.problems).toEqual([]);
        for (const v of evaluator.evaluate(record, { now: at }).violations) {
          violations++;
          const { problems, bytes } = itemProblems({ ...asStored(v) });
          expect(problems, `${v.policyId}/${v.ruleId}`).toEqual([]);
          // room left for a bounded history (item 6)
          expect(bytes).toBeLessThan(200 * 1024);
          for (const text of [v.message.zh, v.message.en])
            expect(text.length).toBeLessThan(2_000 + 8 * MESSAGE_VALUE_MAX_CHARS);
        }
      }),
      { numRuns: 300 },
    );
    expect(violations).toBeGreaterThan(100);
    expect(big).toBeGreaterThan(10);
    expect(skipped).toBeLessThan(150);
  });
});

describe("the review's unstorable records are refused as the caller's mistake", () => {
  const quote = plainQuote("Q-1") as RecordInput & { data: { items: Record<string, unknown>[] } };
  const withItem = (item: Record<string, unknown>) => ({
    ...quote,
    data: { ...quote.data, items: [{ ...quote.data.items[0], ...item }] },
  });
  const cases: [string, unknown, string, RegExp][] = [
    ["1e-129 list price", withItem({ listPrice: 1e-129 }), "data.items.0.listPrice", /decimal places/],
    ["negative unit price", withItem({ unitPrice: -9e15 }), "data.items.0.unitPrice", /10\^15|≥ 0/],
    ["1e16", withItem({ unitPrice: 1e16 }), "data.items.0.unitPrice", /10\^15/],
    [
      "a 40-digit number",
      withItem({ listPrice: JSON.parse("1234567890123456789012345678901234567890") }),
      "data.items.0.listPrice",
      /10\^15/,
    ],
    ["1e126", withItem({ listPrice: 1e126 }), "data.items.0.listPrice", /10\^15/],
    ["quantity 0.5", withItem({ quantity: 0.5 }), "data.items.0.quantity", /integer/],
    // was a policy test case (quote-approval v1: "every quantity is 0"), now refused at the door
    ["quantity 0", withItem({ quantity: 0 }), "data.items.0.quantity", /at least 1/],
    ["count above 10^9", withItem({ quantity: 2 ** 53 + 2 }), "data.items.0.quantity", /./],
    [
      "a 1,001-character string",
      { ...quote, data: { ...quote.data, salesperson: "x".repeat(1001) } },
      "data.salesperson",
      /1000 characters/,
    ],
    [
      "1,001 items",
      {
        ...quote,
        data: {
          ...quote.data,
          approvals: Array.from({ length: 1001 }, () => ({
            role: "r",
            approver: "a",
            at: "2026-03-01T08:00:00Z",
          })),
        },
      },
      "data.approvals",
      /1000 items/,
    ],
  ];
  for (const [what, input, path, message] of cases)
    it(what, () => {
      const result = recordSchema.safeParse(input);
      expect(result.success).toBe(false);
      const issue = result.error?.issues.find((i) => i.path.join(".") === path);
      expect(issue, JSON.stringify(result.error?.issues)).toBeDefined();
      expect(issue?.message).toMatch(message);
    });

  it("a negative budget adjustment is refused (was an expense-approval v1 policy test case)", () => {
    const expense = expenseRecord("E-1", 1, {
      amount: 100,
      budget: { lineId: "L1", remaining: -5 },
      attachments: 0,
      budgetAdjustment: { amount: -50000, lineTotal: 100000, approvals: [] },
    });
    const result = recordSchema.safeParse(expense);
    expect(result.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["data.budgetAdjustment.amount", "must be ≥ 0"],
    ]);
  });

  it("an access record's 205,000-character actor id is refused; 1,000 characters make a short message", () => {
    const access = {
      type: "access",
      id: "A-1",
      revision: 1,
      occurredAt: "2026-03-01T08:00:00Z",
      source: "erp",
      data: {
        department: "sales",
        actor: { id: "x".repeat(205_000), roles: [] },
        resource: { kind: "customer-info", id: "R1" },
        action: "export",
        at: "2026-03-01T08:00:00Z",
        encrypted: false,
      },
    };
    expect(recordSchema.safeParse(access).success).toBe(false);
    const ok = recordSchema.parse({
      ...access,
      data: { ...access.data, actor: { id: "y".repeat(1000), roles: [] } },
    });
    const found = evaluator.evaluate(ok, { now: "2026-03-02T00:00:00Z" }).violations;
    const naming = found.filter((v) => v.message.en.includes("yyy"));
    expect(naming.length).toBeGreaterThan(0);
    for (const v of naming)
      for (const text of [v.message.zh, v.message.en]) {
        expect(text).toContain(`${"y".repeat(MESSAGE_VALUE_MAX_CHARS - 1)}…`);
        expect(text).not.toContain("y".repeat(MESSAGE_VALUE_MAX_CHARS));
      }
  });
});
