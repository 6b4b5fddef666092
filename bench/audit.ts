/**
 * Audit benchmark, on DynamoDB Local (COMPLIANCE_DYNAMODB_ENDPOINT, else one started in memory):
 *
 * 1. verification: 100k valid audit entries (10k with --quick) over the AUDIT_CHAINS chains, with
 *    their heads and a signed digest, written straight into an audit-log-shaped table with
 *    BatchWriteItem; then `verifyAudit` (read every chain, consistent and paginated, 16 chains in
 *    parallel, and verify every hash, link, head and the digest) is timed VERIFY_RUNS times after
 *    one untimed warm-up run.
 *    Reported: entries/s of the median run, and the split between reading and the pure check.
 *    One entry is then changed in place and the run must name it (a bench that verifies nothing
 *    would be fast too);
 * 2. cost of an append: APPENDS real appends (AuditLogStore.append: one TransactWriteItems of head
 *    update + entry put + de-duplication marker put, appends waiting on the same chain committed
 *    together) at concurrency APPEND_CONCURRENCY, with a
 *    middleware asking every request for ReturnConsumedCapacity: write and read units per entry,
 *    appends/s, and the share that had to retry on a conflict (one writing process, as the local
 *    runtime: it queues its own appends per chain, so only other processes could conflict).
 * Writes bench/results/audit.json. Product code is not changed, only observed.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { DeleteTableCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  type AuditContent,
  buildDigest,
  type ChainHead,
  entryHash,
  GENESIS_HASH,
  verifyChains,
} from "../functions/core/audit-chain.ts";
import { createClients } from "../functions/local/aws-clients.ts";
import { type DynamoDbLocal, startDynamoDbLocal } from "../functions/local/dynamodb-local.ts";
import { type AuditDeps, verifyAudit } from "../functions/service/audit.ts";
import {
  AUDIT_CHAINS,
  AuditLogStore,
  chainKey,
  chainOf,
  DIGEST_STREAM,
} from "../functions/store/audit-log.ts";
import { createTable, deleteTables } from "../functions/store/create-tables.ts";
import { AUDIT_DIGESTS, AUDIT_LOG, tableNames } from "../functions/store/tables.ts";
import { RESULTS_DIR } from "./engine.ts";

const KEY = "bench-audit-key";
const VERIFY_RUNS = 3;
const APPENDS = 400;
const APPEND_CONCURRENCY = 16;
const LOAD_CONCURRENCY = 16;

export interface AuditBenchResult {
  readonly entries: number;
  readonly chains: number;
  /** BatchWriteItem loading of the entries (context: DynamoDB Local's write rate on this machine). */
  readonly loadEntriesPerSec: number;
  /** verifyAudit over every entry: median of VERIFY_RUNS runs. */
  readonly verifyMs: number;
  readonly verifyEntriesPerSec: number;
  readonly verifyRunsMs: readonly number[];
  /** Of one run: reading the digests and chains, and the pure verification of what was read. */
  readonly readMs: number;
  readonly checkMs: number;
  readonly intactVerified: boolean;
  /** The entry changed in place after the timed runs, and what verification named. */
  readonly tamper: { readonly chain: number; readonly seq: number; readonly named: string };
  readonly tamperNamed: boolean;
  readonly appends: number;
  readonly appendConcurrency: number;
  readonly appendsPerSec: number;
  /**
   * Write units per audit entry: a transaction of the head update plus entry + marker per entry
   * (appends waiting on one chain are committed together and share the head update).
   */
  readonly writeUnitsPerEntry: number;
  /** The same with TransactWriteItems billed as on AWS (DynamoDB Local reports less). */
  readonly writeUnitsPerEntryAwsModel: number;
  /** Read units per audit entry (consistent head reads when the head hint was stale). */
  readonly readUnitsPerEntry: number;
  /** Appends that needed more than one transaction (a concurrent writer moved the head). */
  readonly retriedShare: number;
  /** Entries per TransactWriteItems (group commit). */
  readonly entriesPerTransaction: number;
  readonly node: string;
  readonly cpu: string;
  readonly measuredAt: string;
}

const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function batchWrite(doc: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]) {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
    if (attempt > 10) throw new Error("DynamoDB kept items unprocessed");
    const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
    pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
  }
}

/** `count` valid entries spread over the chains by subject, as the store spreads them. */
function generate(count: number) {
  const heads: ChainHead[] = Array.from({ length: AUDIT_CHAINS }, () => ({
    lastSeq: 0,
    lastHash: GENESIS_HASH,
  }));
  const items: Record<string, unknown>[] = [];
  const at = Date.parse("2026-03-01T08:00:00Z");
  for (let i = 0; i < count; i++) {
    // a record revision or a violation change, as the audit handler writes them
    const content: AuditContent =
      i % 3 === 2
        ? {
            subject: `violation:${(i * 2654435761).toString(16).padStart(32, "0").slice(-32)}`,
            kind: "violation.open",
            at: new Date(at + i * 1000).toISOString(),
            status: "open",
            by: "system",
            reason: `detected at revision ${1 + (i % 4)}`,
            history: 1,
            escalationLevel: 0,
            record: { type: "expense", id: `EXP-${i}`, revision: 1 + (i % 4) },
            policyId: "expense-approval",
            ruleId: "over-budget",
          }
        : {
            subject: `record:expense#EXP-${Math.floor(i / 3)}`,
            kind: "record.revision",
            at: new Date(at + i * 1000).toISOString(),
            rev: 1 + (i % 3),
            bodyHash: randomBytes(32).toString("hex"),
            clientId: "erp",
          };
    const chain = chainOf(content.subject);
    const head = heads[chain] as ChainHead;
    const seq = head.lastSeq + 1;
    const hash = entryHash(head.lastHash, content);
    items.push({
      chain: chainKey(chain),
      seq,
      eventKey: `bench-${i}`,
      content,
      prevHash: head.lastHash,
      hash,
    });
    heads[chain] = { lastSeq: seq, lastHash: hash };
  }
  for (const [n, head] of heads.entries()) items.push({ chain: chainKey(n), seq: 0, ...head });
  return { items, heads };
}

interface Meter {
  on: boolean;
  read: number;
  write: number;
  transactions: number;
  /** Successful TransactWriteItems as AWS bills them: 2 WCU per item per started KB (size from its JSON). */
  awsModelWrite: number;
}

function meter(doc: DynamoDBDocumentClient): Meter {
  const m: Meter = { on: false, read: 0, write: 0, transactions: 0, awsModelWrite: 0 };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (!m.on) return next(args);
      const command = context.commandName ?? "";
      if (command === "TransactWriteItemsCommand") m.transactions++;
      const input: Record<string, unknown> = { ...(args.input as object), ReturnConsumedCapacity: "TOTAL" };
      const out = await next({ ...args, input: input as never });
      if (command === "TransactWriteItemsCommand") {
        for (const item of (input.TransactItems ?? []) as Record<string, Record<string, unknown>>[]) {
          const op = Object.values(item)[0] ?? {};
          // a Put's item; for an Update the key and values (the head item is that small)
          const bytes = JSON.stringify(op.Item ?? [op.Key, op.ExpressionAttributeValues]).length;
          m.awsModelWrite += 2 * Math.max(1, Math.ceil(bytes / 1024));
        }
      }
      const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as {
        CapacityUnits?: number;
        ReadCapacityUnits?: number;
        WriteCapacityUnits?: number;
      }[];
      for (const c of list) {
        if (c.WriteCapacityUnits !== undefined || c.ReadCapacityUnits !== undefined) {
          m.write += c.WriteCapacityUnits ?? 0;
          m.read += c.ReadCapacityUnits ?? 0;
        } else if (/Get|Query|Scan/.test(command)) m.read += c.CapacityUnits ?? 0;
        else m.write += c.CapacityUnits ?? 0;
      }
      return out;
    },
    { step: "initialize", name: "benchAuditCapacity" },
  );
  return m;
}

export async function benchAudit(opts: { quick: boolean }): Promise<AuditBenchResult> {
  const count = opts.quick ? 10_000 : 100_000;
  const log = (line: string) => console.log(`audit: ${line}`);
  const given = process.env.COMPLIANCE_DYNAMODB_ENDPOINT;
  const local: DynamoDbLocal | undefined = given ? undefined : await startDynamoDbLocal({});
  const endpoint = given || (local as DynamoDbLocal).endpoint;
  const clients = createClients(endpoint);
  const prefix = `bench-audit-${randomBytes(3).toString("hex")}-`;
  const names = tableNames(prefix);
  try {
    await createTable(clients.dynamodb, AUDIT_LOG, names.auditLog);
    await createTable(clients.dynamodb, AUDIT_DIGESTS, names.auditDigests);

    // 1. a valid log of `count` entries, loaded directly
    let t = performance.now();
    const { items, heads } = generate(count);
    log(`${count.toLocaleString("en")} entries generated in ${Math.round(performance.now() - t)} ms`);
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
    t = performance.now();
    await pool(batches, LOAD_CONCURRENCY, (batch) => batchWrite(clients.doc, names.auditLog, batch));
    const loadSec = (performance.now() - t) / 1000;
    log(`loaded with BatchWriteItem in ${loadSec.toFixed(1)} s (${Math.round(count / loadSec)} entries/s)`);
    const digest = buildDigest(undefined, { at: new Date().toISOString(), chains: heads }, KEY);
    await batchWrite(clients.doc, names.auditDigests, [{ stream: DIGEST_STREAM, ...digest }]);

    const store = new AuditLogStore(clients.doc, names);
    const deps: AuditDeps = { store, key: async () => KEY, now: () => new Date() };
    const runs: number[] = [];
    // one untimed run first: DynamoDB Local's JVM (and ours) compile the read path during it
    let intact = (await verifyAudit(deps)).ok;
    for (let run = 0; run < VERIFY_RUNS; run++) {
      t = performance.now();
      const answer = await verifyAudit(deps);
      runs.push(performance.now() - t);
      intact &&= answer.ok && answer.entries === count;
      log(
        `verify run ${run + 1}: ${Math.round(runs.at(-1) ?? 0)} ms, ok ${answer.ok}, ${answer.entries} entries`,
      );
    }
    // the split of one run: reading, then the pure check
    t = performance.now();
    const digests = await store.readDigests();
    const chains = await Promise.all(Array.from({ length: AUDIT_CHAINS }, (_, n) => store.readChain(n)));
    const readMs = performance.now() - t;
    t = performance.now();
    verifyChains({ chains, digests, key: KEY, chainCount: AUDIT_CHAINS, chainOf });
    const checkMs = performance.now() - t;

    // the same log with one entry changed in place must be named
    const tamper = { chain: 7, seq: Math.max(1, Math.floor((heads[7]?.lastSeq ?? 1) / 2)) };
    await clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: names.auditLog,
        Key: { chain: { S: chainKey(tamper.chain) }, seq: { N: String(tamper.seq) } },
        UpdateExpression: "SET content.#at = :at",
        ExpressionAttributeNames: { "#at": "at" },
        ExpressionAttributeValues: { ":at": { S: "2020-01-01T00:00:00.000Z" } },
      }),
    );
    const tampered = await verifyAudit(deps);
    const bad = tampered.firstBad;
    const named = bad ? `chain ${bad.chain} seq ${bad.seq}: ${bad.kind}` : "nothing";
    log(`one entry changed at chain ${tamper.chain} seq ${tamper.seq}: verification names ${named}`);

    // 2. what an append costs, through the store, on a fresh log
    const appendNames = tableNames(`${prefix}a-`);
    await createTable(clients.dynamodb, AUDIT_LOG, appendNames.auditLog);
    const appendClients = createClients(endpoint);
    const m = meter(appendClients.doc);
    const appender = new AuditLogStore(appendClients.doc, appendNames);
    let retried = 0;
    m.on = true;
    t = performance.now();
    await pool(
      Array.from({ length: APPENDS }, (_, i) => i),
      APPEND_CONCURRENCY,
      async (i) => {
        const outcome = await appender.append({
          eventKey: `record:expense#APP-${i}@1`,
          content: {
            subject: `record:expense#APP-${i}`,
            kind: "record.revision",
            at: new Date().toISOString(),
            rev: 1,
            bodyHash: randomBytes(32).toString("hex"),
            clientId: "erp",
          },
        });
        if (outcome.appended && outcome.attempts > 1) retried++;
      },
    );
    const appendSec = (performance.now() - t) / 1000;
    m.on = false;
    appendClients.dynamodb.destroy();
    await clients.dynamodb.send(new DeleteTableCommand({ TableName: appendNames.auditLog }));

    const verifyMs = median(runs);
    const result: AuditBenchResult = {
      entries: count,
      chains: AUDIT_CHAINS,
      loadEntriesPerSec: Math.round(count / loadSec),
      verifyMs: Math.round(verifyMs),
      verifyEntriesPerSec: Math.round(count / (verifyMs / 1000)),
      verifyRunsMs: runs.map((r) => Math.round(r)),
      readMs: Math.round(readMs),
      checkMs: Math.round(checkMs),
      intactVerified: intact,
      tamper: { ...tamper, named },
      tamperNamed: bad?.chain === tamper.chain && bad.seq === tamper.seq && bad.kind === "modified",
      appends: APPENDS,
      appendConcurrency: APPEND_CONCURRENCY,
      appendsPerSec: Math.round(APPENDS / appendSec),
      writeUnitsPerEntry: round(m.write / APPENDS, 2),
      writeUnitsPerEntryAwsModel: round(m.awsModelWrite / APPENDS, 2),
      readUnitsPerEntry: round(m.read / APPENDS, 2),
      retriedShare: round(retried / APPENDS, 3),
      entriesPerTransaction: round(APPENDS / Math.max(1, m.transactions), 2),
      node: process.version,
      cpu: `${cpus()[0]?.model ?? "unknown"} × ${cpus().length}`,
      measuredAt: new Date().toISOString(),
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    // write then rename, so an interrupted run never leaves a half-written results file
    const file = join(RESULTS_DIR, "audit.json");
    writeFileSync(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
    log(
      `verify ${result.verifyEntriesPerSec.toLocaleString("en")} entries/s (${result.verifyMs} ms for ${count.toLocaleString("en")}: read ${result.readMs} ms, check ${result.checkMs} ms); append ${result.writeUnitsPerEntry} WCU (AWS billing ${result.writeUnitsPerEntryAwsModel}) + ${result.readUnitsPerEntry} RCU per entry, ${result.appendsPerSec}/s at c${APPEND_CONCURRENCY} (${(result.retriedShare * 100).toFixed(1)} % retried, ${result.entriesPerTransaction} entries per transaction)`,
    );
    return result;
  } finally {
    await deleteTables(clients.dynamodb, prefix).catch(() => {});
    clients.dynamodb.destroy();
    clients.streams.destroy();
    await local?.stop();
  }
}
