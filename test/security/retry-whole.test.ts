/**
 * Issue 11 item 2: a record's violations are all stored, or the revision is retried whole. A write
 * failing halfway (here: the second violation's put) fails the evaluation; running it again — as
 * the stream's retry does — stores every violation exactly once, with idempotent conditional
 * writes and no transaction.
 */
import { describe, expect, it } from "vitest";
import { evaluateStoredRevision } from "../../functions/service/evaluate-revision.ts";
import { ingestRecord } from "../../functions/service/ingest.ts";
import { candidateViolationIds } from "../../functions/service/platform.ts";
import { recordKey } from "../../functions/store/repositories.ts";
import { recordSchema } from "../../schemas/record.ts";
import { useTables } from "../support/dynamodb.ts";
import { TestClock, testRuntime } from "../support/runtime.ts";

const db = useTables();

describe("a revision's violations", () => {
  it("are all stored after a retry when a write failed halfway, each once", async () => {
    const rt = testRuntime(db.endpoint, db.names, new TestClock("2026-03-02T00:00:00Z"));
    const { platform } = rt;
    const record = recordSchema.parse({
      type: "access",
      id: "ACC-HALF",
      revision: 1,
      occurredAt: "2026-03-01T08:00:00Z",
      source: "erp",
      data: {
        department: "sales",
        actor: { id: "a.wu", roles: [] },
        resource: { kind: "customer-info", id: "R1", recordCount: 5000 },
        action: "share-external",
        at: "2026-03-01T08:00:00Z",
        encrypted: false,
      },
    });
    await ingestRecord(platform, record, "erp");
    const stored = await platform.records.getRevision(recordKey("access", "ACC-HALF"), 1);
    if (!stored) throw new Error("not stored");
    const expected = platform.evaluator.evaluate(record, { now: platform.now() }).violations;
    expect(expected.length).toBeGreaterThanOrEqual(2);

    const write = platform.violations.write.bind(platform.violations);
    let calls = 0;
    platform.violations.write = async (next, ver) => {
      if (++calls === 2) throw new Error("DynamoDB refused the item");
      return write(next, ver);
    };
    await expect(evaluateStoredRevision(platform, stored)).rejects.toThrow(/refused/);
    const half = await platform.violations.getMany(candidateViolationIds(platform, "access", "ACC-HALF"));
    expect(half.size).toBeLessThan(expected.length);

    platform.violations.write = write; // the retry
    await evaluateStoredRevision(platform, stored);
    const all = await platform.violations.getMany(candidateViolationIds(platform, "access", "ACC-HALF"));
    expect([...all.keys()].sort()).toEqual(expected.map((v) => v.id).sort());
    for (const v of all.values()) expect(v.history).toHaveLength(1);
  });
});
