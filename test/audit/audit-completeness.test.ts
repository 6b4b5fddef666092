/**
 * Completeness of the audit trail on DynamoDB Local (issue 11 item 1): verify proves that every
 * stored revision and every violation change has its entry (or is pending), that digests sealed
 * every entry in time, and holds the digests anchored outside the tables (a digest file here) up
 * against the table. Each tampering the security review found (every item of both audit tables
 * deleted; only the newest digest deleted) answers ok:false naming what is missing — the old code
 * answered ok:true to both. The audit handler is fed stream events built from the tables, so each
 * test decides what the consumer has reached, and redelivery can take every shape Lambda gives it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { createAuditTrailConsumer } from "../../functions/handlers/audit-trail-consumer.ts";
import { attachAudit, auditTrailOf } from "../../functions/runtime/audit-runtime.ts";
import type { Runtime } from "../../functions/runtime/runtime.ts";
import { type AuditDeps, verifyAudit, writeDigest } from "../../functions/service/audit.ts";
import { ANCHOR_FILE, fileAnchor } from "../../functions/store/audit-anchor.ts";
import { AUDIT_CHAINS, AuditLogStore, chainKey, chainOf } from "../../functions/store/audit-log.ts";
import { auditSources } from "../../functions/store/audit-sources.ts";
import { useTables } from "../support/dynamodb.ts";
import { expense, overBudget } from "../support/records.ts";
import { storeAndEvaluate, TestClock, testRuntime } from "../support/runtime.ts";

const KEY = "test-audit-key";
const EVERY_MS = 300_000;
const db = useTables();
const clock = new TestClock("2026-03-02T00:00:00Z");
const anchorDir = mkdtempSync(join(tmpdir(), "audit-anchor-"));
let rt: Runtime;
let audit: AuditDeps;
let sequence = 0;
const dynamodb = () => db.clients.dynamodb;

beforeAll(() => {
  rt = testRuntime(db.endpoint, db.names, clock);
  audit = attachAudit(rt, {
    store: new AuditLogStore(rt.dynamodb.doc, db.names),
    key: async () => KEY,
    now: clock.now,
    anchor: fileAnchor(anchorDir),
    sources: auditSources(rt.dynamodb.doc, db.names),
    digestEveryMs: EVERY_MS,
  });
});

type Raw = Record<string, AttributeValue>;

async function scanAll(table: string): Promise<Raw[]> {
  const items: Raw[] = [];
  let start: Raw | undefined;
  do {
    const out = await dynamodb().send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...((out.Items ?? []) as Raw[]));
    start = out.LastEvaluatedKey as Raw | undefined;
  } while (start);
  return items;
}

/** Stream records as DynamoDB Streams would deliver them: revisions, and each violation as an INSERT. */
async function streamEvents(filter: (item: Record<string, unknown>) => boolean = () => true) {
  const events: DynamoDBRecord[] = [];
  const add = (table: string, keys: Raw, image: Raw) =>
    events.push({
      eventID: `e${++sequence}`,
      eventName: "INSERT",
      eventSourceARN: `arn:aws:dynamodb:ddblocal:000000000000:table/${table}/stream/2026-03-01T00:00:00.000`,
      dynamodb: { Keys: keys as never, NewImage: image as never, SequenceNumber: String(sequence) },
    });
  // every revision stored: those newer ones replaced, and each record's newest; each was a
  // records-stream event when it was stored
  for (const table of [db.names.recordRevisions, db.names.records])
    for (const item of await scanAll(table)) {
      const plain = unmarshall(item);
      if (filter(plain)) add(db.names.records, { pk: item.pk as AttributeValue }, item);
    }
  for (const item of await scanAll(db.names.violations)) {
    const plain = unmarshall(item);
    if (filter({ pk: `${plain.record.type}#${plain.record.id}` }))
      add(db.names.violations, { id: item.id as AttributeValue }, item);
  }
  return events;
}

async function feed(records: DynamoDBRecord[]) {
  const handler = createAuditTrailConsumer(() => auditTrailOf(rt));
  expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
}

async function judge(input: unknown) {
  await storeAndEvaluate(rt.platform, input);
  clock.advance(1_000);
}

async function blockCount(): Promise<number> {
  let n = 0;
  for (let c = 0; c < AUDIT_CHAINS; c++) {
    const out = await dynamodb().send(
      new QueryCommand({
        TableName: db.names.auditLog,
        KeyConditionExpression: "chain = :c",
        ExpressionAttributeValues: { ":c": { S: chainKey(c) } },
        Select: "COUNT",
      }),
    );
    n += out.Count ?? 0;
  }
  return n;
}

async function putAll(table: string, items: Raw[]) {
  for (let i = 0; i < items.length; i += 25)
    await dynamodb().send(
      new BatchWriteItemCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
}

async function deleteAll(table: string, keyNames: readonly string[]) {
  const items = await scanAll(table);
  for (const item of items)
    await dynamodb().send(
      new DeleteItemCommand({
        TableName: table,
        Key: Object.fromEntries(keyNames.map((k) => [k, item[k] as AttributeValue])),
      }),
    );
  return items;
}

describe("audit completeness, sealing and the anchor", () => {
  let events = 0;

  it("proves completeness: every stored revision and violation change has its entry", async () => {
    for (let i = 0; i < 6; i++) {
      await judge(overBudget(`CMP-${i}`, 1)); // revision + violation opened
      if (i % 2 === 0) await judge(expense(`CMP-${i}`, 2)); // revision + violation resolved
    }
    await feed(await streamEvents());
    events = 6 * 2 + 3 * 2;
    expect(await verifyAudit(audit)).toMatchObject({
      ok: true,
      entries: events,
      events,
      pending: 0,
      missing: 0,
    });
    expect(await writeDigest(audit)).toMatchObject({ written: true, seq: 1, entries: events });
    const answer = await verifyAudit(audit);
    expect(answer).toMatchObject({ ok: true, digests: 1, anchored: 1, anchor: join(anchorDir, ANCHOR_FILE) });
  });

  it("counts what the consumer has not reached yet as pending, not missing", async () => {
    await judge(overBudget("CMP-LATE", 1));
    const before = await verifyAudit(audit);
    expect(before).toMatchObject({ ok: true, events: events + 2, pending: 2, missing: 0 });
    await feed(await streamEvents((i) => i.pk === "expense#CMP-LATE"));
    events += 2;
    expect(await verifyAudit(audit)).toMatchObject({ ok: true, events, pending: 0, missing: 0 });
  });

  it("appends nothing twice, whatever shape a redelivery takes (again, bisected, from a failed record on)", async () => {
    const all = await streamEvents();
    const blocks = await blockCount();
    await feed(all); // the same batch again
    const half = Math.floor(all.length / 2);
    await feed(all.slice(half)); // bisect: the second half first, then the first
    await feed(all.slice(0, half));
    for (let from = 1; from < all.length; from += 5) await feed(all.slice(from, from + 7)); // overlapping retries
    expect(await blockCount()).toBe(blocks);
    expect(await verifyAudit(audit)).toMatchObject({ ok: true, entries: events, pending: 0, missing: 0 });
  });

  it("splits a chain's batch that would pass DynamoDB's 400 KB into several blocks", async () => {
    const store = new AuditLogStore(rt.dynamodb.doc, db.names);
    const big = Array.from({ length: 1200 }, (_, i) => ({
      eventKey: `bulk-${i}`,
      content: {
        subject: "test:bulk",
        kind: "test",
        at: clock.now().toISOString(),
        key: `bulk-${i}`,
        pad: "x".repeat(400),
      },
    }));
    const outcome = await store.appendToChain(chainOf("test:bulk"), big, clock.now);
    expect(outcome.appended).toBe(1200);
    expect(outcome.blocks).toBeGreaterThanOrEqual(2);
    expect(await store.appendToChain(chainOf("test:bulk"), big, clock.now)).toMatchObject({
      appended: 0,
      duplicates: 1200,
      blocks: 0,
    });
    expect(await writeDigest(audit)).toMatchObject({ written: true, seq: 2 });
    expect(await verifyAudit(audit)).toMatchObject({ ok: true, entries: events + 1200 });
  });

  it("deleting every item of both audit tables is ok:false, naming what is missing (the anchor keeps the digests)", async () => {
    const log = await deleteAll(db.names.auditLog, ["chain", "seq"]);
    const digests = await deleteAll(db.names.auditDigests, ["stream", "seq"]);
    try {
      const answer = await verifyAudit(audit);
      expect(answer.ok).toBe(false);
      expect(answer).toMatchObject({ entries: 0, anchored: 2 });
      // every event lacks its entry; within the pending skew of the anchored progress (these are
      // seconds old) they may still count as pending, but the anchored digests prove the chains lost them
      expect((answer.missing ?? 0) + (answer.pending ?? 0)).toBe(events);
      // the anchored digests say which chains held what: the first chain's first entry is missing
      expect(answer.firstBad).toMatchObject({ seq: 1, kind: "missing" });
      expect(typeof answer.firstBad?.chain).toBe("number");
    } finally {
      await putAll(db.names.auditLog, log);
      await putAll(db.names.auditDigests, digests);
    }
    expect((await verifyAudit(audit)).ok).toBe(true);
  });

  it("deleting only the newest digest is ok:false, naming it (anchored outside the table)", async () => {
    const key = { stream: { S: "digest" }, seq: { N: "2" } };
    const saved = (await scanAll(db.names.auditDigests)).find((d) => d.seq?.N === "2") as Raw;
    await dynamodb().send(new DeleteItemCommand({ TableName: db.names.auditDigests, Key: key }));
    try {
      const answer = await verifyAudit(audit);
      expect(answer.ok).toBe(false);
      expect(answer.firstBad).toMatchObject({ chain: "digests", seq: 2, kind: "missing" });
    } finally {
      await putAll(db.names.auditDigests, [saved]);
    }
    expect((await verifyAudit(audit)).ok).toBe(true);
  });

  it("deleting the newest digest from the table and the local anchor too: named once its entries are older than two intervals", async () => {
    const file = join(anchorDir, ANCHOR_FILE);
    const anchored = readFileSync(file, "utf8");
    const saved = (await scanAll(db.names.auditDigests)).find((d) => d.seq?.N === "2") as Raw;
    await dynamodb().send(
      new DeleteItemCommand({
        TableName: db.names.auditDigests,
        Key: { stream: { S: "digest" }, seq: { N: "2" } },
      }),
    );
    writeFileSync(file, `${anchored.trim().split("\n").slice(0, 1).join("\n")}\n`);
    try {
      expect((await verifyAudit(audit)).ok).toBe(true); // within two intervals: not due yet
      clock.advance(2 * EVERY_MS + 1_000);
      const answer = await verifyAudit(audit);
      expect(answer.ok).toBe(false);
      expect(answer.firstBad).toMatchObject({ chain: "digests", seq: 2, kind: "missing", found: "none" });
    } finally {
      writeFileSync(file, anchored);
      await putAll(db.names.auditDigests, [saved]);
    }
    expect((await verifyAudit(audit)).ok).toBe(true);
  });

  it("expects a digest within two intervals of every entry; after downtime the next start's digest covers", async () => {
    await judge(overBudget("CMP-SEAL", 1));
    await feed(await streamEvents((i) => i.pk === "expense#CMP-SEAL"));
    events += 2;
    expect((await verifyAudit(audit)).ok).toBe(true);
    clock.advance(2 * EVERY_MS + 1_000); // the digester did not run: overdue
    const overdue = await verifyAudit(audit);
    expect(overdue.ok).toBe(false);
    expect(overdue.firstBad).toMatchObject({ chain: "digests", seq: 3, kind: "missing", found: "none" });
    // a late ordinary digest does not excuse it; the first digest of a start (after downtime) does
    expect(await writeDigest(audit)).toMatchObject({ written: true, seq: 3 });
    expect((await verifyAudit(audit)).firstBad).toMatchObject({ chain: "digests", seq: 3, kind: "missing" });

    await judge(overBudget("CMP-DOWN", 1));
    await feed(await streamEvents((i) => i.pk === "expense#CMP-DOWN"));
    events += 2;
    clock.advance(3 * 3600_000); // the platform was down for hours
    expect(await writeDigest(audit, { start: true })).toMatchObject({ written: true, seq: 4 });
    const after = await verifyAudit(audit);
    // digest 3 is still late for CMP-SEAL's entries; CMP-DOWN's are covered by the start digest
    expect(after.firstBad).toMatchObject({ chain: "digests", seq: 3 });
  });

  it("names an entry whose block was deleted before any digest sealed it, once the consumer has passed it", async () => {
    await judge(overBudget("CMP-GONE", 1));
    await feed(await streamEvents((i) => i.pk === "expense#CMP-GONE"));
    // the revision's block: the newest of its chain
    const subject = "record:expense#CMP-GONE";
    let found: { chain: number; block: number } | undefined;
    for (let c = 0; c < AUDIT_CHAINS && !found; c++)
      for await (const b of audit.store.blocks(c))
        if (b.entries.some((e) => (e.content as { subject: string }).subject === subject))
          found = { chain: c, block: b.block };
    if (!found) throw new Error("no block holds the revision");
    const saved = (
      await dynamodb().send(
        new QueryCommand({
          TableName: db.names.auditLog,
          KeyConditionExpression: "chain = :c AND seq = :s",
          ExpressionAttributeValues: { ":c": { S: chainKey(found.chain) }, ":s": { N: String(found.block) } },
        }),
      )
    ).Items?.[0] as Raw;
    await dynamodb().send(
      new DeleteItemCommand({
        TableName: db.names.auditLog,
        Key: { chain: { S: chainKey(found.chain) }, seq: { N: String(found.block) } },
      }),
    );
    try {
      // just deleted: as far as verify can tell, not reached yet
      const soon = await verifyAudit(audit);
      expect(soon.missing).toBe(0);
      expect(soon.pending).toBeGreaterThanOrEqual(1);
      // the consumer moves on well past it: now it is missing, and named
      clock.advance(20 * 60_000);
      await judge(overBudget("CMP-LATER", 1));
      await feed(await streamEvents((i) => i.pk === "expense#CMP-LATER"));
      const later = await verifyAudit(audit);
      expect(later.ok).toBe(false);
      expect(later.missing).toBeGreaterThanOrEqual(1);
      expect(later.firstMissing?.key).toBe(`${subject}@1`);
    } finally {
      await putAll(db.names.auditLog, [saved]);
    }
  });
});
