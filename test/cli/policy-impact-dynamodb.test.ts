/** `compliance policy impact` reading the stored records from DynamoDB (the tests' DynamoDB Local). */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { canonicalHash } from "../../functions/core/canonical.ts";
import { RecordsStore } from "../../functions/store/records.ts";
import { recordKey } from "../../functions/store/repositories.ts";
import type { RecordEnvelope } from "../../schemas/record.ts";
import { useTables } from "../support/dynamodb.ts";
import { approvedExpense, expenseV2, impactRecords } from "./impact-fixture.ts";
import { EXPENSE_V1, EXPENSE_V2, type PolicyRepo, policyRepo, run } from "./policy-repo.ts";

const tables = useTables();
const store = new RecordsStore(tables.clients.doc, tables.names);

async function put(record: RecordEnvelope) {
  const outcome = await store.putRevision({
    record,
    bodyHash: canonicalHash(record),
    receivedAt: "2026-03-05T00:00:00.000Z",
    clientId: "test",
  });
  expect(outcome).toEqual({ outcome: "created" });
  // a head item, as the evaluator writes it: never replayed itself
  await store.claimHead(recordKey(record.type, record.id), record.revision, null, "2026-03-05T00:00:00.000Z");
}

const saved = { ...process.env };
afterAll(() => {
  process.env = saved;
});

describe("compliance policy impact from DynamoDB", () => {
  let repo: PolicyRepo;
  afterEach(() => repo?.dispose());

  it("replays the latest stored revision of each record", async () => {
    // E-RESOLVE's first revision would open under v2; its second (the latest) resolves
    await put(approvedExpense("E-RESOLVE", 30000, "marketing-director", { revision: 1 }));
    for (const record of impactRecords())
      await put(record.id === "E-RESOLVE" ? { ...record, revision: 2 } : record);

    repo = policyRepo();
    repo.git("checkout", "-q", "-b", "lower-authority");
    repo.write(EXPENSE_V2, expenseV2(repo.read(EXPENSE_V1)));
    process.env.COMPLIANCE_DYNAMODB_ENDPOINT = tables.endpoint;
    process.env.COMPLIANCE_TABLE_PREFIX = tables.prefix;
    delete process.env.COMPLIANCE_RECORDS_TABLE;

    const args = ["policy", "impact", "--base", "main", "--at", "2026-03-10T00:00:00Z", repo.dir];
    const result = await run(...args);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      `Replayed 5 records (the latest revision of each; from DynamoDB table ${tables.names.records} at ${tables.endpoint})`,
    );
    expect(result.out).toContain("| `expense-approval/approval-limit` | high | 1 | 1 | 2 |");
    expect(result.out).toContain("- would resolve (1): `E-RESOLVE`");

    process.env.COMPLIANCE_TABLE_PREFIX = `${tables.prefix}missing-`;
    const missing = await run(...args);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("no such table");
  });
});
