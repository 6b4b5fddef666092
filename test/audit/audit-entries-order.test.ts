/**
 * GET /v1/audit/entries lists oldest first by the entries' own time, even where a chain's append
 * order is not time order: the records stream's consumer and the violations stream's consumer
 * append to the same chains at their own pace, so a chain can hold 10:05 before 10:01. Here the
 * disorder is made on purpose, block by block, and the list (and its cursor walk, and `from`/`to`)
 * must still come out in time order, each entry once.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditContent } from "../../functions/core/audit-chain.ts";
import { type AuditEntryItem, listAuditEntries } from "../../functions/service/audit-entries.ts";
import { AuditLogStore, chainOf } from "../../functions/store/audit-log.ts";
import { countingClients, useTables } from "../support/dynamodb.ts";

const db = useTables();
const KEY = "order-cursor-key";
let store: AuditLogStore;

/** Two subjects on one chain, and one on another. */
function subjectsOnChains(): { a: string; b: string; other: string } {
  const a = "record:expense#ORD-0";
  let b = "";
  let other = "";
  for (let i = 1; (b === "" || other === "") && i < 10_000; i++) {
    const s = `record:expense#ORD-${i}`;
    if (b === "" && chainOf(s) === chainOf(a)) b = s;
    if (other === "" && chainOf(s) !== chainOf(a)) other = s;
  }
  return { a, b, other };
}

const entry = (subject: string, minute: number, rev: number): AuditContent => ({
  subject,
  kind: "record.revision",
  at: `2026-03-02T10:${String(minute).padStart(2, "0")}:00.000Z`,
  rev,
  actor: "client:erp",
});

async function append(contents: readonly AuditContent[]): Promise<void> {
  const chain = chainOf(contents[0]?.subject as string);
  await store.appendToChain(
    chain,
    contents.map((content) => ({ eventKey: `${content.subject}@${content.rev}`, content })),
    () => new Date("2026-03-02T12:00:00Z"),
  );
}

async function walk(query: Parameters<typeof listAuditEntries>[1]): Promise<AuditEntryItem[]> {
  const all: AuditEntryItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAuditEntries(store, query, KEY, cursor);
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

const minutes = (items: readonly AuditEntryItem[]) => items.map((e) => Number(e.at.slice(14, 16)));

beforeAll(async () => {
  store = new AuditLogStore(db.clients.doc, db.names);
  const { a, b, other } = subjectsOnChains();
  // one chain, appended out of time order: block 1 holds 10:05 and 10:09, block 2 holds 10:01,
  // block 3 holds 10:07 and 10:02; the other chain holds 10:03, 10:06 and 10:08
  await append([entry(a, 5, 1), entry(a, 9, 2)]);
  await append([entry(b, 1, 1)]);
  await append([entry(b, 7, 2), entry(b, 2, 3)]);
  await append([entry(other, 3, 1), entry(other, 6, 2)]);
  await append([entry(other, 8, 3)]);
});

describe("audit entries in time order", () => {
  it("lists a chain appended out of order oldest first, merged with the other chains", async () => {
    const page = await listAuditEntries(store, {}, KEY);
    expect(minutes(page.items)).toEqual([1, 2, 3, 5, 6, 7, 8, 9]);
    expect(page.nextCursor).toBeNull();
  });

  it("reads the blocks it opens several at a time (the next block of every chain together), never one by one", async () => {
    const { doc, sent } = countingClients(db.endpoint);
    const page = await listAuditEntries(new AuditLogStore(doc, db.names), {}, KEY);
    expect(minutes(page.items)).toEqual([1, 2, 3, 5, 6, 7, 8, 9]);
    // five blocks over two chains: both chains' first blocks in one BatchGetItem, and so on
    expect(sent.filter((c) => c === "GetItemCommand")).toEqual([]);
    const batches = sent.filter((c) => c === "BatchGetItemCommand").length;
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(5);
  });

  it("walks the same order page by page, each entry once, for every page size", async () => {
    for (const limit of [1, 2, 3, 5]) {
      const all = await walk({ limit });
      expect(minutes(all), `limit ${limit}`).toEqual([1, 2, 3, 5, 6, 7, 8, 9]);
      expect(new Set(all.map((e) => `${e.chain}/${e.seq}`)).size).toBe(8);
    }
  });

  it("bounds by from and to on the entries' time, inclusive, in order", async () => {
    const window = await walk({ from: "2026-03-02T10:02:00.000Z", to: "2026-03-02T10:07:00.000Z", limit: 2 });
    expect(minutes(window)).toEqual([2, 3, 5, 6, 7]);
  });

  it("lists one subject's entries in time order, whatever their append order", async () => {
    const { b } = subjectsOnChains();
    const one = await walk({ subject: `expense/${b.slice("record:expense#".length)}`, limit: 1 });
    expect(one.map((e) => [e.rev, Number(e.at.slice(14, 16))])).toEqual([
      [1, 1],
      [3, 2],
      [2, 7],
    ]);
  });

  it("lists an entry appended after a page was served on a later page when it is newer", async () => {
    const { other } = subjectsOnChains();
    const first = await listAuditEntries(store, { limit: 8 }, KEY);
    expect(first.nextCursor).toBeNull();
    const partial = await listAuditEntries(store, { limit: 7 }, KEY);
    expect(minutes(partial.items)).toEqual([1, 2, 3, 5, 6, 7, 8]);
    await append([entry(other, 10, 4)]);
    const rest = await listAuditEntries(store, { limit: 7 }, KEY, partial.nextCursor as string);
    expect(minutes(rest.items)).toEqual([9, 10]);
  });
});
