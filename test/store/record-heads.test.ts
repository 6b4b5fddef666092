/**
 * Record heads read together: the head reads asked for in one turn of the event loop go out as one
 * consistent BatchGetItem (functions/store/records.ts), each caller getting its own head.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { RecordsStore } from "../../functions/store/records.ts";
import { countingClients, useTables } from "../support/dynamodb.ts";

const db = useTables();

function countingStore() {
  const { doc, sent } = countingClients(db.endpoint);
  return { store: new RecordsStore(doc, db.names), sent, doc };
}

describe("record heads", () => {
  it("reads the heads asked for in one turn with one BatchGetItem, each caller its own, duplicates and absent ones included", async () => {
    const { store, sent, doc } = countingStore();
    for (let i = 0; i < 150; i += 2)
      await doc.send(
        new PutCommand({ TableName: db.names.recordHeads, Item: { pk: `expense#H-${i}`, latest: i } }),
      );
    sent.length = 0;
    const pks = [...Array.from({ length: 150 }, (_, i) => `expense#H-${i}`), "expense#H-4", "expense#H-5"];
    const heads = await Promise.all(pks.map((pk) => store.getHead(pk)));
    for (const [n, pk] of pks.entries()) {
      const i = Number(pk.slice("expense#H-".length));
      expect(heads[n]?.latest, pk).toBe(i % 2 === 0 ? i : undefined);
    }
    // 152 asks, 150 records: two requests of at most 100 keys
    expect(sent).toEqual(["BatchGetItemCommand", "BatchGetItemCommand"]);
  });

  it("reads the heads asked for by callbacks of the same event-loop phase with one BatchGetItem (answers that arrive together)", async () => {
    const { store, sent, doc } = countingStore();
    await doc.send(
      new PutCommand({ TableName: db.names.recordHeads, Item: { pk: "expense#H-T1", latest: 1 } }),
    );
    sent.length = 0;
    // three timer callbacks of one timers phase stand in for three answers read in one poll phase
    const heads = await Promise.all(
      ["expense#H-T1", "expense#H-T2", "expense#H-T3"].map(
        (pk) => new Promise((resolve) => setTimeout(() => resolve(store.getHead(pk)), 0)),
      ),
    );
    expect(heads.map((h) => (h as { latest?: number } | undefined)?.latest)).toEqual([
      1,
      undefined,
      undefined,
    ]);
    expect(sent).toEqual(["BatchGetItemCommand"]);
  });

  it("reads again on every ask: a head written after one read is seen by the next", async () => {
    const { store, doc } = countingStore();
    expect(await store.getHead("expense#H-NEW")).toBeUndefined();
    await doc.send(
      new PutCommand({ TableName: db.names.recordHeads, Item: { pk: "expense#H-NEW", latest: 3 } }),
    );
    expect((await store.getHead("expense#H-NEW"))?.latest).toBe(3);
  });
});
