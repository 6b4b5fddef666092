/**
 * Reading aids over HTTP (CONTRACT §2), through the platform `npm start` runs, each answer checked
 * against the OpenAPI document: `POST /v1/evaluate?explain=true` and
 * `GET /v1/policies/{id}/versions/{n}` (each rule in words).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Explanation } from "../../functions/core/engine/explanation.ts";
import { expense } from "../support/records.ts";
import {
  AUDITOR_TOKEN,
  Clock,
  type E2ePlatform,
  type ErrorJson,
  type EvaluationJson,
  expectDocumented,
  expectJsonError,
  startE2ePlatform,
} from "./helpers.ts";

const clock = new Clock("2026-03-02T00:00:00Z");
let e2e: E2ePlatform;

beforeAll(async () => {
  e2e = await startE2ePlatform({ tag: "explain", now: clock.now });
}, 120_000);
afterAll(async () => e2e?.close(), 60_000);

async function evaluate(body: unknown, query = "") {
  return expectDocumented(
    await e2e.api.post<EvaluationJson & ErrorJson>(`/v1/evaluate${query}`, body),
    "POST",
    "/v1/evaluate",
  );
}

function leaves(node: Explanation): Extract<Explanation, { fact: string }>[] {
  if ("all" in node) return node.all.flatMap(leaves);
  if ("any" in node) return node.any.flatMap(leaves);
  if ("not" in node) return leaves(node.not);
  return [node];
}

describe("POST /v1/evaluate?explain=true", () => {
  it("adds rules: [{id, fired, explanation}] to each policy; the README's 12,000 expense says why approval-limit did not fire", async () => {
    const record = expense("EX-1", 1, { amount: 12000 });
    const plain = await evaluate(record);
    expect(plain.status).toBe(200);
    expect(plain.body.policies).toEqual([{ id: "expense-approval", version: 1 }]);

    const answer = await evaluate(record, "?explain=true");
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.violations).toEqual(plain.body.violations);
    const [policy] = answer.body.policies;
    const rules = new Map((policy?.rules ?? []).map((r) => [r.id, r]));
    expect([...rules.keys()]).toEqual([
      "approval-chain",
      "approval-limit",
      "self-approval",
      "over-budget",
      "major-budget-adjustment",
      "supporting-documents",
    ]);
    for (const rule of rules.values()) {
      expect(rule.fired).toBe((rule.explanation as Explanation).result);
      for (const leaf of leaves(rule.explanation as Explanation)) {
        expect(leaf).toHaveProperty("actual");
        expect(leaf).toHaveProperty("expected");
        expect(typeof leaf.result).toBe("boolean");
      }
    }
    expect(rules.get("over-budget")?.fired).toBe(true);
    const limit = rules.get("approval-limit");
    expect(limit?.fired).toBe(false);
    expect(leaves(limit?.explanation as Explanation)[1]).toEqual({
      fact: "approverAuthority",
      operator: "decimalLessThan",
      value: { fact: "data", path: "$.amount" },
      expected: 12000,
      actual: null,
      result: false,
    });
  });

  it("explain=false is the plain answer; any other value is a 400 naming what is accepted", async () => {
    const record = expense("EX-2", 1);
    const off = await evaluate(record, "?explain=false");
    expect(off.status).toBe(200);
    expect(off.body.policies).toEqual([{ id: "expense-approval", version: 1 }]);
    const bad = await evaluate(record, "?explain=yes");
    expect(bad.status).toBe(400);
    const error = expectJsonError(bad, "validation_failed");
    expect(error.issues?.[0]?.path).toContain("explain");
    expect(error.issues?.[0]?.message).toMatch(/true/);
  });
});

describe("GET /v1/policies/{id}/versions/{n}", () => {
  const get = (path: string, token = AUDITOR_TOKEN) =>
    e2e.api.get<Record<string, unknown> & ErrorJson>(path, { token });

  it("200: the version's fields, parameters and rules as written, each rule also in words (zh, en)", async () => {
    const answer = expectDocumented(
      await get("/v1/policies/expense-approval/versions/1"),
      "GET",
      "/v1/policies/{id}/versions/{n}",
    );
    expect(answer.status, answer.text).toBe(200);
    const body = answer.body as unknown as {
      id: string;
      version: number;
      effectiveFrom: string;
      effectiveUntil: string | null;
      parameters: Record<string, unknown>;
      rules: { id: string; when: unknown; words: { zh: string; en: string }; assign: string[] }[];
    };
    expect(body).toMatchObject({
      id: "expense-approval",
      version: 1,
      effectiveFrom: "2026-01-01",
      area: "approval-limits",
      appliesTo: "expense",
      owner: "finance",
    });
    expect(body.parameters.majorAdjustmentShare).toBe(0.1);
    const overBudget = body.rules.find((r) => r.id === "over-budget");
    expect(overBudget?.words).toEqual({
      en: "amount is more than budget.remaining and approvedSteps does not contain budget-adjustment",
      zh: "amount 大於 budget.remaining 且 approvedSteps 不包含 budget-adjustment",
    });
    const major = body.rules.find((r) => r.id === "major-budget-adjustment");
    expect(JSON.stringify(major?.when)).toContain('{"param":"majorAdjustmentShare"}');
    expect(major?.words.en).toContain("parameter majorAdjustmentShare");
    expect(body.rules).toHaveLength(6);
  });

  it("404 not_found for an unknown policy or version", async () => {
    for (const path of [
      "/v1/policies/expense-approval/versions/9",
      "/v1/policies/expense-approval/versions/0",
      "/v1/policies/expense-approval/versions/one",
      "/v1/policies/no-such-policy/versions/1",
    ]) {
      const answer = expectDocumented(await get(path), "GET", "/v1/policies/{id}/versions/{n}");
      expect(answer.status, path).toBe(404);
      expectJsonError(answer, "not_found");
    }
  });

  it("401 without a reader credential", async () => {
    const answer = await e2e.api.get("/v1/policies/expense-approval/versions/1", { headers: {} });
    expect(answer.status).toBe(401);
    expectJsonError(answer);
  });
});
