/**
 * A record's revisions in storage (functions/store/records.ts): the newest in `records`, the ones
 * newer revisions replaced in `record-revisions`. What ingest stores and answers, in how many
 * requests, and how the history and the newest revision read back.
 */
import { describe, expect, it } from "vitest";
import { canonicalHash } from "../../functions/core/canonical.ts";
import { RecordsStore } from "../../functions/store/records.ts";
import type { RecordEnvelope } from "../../schemas/record.ts";
import { countingClients, useTables } from "../support/dynamodb.ts";

const db = useTables();

function countingStore() {
  const { doc, sent } = countingClients(db.endpoint);
  return { store: new RecordsStore(doc, db.names), sent };
}

function expense(id: string, revision: number, amount = "100.00"): RecordEnvelope {
  return {
    type: "expense",
    id,
    revision,
    occurredAt: "2026-03-01T09:00:00Z",
    data: { amount, currency: "CNY", department: "sales-east", requester: "u-1", approvals: [] },
  } as unknown as RecordEnvelope;
}

function put(store: RecordsStore, record: RecordEnvelope, clientId = "erp") {
  return store.putRevision({
    record,
    bodyHash: canonicalHash(record),
    receivedAt: "2026-03-01T10:00:00.000Z",
    clientId,
  });
}

describe("record revisions", () => {
  it("stores a new record with one request, and judges a record already stored on the item the failed put returns", async () => {
    const { store, sent } = countingStore();
    expect(await put(store, expense("REV-1", 2))).toEqual({ outcome: "created" });
    expect(sent).toEqual(["PutItemCommand"]);

    // the same revision again: one request each, whatever the answer
    for (const [record, clientId, outcome] of [
      [expense("REV-1", 2), "erp", { outcome: "duplicate" }],
      [expense("REV-1", 2, "999.00"), "erp", { outcome: "conflict" }],
      [expense("REV-1", 3), "crm", { outcome: "not_owner", owner: "erp" }],
    ] as const) {
      sent.length = 0;
      expect(await put(store, record, clientId)).toEqual(outcome);
      expect(sent).toEqual(["PutItemCommand"]);
    }
  });

  it("keeps every revision a newer one replaces, answers older ones from them, and lists the history in order", async () => {
    const { store, sent } = countingStore();
    const pk = "expense#REV-2";
    expect(await put(store, expense("REV-2", 1))).toEqual({ outcome: "created" });
    sent.length = 0;
    expect(await put(store, expense("REV-2", 4))).toEqual({ outcome: "created" });
    // the failed put returns revision 1, which is kept, then replaced on the condition it is still there
    expect(sent).toEqual(["PutItemCommand", "PutItemCommand", "PutItemCommand"]);
    expect(await put(store, expense("REV-2", 7))).toEqual({ outcome: "created" });

    expect(await store.listRevisions(pk)).toEqual([1, 4, 7]);
    expect((await store.latestRevision(pk))?.rev).toBe(7);
    for (const rev of [1, 4, 7]) expect((await store.getRevision(pk, rev))?.record.revision).toBe(rev);
    for (const rev of [2, 8]) expect(await store.getRevision(pk, rev)).toBeUndefined();

    // older than the newest: a re-delivery of a kept one, its conflict, or stale
    expect(await put(store, expense("REV-2", 4))).toEqual({ outcome: "duplicate" });
    expect(await put(store, expense("REV-2", 4, "1.00"))).toEqual({ outcome: "conflict" });
    expect(await put(store, expense("REV-2", 5))).toEqual({ outcome: "stale" });
    expect(await store.listRevisions(pk)).toEqual([1, 4, 7]);

    expect(await store.listRevisions("expense#REV-NONE")).toEqual([]);
    expect(await store.latestRevision("expense#REV-NONE")).toBeUndefined();
  });

  it("stores each of many concurrent revisions exactly once and ends on the newest, never replacing a newer one", async () => {
    const store = new RecordsStore(db.clients.doc, db.names);
    const pk = "expense#REV-RACE";
    // every revision delivered three times at once, in shuffled order
    const deliveries = [1, 2, 3, 4, 5, 6, 7, 8].flatMap((rev) => [rev, rev, rev]);
    deliveries.sort(() => Math.random() - 0.5);
    const outcomes = await Promise.all(deliveries.map((rev) => put(store, expense("REV-RACE", rev))));
    // at most one delivery of each revision stored it; the others were duplicates or stale
    const created = deliveries.filter((_, i) => outcomes[i]?.outcome === "created");
    expect(new Set(created).size).toBe(created.length);
    expect(created).toContain(8);
    for (const o of outcomes) expect(["created", "duplicate", "stale"]).toContain(o.outcome);
    expect((await store.latestRevision(pk))?.rev).toBe(8);
    // the history is what was stored, ascending, each kept before it was replaced
    const history = await store.listRevisions(pk);
    expect(history).toEqual([...created].sort((a, b) => a - b));
    for (const rev of history) expect((await store.getRevision(pk, rev))?.rev).toBe(rev);
  });

  it("names the newest revision stored after a given one, its reads batched with the heads asked for in the same turn", async () => {
    const { store, sent } = countingStore();
    const pk = "expense#REV-NEWER";
    for (const rev of [2, 5, 9]) await put(store, expense("REV-NEWER", rev));
    await put(store, expense("REV-NEWER-2", 40));
    await store.claimHead("expense#REV-NEWER-2", 40, null, "2026-03-01T10:00:00.000Z");
    sent.length = 0;
    const [a, b, c, d, e, head, none] = await Promise.all([
      store.newestAfter(pk, 1),
      store.newestAfter(pk, 8),
      store.newestAfter(pk, 9),
      store.newestAfter(pk, 12),
      store.newestAfter("expense#REV-NONE", 1),
      store.getHead("expense#REV-NEWER-2"),
      store.getHead(pk),
    ]);
    expect([a, b, c, d, e]).toEqual([9, 9, undefined, undefined, undefined]);
    expect(head?.latest).toBe(40);
    expect(none).toBeUndefined();
    // one request over both tables
    expect(sent).toEqual(["BatchGetItemCommand"]);
  });
});
