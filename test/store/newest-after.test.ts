/**
 * The evaluator's check for a newer revision before it writes a record's first head
 * (RecordsStore.newestAfter, functions/store/records.ts): the newest revision stored after a given
 * one, answered without reading any revision's body.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { RecordsStore } from "../../functions/store/records.ts";
import { useTables } from "../support/dynamodb.ts";

const db = useTables();

describe("newest revision after another", () => {
  it("names the newest revision stored after the given one, and none when nothing newer is stored", async () => {
    const store = new RecordsStore(db.clients.doc, db.names.records, db.names.recordHeads);
    const pk = "expense#NEWER-1";
    // revisions need not be consecutive: 2, 5 and 9 stored
    for (const rev of [2, 5, 9])
      await db.clients.doc.send(
        new PutCommand({ TableName: db.names.records, Item: { pk, rev, bodyHash: `h${rev}` } }),
      );
    // another record's revisions are not this one's
    await db.clients.doc.send(
      new PutCommand({ TableName: db.names.records, Item: { pk: "expense#NEWER-2", rev: 40 } }),
    );
    expect(await store.newestAfter(pk, 1)).toBe(9);
    expect(await store.newestAfter(pk, 5)).toBe(9);
    expect(await store.newestAfter(pk, 8)).toBe(9);
    expect(await store.newestAfter(pk, 9)).toBeUndefined();
    expect(await store.newestAfter(pk, 12)).toBeUndefined();
    expect(await store.newestAfter("expense#NEWER-NONE", 1)).toBeUndefined();
  });
});
