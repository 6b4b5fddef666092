/**
 * The audit trail on DynamoDB Local: revisions and violation changes are appended by the real
 * audit handler from the real streams (stream pollers, as Lambda's event source mappings); then
 * items are tampered with DIRECTLY in DynamoDB and each tampering is detected and named, by the
 * HTTP route and the CLI; the untouched log verifies. Entries live in blocks (one item per
 * stream batch and chain), so an entry is tampered with inside its block. Redelivery appends once;
 * concurrent appends to one chain all land with contiguous seqs.
 */
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditVerifyCommand } from "../../functions/cli/audit.ts";
import { entryHash } from "../../functions/core/audit-chain.ts";
import { createAuditTrailConsumer } from "../../functions/handlers/audit-trail-consumer.ts";
import { createAuditorHandler } from "../../functions/handlers/auditor.ts";
import { startStreamPoller } from "../../functions/local/stream-poller.ts";
import { attachAudit, auditTrailOf } from "../../functions/runtime/audit-runtime.ts";
import type { Runtime } from "../../functions/runtime/runtime.ts";
import {
  type AuditDeps,
  appendAudit,
  auditEntryForViolationChange,
  writeDigest,
} from "../../functions/service/audit.ts";
import { type AuditEntryItem, listAuditEntries } from "../../functions/service/audit-entries.ts";
import { entriesOfItem, packEntries } from "../../functions/store/audit-blocks.ts";
import { AUDIT_CHAINS, AuditLogStore, chainKey, chainOf } from "../../functions/store/audit-log.ts";
import { auditSources } from "../../functions/store/audit-sources.ts";
import { auditVerifySchema } from "../../schemas/api-responses.ts";
import { countingClients, useTables } from "../support/dynamodb.ts";
import { auditorGet, lambdaContext } from "../support/events.ts";
import { expectMatchesOpenApi } from "../support/openapi.ts";
import { expense, overBudget } from "../support/records.ts";
import { storeAndEvaluate, TestClock, testRuntime } from "../support/runtime.ts";

const KEY = "test-audit-key";
const db = useTables();
const clock = new TestClock("2026-03-02T00:00:00Z");
let rt: Runtime;
let audit: AuditDeps;
const received: DynamoDBStreamEvent[] = [];
let pollers: Awaited<ReturnType<typeof startStreamPoller>>[] = [];
const dynamodb = () => db.clients.dynamodb;

beforeAll(async () => {
  rt = testRuntime(db.endpoint, db.names, clock);
  audit = attachAudit(rt, {
    store: new AuditLogStore(rt.dynamodb.doc, db.names),
    key: async () => KEY,
    now: clock.now,
    sources: auditSources(rt.dynamodb.doc, db.names),
    // this file writes its digests itself, on a test clock that moves a minute per record
    digestEveryMs: 24 * 3600_000,
  });
  const handler = createAuditTrailConsumer(() => auditTrailOf(rt));
  const recording = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    received.push(structuredClone(event));
    return handler(event);
  };
  pollers = await Promise.all(
    [db.names.records, db.names.violations].map((tableName) =>
      startStreamPoller({
        streams: db.clients.streams,
        dynamodb: db.clients.dynamodb,
        tableName,
        handler: recording,
        pollIntervalMs: 50,
      }),
    ),
  );
});
afterAll(async () => {
  for (const p of pollers) await p.stop();
});

async function judge(input: unknown) {
  await storeAndEvaluate(rt.platform, input);
  clock.advance(60_000);
}

async function drained() {
  for (const p of pollers) await p.drained();
}

/** GET /v1/audit/verify through the auditors' function, as the machine reader. */
async function verifyBody() {
  const result = await createAuditorHandler(() => rt)(auditorGet("/v1/audit/verify"), lambdaContext);
  expect(result.statusCode).toBe(200);
  const body = JSON.parse(result.body as string);
  expect(auditVerifySchema.safeParse(body).success).toBe(true);
  expectMatchesOpenApi("GET", "/v1/audit/verify", 200, result.body as string);
  return body;
}

// ---- direct item access (the tampering) -------------------------------------------------------

type Item = Record<string, never>;
const blockKey = (chain: number, block: number) => ({
  chain: { S: chainKey(chain) },
  seq: { N: String(block) },
});

/** Every block item of a chain, oldest first. */
async function blocksOf(chain: number): Promise<Item[]> {
  const out = await dynamodb().send(
    new QueryCommand({
      TableName: db.names.auditLog,
      KeyConditionExpression: "chain = :c",
      ExpressionAttributeValues: { ":c": { S: chainKey(chain) } },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as Item[];
}

/** The block holding entry `seq` of a chain, and the entry's index in it. */
async function blockOf(chain: number, seq: number): Promise<{ item: Item; index: number }> {
  for (const item of await blocksOf(chain)) {
    const index = entriesOfItem(unmarshall(item)).findIndex((e) => e.seq === seq);
    if (index >= 0) return { item, index };
  }
  throw new Error(`no entry ${chain}/${seq}`);
}

/** Entry `seq` of a chain as stored: { seq, content, prevHash, hash }. */
async function getEntry(chain: number, seq: number) {
  const { item, index } = await blockOf(chain, seq);
  return entriesOfItem(unmarshall(item))[index] as {
    seq: number;
    content: Record<string, unknown>;
    prevHash: string;
    hash: string;
  };
}

async function putRaw(item: Record<string, unknown>) {
  await dynamodb().send(new PutItemCommand({ TableName: db.names.auditLog, Item: item as never }));
}

/** Rewrites the block holding entry `seq` with `edit` applied to its entries. */
async function editBlock(
  chain: number,
  seq: number,
  edit: (entries: Record<string, unknown>[], index: number) => Record<string, unknown>[],
) {
  const { item, index } = await blockOf(chain, seq);
  const b = unmarshall(item);
  const entries = edit([...entriesOfItem(b)] as unknown as Record<string, unknown>[], index);
  // written back packed, as the trail writes blocks
  expect(b.entriesGz).toBeInstanceOf(Uint8Array);
  await putRaw(marshall({ ...b, entriesGz: packEntries(entries as never) }, { removeUndefinedValues: true }));
}

async function deleteEntry(chain: number, seq: number) {
  await editBlock(chain, seq, (entries, i) => entries.filter((_, j) => j !== i));
}

/** Runs `tamper`, expects verification to name `bad`, puts the saved blocks back, expects ok again. */
async function expectDetected(
  entries: readonly [number, number][],
  tamper: () => Promise<void>,
  bad: { chain: number | string; seq: number; kind: string },
  cleanup: () => Promise<void> = async () => {},
) {
  const saved = await Promise.all(entries.map(async ([c, s]) => (await blockOf(c, s)).item));
  await tamper();
  try {
    const body = await verifyBody();
    expect(body.ok).toBe(false);
    expect(body.firstBad).toMatchObject(bad);
  } finally {
    await cleanup();
    for (const item of saved) await putRaw(item);
  }
  expect((await verifyBody()).ok).toBe(true);
}

/** A chain with at least 3 entries, and its length. */
async function busyChain(): Promise<{ chain: number; last: number }> {
  for (let n = 0; n < AUDIT_CHAINS; n++) {
    const head = await audit.store.head(n);
    if (head && head.lastSeq >= 3) return { chain: n, last: head.lastSeq };
  }
  throw new Error("no chain with 3 entries");
}

// ---- the tests --------------------------------------------------------------------------------

describe("audit trail on DynamoDB Local", () => {
  let appended = 0;

  it("appends every stored revision and every violation status change from the streams", async () => {
    for (let i = 0; i < 12; i++) {
      await judge(overBudget(`AUD-${i}`, 1)); // revision + violation opened
      await judge(overBudget(`AUD-${i}`, 2, 13000)); // revision; still open: no violation entry
      if (i % 2 === 0) await judge(expense(`AUD-${i}`, 3)); // revision + violation resolved
    }
    await drained();
    appended = 12 * 2 + 6 + 12 + 6;
    const body = await verifyBody();
    expect(body).toMatchObject({ ok: true, entries: appended, chains: AUDIT_CHAINS });
    const digest = await writeDigest(audit);
    expect(digest).toMatchObject({ written: true, seq: 1, entries: appended });
    expect(await writeDigest(audit)).toEqual({ written: false, reason: "unchanged" });
    expect(await verifyBody()).toMatchObject({ ok: true, entries: appended, digests: 1 });

    // the entries say what happened, in order within one subject's chain
    const subject = "record:expense#AUD-0";
    const read = await audit.store.readChain(chainOf(subject));
    const revisions = read.entries
      .filter((e) => (e.content as { subject: string }).subject === subject)
      .sort((a, b) => a.seq - b.seq)
      .map((e) => (e.content as { rev: number }).rev);
    expect(revisions).toEqual([1, 2, 3]);
  });

  it("appends a redelivered stream record once", async () => {
    const handler = createAuditTrailConsumer(() => auditTrailOf(rt));
    expect(received.length).toBeGreaterThan(0);
    for (const event of received)
      expect(await handler(structuredClone(event))).toEqual({ batchItemFailures: [] });
    expect(await verifyBody()).toMatchObject({ ok: true, entries: appended });
  });

  it("lists the trail oldest first, page by page with a signed cursor, by subject, actor and time (listAuditEntries)", async () => {
    const all: AuditEntryItem[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listAuditEntries(audit.store, { limit: 7 }, "cursor-key", cursor);
      expect(page.items.length).toBeLessThanOrEqual(7);
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(appended / 7));
    expect(all).toHaveLength(appended);
    expect(new Set(all.map((e) => `${e.chain}/${e.seq}`)).size).toBe(appended);
    expect(all.map((e) => e.at)).toEqual(all.map((e) => e.at).sort());
    for (const e of all) {
      expect(typeof e.actor).toBe("string");
      expect(e.kind).toMatch(/^(record\.revision|violation\.\w+)$/);
    }
    expect(all.filter((e) => e.kind === "record.revision").every((e) => e.actor === "client:erp")).toBe(true);

    // one record's entries, in order
    const record = await listAuditEntries(audit.store, { subject: "expense/AUD-0" }, "cursor-key");
    expect(record.items.map((e) => [e.subject, e.rev])).toEqual([
      ["expense/AUD-0", 1],
      ["expense/AUD-0", 2],
      ["expense/AUD-0", 3],
    ]);
    expect(record.nextCursor).toBeNull();
    // one violation's: opened, then resolved by the system
    const violationId = all.find((e) => e.kind === "violation.resolved")?.subject as string;
    const violation = await listAuditEntries(audit.store, { subject: violationId }, "cursor-key");
    expect(violation.items.map((e) => [e.kind, e.actor, e.history])).toEqual([
      ["violation.open", "system", 1],
      ["violation.resolved", "system", 2],
    ]);
    // by actor, and a time window
    const bySystem = await listAuditEntries(audit.store, { actor: "system", limit: 500 }, "cursor-key");
    expect(bySystem.items).toHaveLength(all.filter((e) => e.actor === "system").length);
    const middle = all[Math.floor(all.length / 2)] as AuditEntryItem;
    const window = await listAuditEntries(
      audit.store,
      { from: middle.at, to: middle.at, limit: 500 },
      "cursor-key",
    );
    expect(window.items.map((e) => `${e.chain}/${e.seq}`)).toEqual(
      all.filter((e) => e.at === middle.at).map((e) => `${e.chain}/${e.seq}`),
    );
    const later = await listAuditEntries(audit.store, { from: middle.at, limit: 500 }, "cursor-key");
    expect(later.items).toHaveLength(all.filter((e) => e.at >= middle.at).length);

    // a cursor belongs to its query and cannot be edited
    const first = await listAuditEntries(audit.store, { limit: 2 }, "cursor-key");
    await expect(
      listAuditEntries(audit.store, { limit: 2, actor: "system" }, "cursor-key", first.nextCursor as string),
    ).rejects.toMatchObject({ code: "invalid_cursor" });
    await expect(
      listAuditEntries(audit.store, { limit: 2 }, "cursor-key", `x${first.nextCursor}`),
    ).rejects.toMatchObject({ code: "invalid_cursor" });
  });

  it("ignores violation writes that change neither status nor history", () => {
    const v = {
      id: "v1",
      status: "open",
      history: [{ status: "open", at: "t", by: "system", reason: null }],
    };
    const before = v as never;
    const after = { ...v, evidence: { amount: 2 } } as never;
    expect(auditEntryForViolationChange(before, after)).toBeUndefined();
  });

  it("detects an entry whose content was changed (in its block): modified", async () => {
    const { chain } = await busyChain();
    await expectDetected(
      [[chain, 2]],
      () =>
        editBlock(chain, 2, (entries, i) =>
          entries.map((e, j) =>
            j === i ? { ...e, content: { ...(e.content as object), at: "2020-01-01T00:00:00.000Z" } } : e,
          ),
        ),
      { chain, seq: 2, kind: "modified" },
    );
  });

  it("detects an entry rewritten with a recomputed hash (in its block): modified", async () => {
    const { chain } = await busyChain();
    const entry = await getEntry(chain, 2);
    const forged = { ...entry.content, at: "2020-01-01T00:00:00.000Z" };
    await expectDetected(
      [[chain, 2]],
      () =>
        editBlock(chain, 2, (entries, i) =>
          entries.map((e, j) =>
            j === i ? { ...e, content: forged, hash: entryHash(entry.prevHash, forged) } : e,
          ),
        ),
      { chain, seq: 2, kind: "modified" },
    );
  });

  it("detects a deleted entry (taken out of its block): missing", async () => {
    const { chain, last } = await busyChain();
    await expectDetected([[chain, 2]], () => deleteEntry(chain, 2), { chain, seq: 2, kind: "missing" });
    await expectDetected([[chain, last]], () => deleteEntry(chain, last), {
      chain,
      seq: last,
      kind: "missing",
    });
  });

  it("detects a deleted block (DeleteItem): missing", async () => {
    const { chain } = await busyChain();
    const { item } = await blockOf(chain, 1);
    const first = entriesOfItem(unmarshall(item))[0]?.seq as number;
    await expectDetected(
      [[chain, 1]],
      async () => {
        await dynamodb().send(
          new DeleteItemCommand({ TableName: db.names.auditLog, Key: blockKey(chain, unmarshall(item).seq) }),
        );
      },
      { chain, seq: first, kind: "missing" },
    );
  });

  it("detects an extra entry (in a block), even one that links and hashes right: inserted", async () => {
    const { chain, last } = await busyChain();
    const before = await getEntry(chain, 2);
    const forged = {
      subject: before.content.subject,
      kind: "record.revision",
      at: "2026-03-02T00:00:00Z",
      rev: 9,
    };
    const extra = (seq: number, prevHash: string) => ({
      seq,
      content: forged,
      prevHash,
      hash: entryHash(prevHash, forged),
    });
    // between two entries (a fractional seq)
    await expectDetected(
      [[chain, 2]],
      () =>
        editBlock(chain, 2, (entries, i) => [
          ...entries.slice(0, i + 1),
          extra(2.5, before.hash),
          ...entries.slice(i + 1),
        ]),
      { chain, seq: 2.5, kind: "inserted" },
    );
    // after the last one
    const lastEntry = await getEntry(chain, last);
    await expectDetected(
      [[chain, last]],
      () => editBlock(chain, last, (entries) => [...entries, extra(last + 1, lastEntry.hash)]),
      {
        chain,
        seq: last + 1,
        kind: "inserted",
      },
    );
  });

  it("detects a block forged at a chain's end, linked and hashed right: inserted (no stored revision has it)", async () => {
    // (the old layout refused to append over an entry its head did not know; blocks keep no head:
    // a forged tail is named because no stored revision or violation change matches it)
    const { chain, last } = await busyChain();
    const lastEntry = await getEntry(chain, last);
    const blocks = await blocksOf(chain);
    const tail = unmarshall(blocks.at(-1) as Item);
    let subject = "record:expense#FORGED-0";
    for (let i = 1; chainOf(subject) !== chain; i++) subject = `record:expense#FORGED-${i}`;
    const forged = { subject, kind: "record.revision", at: tail.srcMax, rev: 1, actor: "client:erp" };
    const block = {
      chain: chainKey(chain),
      seq: tail.seq + 1,
      at: tail.at,
      srcMax: tail.srcMax,
      entries: [
        { seq: last + 1, content: forged, prevHash: lastEntry.hash, hash: entryHash(lastEntry.hash, forged) },
      ],
    };
    await putRaw(marshall(block));
    try {
      const body = await verifyBody();
      expect(body.ok).toBe(false);
      expect(body.firstBad).toMatchObject({ chain, seq: last + 1, kind: "inserted" });
    } finally {
      await dynamodb().send(
        new DeleteItemCommand({ TableName: db.names.auditLog, Key: blockKey(chain, block.seq) }),
      );
    }
    expect((await verifyBody()).ok).toBe(true);
  });

  it("detects two entries whose places were swapped: reordered", async () => {
    const { chain } = await busyChain();
    const a = await getEntry(chain, 2);
    const b = await getEntry(chain, 3);
    const place = (seq: number, e: Record<string, unknown>) => () =>
      editBlock(chain, seq, (entries, i) => entries.map((x, j) => (j === i ? { ...e, seq } : x)));
    await expectDetected(
      [
        [chain, 2],
        [chain, 3],
      ],
      async () => {
        await place(2, b)();
        await place(3, a)();
      },
      { chain, seq: 2, kind: "reordered" },
    );
  });

  it("detects a rewrite of a chain's last entry with a recomputed hash, by the digest: digest_mismatch", async () => {
    const { chain, last } = await busyChain();
    const entry = await getEntry(chain, last);
    const forged = { ...entry.content, at: "2020-01-01T00:00:00.000Z" };
    const hash = entryHash(entry.prevHash, forged);
    await expectDetected(
      [[chain, last]],
      () =>
        editBlock(chain, last, (entries, i) =>
          entries.map((e, j) => (j === i ? { ...e, content: forged, hash } : e)),
        ),
      { chain, seq: last, kind: "digest_mismatch" },
    );
  });

  it("detects a forged digest: signature_invalid", async () => {
    const key = { stream: { S: "digest" }, seq: { N: "1" } };
    const out = await dynamodb().send(new GetItemCommand({ TableName: db.names.auditDigests, Key: key }));
    const saved = out.Item as NonNullable<typeof out.Item>;
    await dynamodb().send(
      new UpdateItemCommand({
        TableName: db.names.auditDigests,
        Key: key,
        UpdateExpression: "SET signature = :s",
        ExpressionAttributeValues: { ":s": { S: "00".repeat(32) } },
      }),
    );
    const body = await verifyBody();
    expect(body.firstBad).toMatchObject({ chain: "digests", seq: 1, kind: "signature_invalid" });
    await dynamodb().send(new PutItemCommand({ TableName: db.names.auditDigests, Item: saved }));
    expect((await verifyBody()).ok).toBe(true);
  });

  it("answers the CLI: exit 0 intact, 1 with the first bad entry named", async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const env = { COMPLIANCE_AUDIT_KEY: KEY, COMPLIANCE_DIGEST_INTERVAL_S: String(24 * 3600) };
    const opts = { json: false, endpoint: db.endpoint, prefix: db.prefix };
    expect(await auditVerifyCommand(opts, io, env)).toBe(0);
    expect(lines.join("\n")).toMatch(
      new RegExp(`^ok: ${appended} audit entries in ${AUDIT_CHAINS} chains`, "m"),
    );
    expect(lines.join("\n")).toMatch(/stored revisions and violation changes: 0 missing, 0 pending/);

    const { chain } = await busyChain();
    const saved = (await blockOf(chain, 2)).item;
    await deleteEntry(chain, 2);
    lines.length = 0;
    expect(await auditVerifyCommand(opts, io, env)).toBe(1);
    expect(lines.join("\n")).toContain(`chain ${chain} seq 2: missing`);
    lines.length = 0;
    expect(await auditVerifyCommand({ ...opts, json: true }, io, env)).toBe(1);
    expect(JSON.parse(lines.join("\n")).firstBad).toMatchObject({ chain, seq: 2, kind: "missing" });
    await putRaw(saved);
    lines.length = 0;
    expect(await auditVerifyCommand(opts, io, { ...env, COMPLIANCE_AUDIT_KEY: "not-the-key" })).toBe(1);
    expect(lines.join("\n")).toContain("digest seq 1: signature_invalid");
  });

  it("appends one batch's entries for a chain as one block (one PutItem, no transaction), once per event key", async () => {
    const target = 9;
    const subjects: string[] = [];
    for (let i = 0; subjects.length < 40; i++)
      if (chainOf(`group:s-${i}`) === target) subjects.push(`group:s-${i}`);
    const { doc, dynamodb, sent } = countingClients(db.endpoint);
    const store = new AuditLogStore(doc, db.names);
    const before = (await store.head(target))?.lastSeq ?? 0;
    const entry = (subject: string, i: number) => ({
      eventKey: `group-${i}`,
      content: { subject, kind: "test", at: "2026-03-02T00:00:00Z", i, key: `group-${i}` },
    });
    // the first event twice in the same batch: it is appended once
    const outcome = await store.appendToChain(
      target,
      [...subjects.map(entry), entry(subjects[0] as string, 0)],
      clock.now,
    );
    expect(outcome).toMatchObject({
      appended: subjects.length,
      duplicates: 1,
      blocks: 1,
      lastSeq: before + subjects.length,
    });
    expect(sent.filter((c) => c === "PutCommand" || c === "PutItemCommand")).toHaveLength(1);
    expect(sent.filter((c) => c.startsWith("Transact"))).toEqual([]);
    // in call order
    const read = await store.readChain(target);
    expect(read.entries.slice(-subjects.length).map((e) => (e.content as { i: number }).i)).toEqual(
      subjects.map((_, i) => i),
    );
    // the same batch again (a redelivery): nothing appended, nothing written
    sent.length = 0;
    expect(await store.appendToChain(target, subjects.map(entry), clock.now)).toMatchObject({
      appended: 0,
      duplicates: subjects.length,
      blocks: 0,
    });
    expect(sent.filter((c) => c.startsWith("Put"))).toEqual([]);
    dynamodb.destroy();
    appended += subjects.length;
    const body = await verifyBody();
    expect(body.firstBad).toBeUndefined();
    expect(body).toMatchObject({ ok: true, entries: appended });
  });

  it("lands concurrent appends to one chain, from separate writers, with contiguous seqs", async () => {
    const target = 5;
    const subjects: string[] = [];
    for (let i = 0; subjects.length < 24; i++)
      if (chainOf(`test:subject-${i}`) === target) subjects.push(`test:subject-${i}`);
    const before = (await audit.store.head(target))?.lastSeq ?? 0;
    const outcomes = await Promise.all(
      subjects.map((subject, i) =>
        appendAudit(
          // a store per writer, as in separate Lambda containers
          { store: new AuditLogStore(rt.dynamodb.doc, db.names), now: clock.now },
          {
            eventKey: `concurrent-${i}`,
            content: { subject, kind: "test", at: "2026-03-02T00:00:00Z", i, key: `concurrent-${i}` },
          },
        ),
      ),
    );
    expect(outcomes.map((o) => o.appended)).toEqual(subjects.map(() => 1));
    expect(outcomes.map((o) => o.lastSeq).sort((a, b) => a - b)).toEqual(
      subjects.map((_, i) => before + i + 1),
    );
    expect(outcomes.some((o) => o.attempts > 1)).toBe(true);
    const read = await audit.store.readChain(target);
    expect(read.entries.at(-1)?.seq).toBe(before + subjects.length);
    expect(await verifyBody()).toMatchObject({ ok: true, entries: appended + subjects.length });
  });
});
