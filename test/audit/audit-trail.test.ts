/**
 * The audit trail on DynamoDB Local: revisions and violation changes are appended by the real
 * audit handler from the real streams (stream pollers, as Lambda's event source mappings); then
 * items are tampered with DIRECTLY in DynamoDB and each tampering is detected and named, by the
 * HTTP route and the CLI; the untouched log verifies. Redelivery appends once; concurrent appends
 * to one chain all land with contiguous seqs.
 */
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditVerifyCommand } from "../../functions/cli/audit.ts";
import { entryHash } from "../../functions/core/audit-chain.ts";
import { createAuditHandler } from "../../functions/handlers/audit.ts";
import { auditVerifyRoute } from "../../functions/handlers/audit-verify.ts";
import { createClients } from "../../functions/local/aws-clients.ts";
import { startStreamPoller } from "../../functions/local/stream-poller.ts";
import { attachAudit } from "../../functions/runtime/audit-runtime.ts";
import type { Runtime } from "../../functions/runtime/runtime.ts";
import {
  type AuditDeps,
  appendAudit,
  auditEntryForViolationChange,
  writeDigest,
} from "../../functions/service/audit.ts";
import { AUDIT_CHAINS, AuditLogStore, chainKey, chainOf } from "../../functions/store/audit-log.ts";
import { auditVerifySchema } from "../../schemas/api.ts";
import { useTables } from "../support/dynamodb.ts";
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
    store: new AuditLogStore(rt.platform.records.doc, db.names),
    key: async () => KEY,
    now: clock.now,
  });
  const handler = createAuditHandler(() => rt);
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

async function verifyBody() {
  const result = await auditVerifyRoute(rt);
  expect(result.statusCode).toBe(200);
  const body = JSON.parse(result.body as string);
  expect(auditVerifySchema.safeParse(body).success).toBe(true);
  expectMatchesOpenApi("GET", "/v1/audit/verify", 200, result.body as string);
  return body;
}

// ---- direct item access (the tampering) -------------------------------------------------------

const entryKey = (chain: number, seq: number) => ({ chain: { S: chainKey(chain) }, seq: { N: String(seq) } });

async function getEntry(chain: number, seq: number) {
  const out = await dynamodb().send(
    new GetItemCommand({ TableName: db.names.auditLog, Key: entryKey(chain, seq), ConsistentRead: true }),
  );
  if (!out.Item) throw new Error(`no entry ${chain}/${seq}`);
  return out.Item;
}

async function putRaw(item: Record<string, unknown>) {
  await dynamodb().send(new PutItemCommand({ TableName: db.names.auditLog, Item: item as never }));
}

async function deleteEntry(chain: number, seq: number) {
  await dynamodb().send(new DeleteItemCommand({ TableName: db.names.auditLog, Key: entryKey(chain, seq) }));
}

/** Runs `tamper`, expects verification to name `bad`, puts the saved items back, expects ok again. */
async function expectDetected(
  items: readonly [number, number][],
  tamper: () => Promise<void>,
  bad: { chain: number | string; seq: number; kind: string },
  cleanup: () => Promise<void> = async () => {},
) {
  const saved = await Promise.all(items.map(([c, s]) => getEntry(c, s)));
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
    const handler = createAuditHandler(() => rt);
    expect(received.length).toBeGreaterThan(0);
    for (const event of received)
      expect(await handler(structuredClone(event))).toEqual({ batchItemFailures: [] });
    expect(await verifyBody()).toMatchObject({ ok: true, entries: appended });
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

  it("detects an entry whose content was changed (UpdateItem): modified", async () => {
    const { chain } = await busyChain();
    await expectDetected(
      [[chain, 2]],
      async () => {
        await dynamodb().send(
          new UpdateItemCommand({
            TableName: db.names.auditLog,
            Key: entryKey(chain, 2),
            UpdateExpression: "SET content.#at = :at",
            ExpressionAttributeNames: { "#at": "at" },
            ExpressionAttributeValues: { ":at": { S: "2020-01-01T00:00:00.000Z" } },
          }),
        );
      },
      { chain, seq: 2, kind: "modified" },
    );
  });

  it("detects an entry rewritten with a recomputed hash (UpdateItem): modified", async () => {
    const { chain } = await busyChain();
    const item = unmarshall(await getEntry(chain, 2));
    const forged = { ...item.content, at: "2020-01-01T00:00:00.000Z" };
    await expectDetected(
      [[chain, 2]],
      async () => {
        await putRaw(marshall({ ...item, content: forged, hash: entryHash(item.prevHash, forged) }));
      },
      { chain, seq: 2, kind: "modified" },
    );
  });

  it("detects a deleted entry (DeleteItem): missing", async () => {
    const { chain, last } = await busyChain();
    await expectDetected([[chain, 2]], () => deleteEntry(chain, 2), { chain, seq: 2, kind: "missing" });
    await expectDetected([[chain, last]], () => deleteEntry(chain, last), {
      chain,
      seq: last,
      kind: "missing",
    });
  });

  it("detects an extra entry (PutItem), even one that links and hashes right: inserted", async () => {
    const { chain, last } = await busyChain();
    const before = unmarshall(await getEntry(chain, 2));
    const forged = {
      subject: before.content.subject,
      kind: "record.revision",
      at: "2026-03-02T00:00:00Z",
      rev: 9,
    };
    const extra = (seq: number, prevHash: string) =>
      marshall({
        chain: chainKey(chain),
        seq,
        eventKey: "forged",
        content: forged,
        prevHash,
        hash: entryHash(prevHash, forged),
      });
    // between two entries (a fractional key is free)
    await expectDetected(
      [],
      () => putRaw(extra(2.5, before.hash)),
      { chain, seq: 2.5, kind: "inserted" },
      () => deleteEntry(chain, 2.5),
    );
    // after the last one
    const lastItem = unmarshall(await getEntry(chain, last));
    await expectDetected(
      [],
      () => putRaw(extra(last + 1, lastItem.hash)),
      { chain, seq: last + 1, kind: "inserted" },
      () => deleteEntry(chain, last + 1),
    );
  });

  it("refuses to append over an entry its chain's head does not know (tampering), at once", async () => {
    const { chain, last } = await busyChain();
    const lastItem = unmarshall(await getEntry(chain, last));
    await putRaw(marshall({ ...lastItem, seq: last + 1 }));
    let subject = "test:x-0";
    for (let i = 1; chainOf(subject) !== chain; i++) subject = `test:x-${i}`;
    const store = new AuditLogStore(rt.platform.records.doc, db.names);
    await expect(
      store.append({
        eventKey: "after-tamper",
        content: { subject, kind: "test", at: "2026-03-02T00:00:00Z" },
      }),
    ).rejects.toMatchObject({ code: "audit_chain_inconsistent" });
    await deleteEntry(chain, last + 1);
    expect((await verifyBody()).ok).toBe(true);
  });

  it("detects two entries whose contents were swapped (PutItem ×2): reordered", async () => {
    const { chain } = await busyChain();
    const a = unmarshall(await getEntry(chain, 2));
    const b = unmarshall(await getEntry(chain, 3));
    await expectDetected(
      [
        [chain, 2],
        [chain, 3],
      ],
      async () => {
        await putRaw(marshall({ ...b, seq: 2 }));
        await putRaw(marshall({ ...a, seq: 3 }));
      },
      { chain, seq: 2, kind: "reordered" },
    );
  });

  it("detects a rewrite made consistent with the chain's head, by the digest: digest_mismatch", async () => {
    const { chain, last } = await busyChain();
    const item = unmarshall(await getEntry(chain, last));
    const forged = { ...item.content, at: "2020-01-01T00:00:00.000Z" };
    const hash = entryHash(item.prevHash, forged);
    const head = await getEntry(chain, 0);
    await expectDetected(
      [[chain, last]],
      async () => {
        await putRaw(marshall({ ...item, content: forged, hash }));
        await putRaw({ ...head, lastHash: { S: hash } });
      },
      { chain, seq: last, kind: "digest_mismatch" },
      () => putRaw(head),
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
    const env = { COMPLIANCE_AUDIT_KEY: KEY };
    const opts = { json: false, endpoint: db.endpoint, prefix: db.prefix };
    expect(await auditVerifyCommand(opts, io, env)).toBe(0);
    expect(lines.join("\n")).toMatch(
      new RegExp(`^ok: ${appended} audit entries in ${AUDIT_CHAINS} chains`, "m"),
    );

    const { chain } = await busyChain();
    const saved = await getEntry(chain, 2);
    await deleteEntry(chain, 2);
    lines.length = 0;
    expect(await auditVerifyCommand(opts, io, env)).toBe(1);
    expect(lines.join("\n")).toContain(`chain ${chain} seq 2: missing`);
    lines.length = 0;
    expect(await auditVerifyCommand({ ...opts, json: true }, io, env)).toBe(1);
    expect(JSON.parse(lines.join("\n")).firstBad).toMatchObject({ chain, seq: 2, kind: "missing" });
    await putRaw(saved);
    lines.length = 0;
    expect(await auditVerifyCommand(opts, io, { COMPLIANCE_AUDIT_KEY: "not-the-key" })).toBe(1);
    expect(lines.join("\n")).toContain("digest seq 1: signature_invalid");
  });

  it("commits one process's concurrent appends to a chain in groups, once per event key", async () => {
    const target = 9;
    const subjects: string[] = [];
    for (let i = 0; subjects.length < 40; i++)
      if (chainOf(`group:s-${i}`) === target) subjects.push(`group:s-${i}`);
    const { doc, dynamodb } = createClients(db.endpoint);
    let transactions = 0;
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "TransactWriteItemsCommand") transactions++;
        return next(args);
      },
      { step: "initialize", name: "countTransactions" },
    );
    const store = new AuditLogStore(doc, db.names);
    const before = (await store.head(target))?.lastSeq ?? 0;
    const entry = (subject: string, i: number) => ({
      eventKey: `group-${i}`,
      content: { subject, kind: "test", at: "2026-03-02T00:00:00Z", i },
    });
    // the first event twice in the same burst: it is appended once
    const outcomes = await Promise.all(
      [...subjects.map(entry), entry(subjects[0] as string, 0)].map((e) => store.append(e)),
    );
    dynamodb.destroy();
    expect(outcomes.filter((o) => !o.appended)).toEqual([{ appended: false, duplicate: true }]);
    const seqs = outcomes.flatMap((o) => (o.appended ? [o.seq] : []));
    expect(seqs).toEqual(subjects.map((_, i) => before + i + 1)); // in call order
    expect(transactions).toBeLessThan(subjects.length / 4);
    appended += subjects.length;
    expect(await verifyBody()).toMatchObject({ ok: true, entries: appended });
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
          // a store per writer: no shared head hint, as in separate Lambda containers
          { store: new AuditLogStore(rt.platform.records.doc, db.names) },
          { eventKey: `concurrent-${i}`, content: { subject, kind: "test", at: "2026-03-02T00:00:00Z", i } },
        ),
      ),
    );
    const seqs = outcomes.map((o) => (o.appended ? o.seq : -1)).sort((a, b) => a - b);
    expect(seqs).toEqual(subjects.map((_, i) => before + i + 1));
    expect(outcomes.some((o) => o.appended && o.attempts > 1)).toBe(true);
    const read = await audit.store.readChain(target);
    expect(read.head?.lastSeq).toBe(before + subjects.length);
    expect(await verifyBody()).toMatchObject({ ok: true, entries: appended + subjects.length });
  });
});
