/**
 * The order of judgements when a revision leaves no head (nothing to remember): revisions judged
 * directly, in a chosen order, with no stream reader racing them.
 */
import { describe, expect, it } from "vitest";
import { violationId } from "../../functions/core/engine/violation.ts";
import { evaluateStoredRevision } from "../../functions/service/evaluate-revision.ts";
import { ingestRecord } from "../../functions/service/ingest.ts";
import type { StoredRevision } from "../../functions/store/repositories.ts";
import { recordSchema } from "../../schemas/record.ts";
import { useTables } from "../support/dynamodb.ts";
import { expense, overBudget } from "../support/records.ts";
import { TestClock, testRuntime } from "../support/runtime.ts";

const db = useTables();
const clock = new TestClock("2026-03-02T00:00:00Z");
const overBudgetId = (id: string) => violationId("expense", id, "expense-approval", "over-budget");

describe("judging revisions out of order", () => {
  it("an older revision judged after a newer one that left no head does not win: the newest decides", async () => {
    const { platform } = testRuntime(db.endpoint, db.names, clock);
    const store = async (input: unknown): Promise<StoredRevision> => {
      const record = recordSchema.parse(input);
      await ingestRecord(platform, record, "erp");
      const stored = await platform.records.getRevision(`expense#${record.id}`, record.revision);
      if (!stored) throw new Error("not stored");
      return stored;
    };
    // both stored (revision 2 first); revision 3 fires nothing and is judged first: no head
    const second = await store(overBudget("ORD-1", 2));
    const third = await store(expense("ORD-1", 3));
    expect((await evaluateStoredRevision(platform, third)).applied).toBe(true);
    expect(await platform.records.getHead("expense#ORD-1")).toBeUndefined();
    // revision 2, over budget, judged late: refused in favour of the newest
    expect((await evaluateStoredRevision(platform, second)).applied).toBe(false);
    expect(await platform.violations.get(overBudgetId("ORD-1"))).toBeUndefined();
    expect((await platform.records.getHead("expense#ORD-1"))?.latest).toBe(3);
    // and once more, now that the head is there
    expect((await evaluateStoredRevision(platform, second)).applied).toBe(false);
    expect(await platform.violations.get(overBudgetId("ORD-1"))).toBeUndefined();
  });

  it("a newer revision that fires, judged late, still opens its violation over an older one that left no head", async () => {
    const { platform } = testRuntime(db.endpoint, db.names, clock);
    const record = (input: unknown) => recordSchema.parse(input);
    await ingestRecord(platform, record(expense("ORD-2", 1)), "erp");
    await ingestRecord(platform, record(overBudget("ORD-2", 2)), "erp");
    const first = await platform.records.getRevision("expense#ORD-2", 1);
    const second = await platform.records.getRevision("expense#ORD-2", 2);
    expect((await evaluateStoredRevision(platform, first as StoredRevision)).applied).toBe(true);
    expect((await evaluateStoredRevision(platform, second as StoredRevision)).applied).toBe(true);
    expect((await platform.violations.get(overBudgetId("ORD-2")))?.record.revision).toBe(2);
    expect((await platform.records.getHead("expense#ORD-2"))?.latest).toBe(2);
  });
});
