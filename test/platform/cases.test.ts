/**
 * People acting on violations (CONTRACT §2, §6: signed in, as themselves) and time acting on them
 * (waivers expire, overdue violations escalate), through the real handlers on DynamoDB Local.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createEvaluator } from "../../functions/core/engine/evaluate.ts";
import { violationId } from "../../functions/core/engine/violation.ts";
import type { PolicySet } from "../../functions/core/policy/model.ts";
import { createAuditorHandler } from "../../functions/handlers/auditor.ts";
import { createCasesHandler } from "../../functions/handlers/cases.ts";
import type { Runtime } from "../../functions/runtime/runtime.ts";
import { createPlatform } from "../../functions/service/platform.ts";
import { sweep } from "../../functions/service/sweep.ts";
import { dynamoDbStorage } from "../../functions/store/dynamodb-storage.ts";
import { useTables } from "../support/dynamodb.ts";
import { auditorGet, httpEvent, lambdaContext } from "../support/events.ts";
import { shippedPolicies } from "../support/policies.ts";
import { complaint, overBudget } from "../support/records.ts";
import { AUDITOR_TOKEN, storeAndEvaluate, TestClock, testRuntime } from "../support/runtime.ts";
import { TEST_ISSUER } from "../support/tokens.ts";

const db = useTables();
const clock = new TestClock("2026-03-02T00:00:00Z");
let rt: Runtime;
let cases: ReturnType<typeof createCasesHandler>;

/** The shipped policies, with first-response escalating to quality, then management. */
function withEscalation(set: PolicySet): PolicySet {
  return {
    ...set,
    versions: set.versions.map((v) =>
      v.id !== "complaint-response"
        ? v
        : {
            ...v,
            rules: v.rules.map((r) =>
              r.id === "first-response" ? { ...r, escalate: ["quality", "management"] } : r,
            ),
          },
    ),
  };
}

beforeAll(() => {
  const base = testRuntime(db.endpoint, db.names, clock);
  rt = {
    ...base,
    platform: createPlatform({
      set: withEscalation(shippedPolicies()),
      compile: createEvaluator,
      storage: dynamoDbStorage(base.dynamodb.doc, db.names),
      now: clock.now,
    }),
  };
  cases = createCasesHandler(() => rt);
});

const judge = (input: unknown) => storeAndEvaluate(rt.platform, input);

/** Acts as a signed-in person (an ID token of the test issuer), or with `{ token }` as given. */
async function act(id: string, action: string, body: unknown, as: string | { token: string }) {
  const token = typeof as === "string" ? await TEST_ISSUER.tokenFor(as, clock.now()) : as.token;
  return cases(
    httpEvent({
      method: "POST",
      route: `/v1/violations/{id}/${action}`,
      params: { id },
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${token}` },
    }),
    lambdaContext,
  );
}
const parse = (r: { body?: string }) => JSON.parse(r.body ?? "null");
const overBudgetId = (id: string) => violationId("expense", id, "expense-approval", "over-budget");

describe("acting on violations", () => {
  it("acknowledges, waives and reopens with every step in history", async () => {
    await judge(overBudget("CASE-1", 1));
    const id = overBudgetId("CASE-1");
    const ack = await act(id, "acknowledge", { by: "fin.wang", reason: "looking into it" }, "fin.wang");
    expect(ack.statusCode).toBe(200);
    expect(parse(ack)).toMatchObject({ status: "acknowledged" });

    clock.advance(60_000);
    const waived = await act(
      id,
      "waive",
      { reason: "budget line moved", until: "2026-04-01T00:00:00Z" },
      "md.li",
    );
    expect(waived.statusCode).toBe(200);
    expect(parse(waived)).toMatchObject({ status: "waived", waivedUntil: "2026-04-01T00:00:00.000Z" });

    clock.advance(60_000);
    const reopened = await act(id, "reopen", { reason: "line did not move" }, "fin.zhao");
    expect(reopened.statusCode).toBe(200);
    const body = parse(reopened);
    expect(body.status).toBe("open");
    expect(body.history.map((h: { status: string; by: string }) => [h.status, h.by])).toEqual([
      ["open", "system"],
      ["acknowledged", "fin.wang"],
      ["waived", "md.li"],
      ["open", "fin.zhao"],
    ]);
    expect(body.history[2].reason).toBe("budget line moved");
  });

  it("400 without a reason or with an until in the past, storing nothing", async () => {
    await judge(overBudget("CASE-2", 1));
    const id = overBudgetId("CASE-2");
    const before = await rt.platform.violations.get(id);
    for (const body of [
      { by: "md.li" },
      { by: "md.li", reason: "   " },
      { by: "md.li", reason: "ok", until: "2026-01-01T00:00:00Z" },
      { by: "md.li", reason: "ok" }, // waive needs until
    ]) {
      const result = await act(id, "waive", body, "md.li");
      expect(result.statusCode).toBe(400);
      expect(parse(result).error.code).toBe("validation_failed");
    }
    expect(await rt.platform.violations.get(id)).toEqual(before);
  });

  it("409 for a transition that is not allowed; 403 separation_of_duties for a waiver by the person who caused it", async () => {
    await judge(overBudget("CASE-3", 1)); // applicant a.wu
    const id = overBudgetId("CASE-3");
    const reopenOpen = await act(id, "reopen", { by: "md.li", reason: "why" }, "md.li");
    expect(reopenOpen.statusCode).toBe(409);
    expect(parse(reopenOpen).error.code).toBe("transition_not_allowed");
    // CONTRACT 1.1 §6: 403 (it was 409 before)
    const selfWaiver = await act(id, "waive", { reason: "mine", until: "2026-05-01T00:00:00Z" }, "a.wu");
    expect(selfWaiver.statusCode).toBe(403);
    expect(parse(selfWaiver).error.code).toBe("separation_of_duties");
    expect((await rt.platform.violations.get(id))?.status).toBe("open");
  });

  it("404 for an unknown violation; 401 for a bad credential; 403 for the machine reader, which never acts", async () => {
    expect((await act("0".repeat(32), "acknowledge", { reason: "y" }, "fin.wang")).statusCode).toBe(404);
    const reader = await act(
      overBudgetId("CASE-1"),
      "acknowledge",
      { reason: "y" },
      { token: AUDITOR_TOKEN },
    );
    expect(reader.statusCode).toBe(403);
    expect(parse(reader).error.code).toBe("not_assigned");
    expect(
      (await act(overBudgetId("CASE-1"), "acknowledge", { reason: "y" }, { token: "nope" })).statusCode,
    ).toBe(401);
    // the old shared case-handler token is gone
    expect(
      (
        await act(
          overBudgetId("CASE-1"),
          "acknowledge",
          { reason: "y" },
          { token: "local-case-handler-token" },
        )
      ).statusCode,
    ).toBe(401);
  });
});

describe("time", () => {
  it("reopens a violation when its waiver expires", async () => {
    clock.set("2026-03-02T00:00:00Z");
    await judge(overBudget("CASE-4", 1));
    const id = overBudgetId("CASE-4");
    expect(
      (await act(id, "waive", { reason: "quarter end", until: "2026-03-03T00:00:00Z" }, "md.li")).statusCode,
    ).toBe(200);
    clock.set("2026-03-02T23:59:59Z");
    await sweep(rt.platform);
    expect((await rt.platform.violations.get(id))?.status).toBe("waived");
    clock.set("2026-03-03T00:00:01Z");
    const result = await sweep(rt.platform);
    expect(result.acted).toBeGreaterThanOrEqual(1);
    const v = await rt.platform.violations.get(id);
    expect(v).toMatchObject({ status: "open", waivedUntil: null });
    expect(v?.history.at(-1)).toMatchObject({ status: "open", by: "system" });
    expect(v?.history.at(-1)?.reason).toContain("waiver expired");
  });

  it("escalates an overdue violation to the next role, with a new dueAt, then the next", async () => {
    clock.set("2026-03-01T09:00:00Z");
    await judge(complaint("ESC-1", 1, { category: "quality" })); // first response due within 4 h
    clock.set("2026-03-01T12:00:01Z");
    await sweep(rt.platform); // the deadline passes: first-response opens, due in 4 h (PT4H)
    const id = violationId("complaint", "ESC-1", "complaint-response", "first-response");
    const opened = await rt.platform.violations.get(id);
    expect(opened).toMatchObject({ status: "open", dueAt: "2026-03-01T16:00:01.000Z" });
    expect(opened?.assignees.map((a) => a.role)).toEqual(["customer-service"]);

    clock.set("2026-03-01T16:00:00Z");
    await sweep(rt.platform);
    expect((await rt.platform.violations.get(id))?.escalationLevel ?? 0).toBe(0);

    clock.set("2026-03-01T16:00:02Z");
    await sweep(rt.platform);
    const first = await rt.platform.violations.get(id);
    expect(first?.escalationLevel).toBe(1);
    expect(first?.assignees.map((a) => a.role)).toEqual(["customer-service", "quality"]);
    expect(first?.assignees.at(-1)?.people).toEqual(["qa.ma"]);
    expect(first?.dueAt).toBe("2026-03-01T20:00:02.000Z");
    expect(first?.history.at(-1)?.reason).toContain("escalated to quality");

    clock.set("2026-03-01T20:00:03Z");
    await sweep(rt.platform);
    const second = await rt.platform.violations.get(id);
    expect(second?.escalationLevel).toBe(2);
    expect(second?.assignees.map((a) => a.role)).toEqual(["customer-service", "quality", "management"]);

    clock.set("2026-03-02T20:00:03Z");
    await sweep(rt.platform); // nothing left to escalate to
    expect((await rt.platform.violations.get(id))?.escalationLevel).toBe(2);
  });
});

describe("GET /v1/reports/complaints", () => {
  it("counts complaints received in [from, to] by category, with the exact deduction", async () => {
    clock.set("2026-05-01T00:00:00Z");
    const month = (i: number) => `2026-04-${String(1 + (i % 28)).padStart(2, "0")}T08:00:00Z`;
    for (let i = 0; i < 23; i++)
      await judge(
        complaint(`RPT-G${i}`, 1, { category: i < 12 ? "general" : "service", receivedAt: month(i) }),
      );
    await judge(complaint("RPT-L1", 1, { category: "legal", receivedAt: "2026-04-10T00:00:00Z" }));
    await judge(complaint("RPT-M1", 1, { category: "media", receivedAt: "2026-04-30T23:59:59Z" }));
    await judge(complaint("RPT-OUT", 1, { category: "media", receivedAt: "2026-05-01T00:00:00.001Z" }));
    // a second revision counts once, with its latest category
    await judge(complaint("RPT-G0", 2, { category: "quality", receivedAt: month(0) }));
    const auditor = createAuditorHandler(() => rt);
    const result = await auditor(
      auditorGet("/v1/reports/complaints", {
        query: { from: "2026-04-01T00:00:00Z", to: "2026-04-30T23:59:59Z" },
      }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body ?? "null");
    expect(body.counts).toEqual({ general: 11, service: 11, quality: 1, legal: 1, media: 1 });
    expect(body.total).toBe(25);
    // 23 ordinary → 2 full tens → 0.4; 2 grave → 100
    expect(body.deduction).toBe(100.4);
    const bad = await auditor(
      auditorGet("/v1/reports/complaints", { query: { from: "2026-04-01T00:00:00Z" } }),
      lambdaContext,
    );
    expect(bad.statusCode).toBe(400);
  });
});
