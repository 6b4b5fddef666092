/**
 * Audit benchmark, on DynamoDB Local (COMPLIANCE_DYNAMODB_ENDPOINT, else one started in memory):
 *
 * 1. verification: 100k valid audit entries (10k with --quick) over the AUDIT_CHAINS chains, in
 *    blocks as the stream consumer writes them (one block per batch and chain, batches of
 *    BATCH_ENTRIES entries), with a signed digest, written straight into an audit-log-shaped table
 *    with BatchWriteItem; then `verifyAudit` (read every chain's blocks, consistent and paginated,
 *    16 chains in parallel, and verify every hash, link and the digest) is timed VERIFY_RUNS times
 *    after one untimed warm-up run. Reported: entries/s of the median run, and the split between
 *    reading and the pure check. One entry is then changed inside its block and the run must name
 *    it (a bench that verifies nothing would be fast too);
 * 2. cost of an append: APPENDS real entries (a record revision or a violation change, as the
 *    handler builds them) appended through `appendAuditBatch` (one conditional PutItem per block,
 *    after a consistent Query of the chain's tail), in batches of BATCH_ENTRIES entries (a busy
 *    stream: the consumer's 2 s window at the platform bench's rate) and of QUIET_BATCH_ENTRIES
 *    (a quiet one), with a middleware asking every request for ReturnConsumedCapacity: write and
 *    read units per entry and per record (ENTRIES_PER_RECORD, measured by the platform bench),
 *    and the same batches delivered again (a redelivery must write nothing).
 * Writes bench/results/audit.json. Product code is not changed, only observed.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  type AuditContent,
  buildDigest,
  type ChainHead,
  entryHash,
  GENESIS_HASH,
  verifyChains,
} from "../functions/core/audit-chain.ts";
import { type AwsClients, createClients } from "../functions/local/aws-clients.ts";
import { type DynamoDbLocal, startDynamoDbLocal } from "../functions/local/dynamodb-local.ts";
import { type AuditDeps, appendAuditBatch, verifyAudit } from "../functions/service/audit.ts";
import { blockTimes, entriesOfItem, packEntries } from "../functions/store/audit-blocks.ts";
import {
  AUDIT_CHAINS,
  type AuditEntryInput,
  AuditLogStore,
  chainKey,
  chainOf,
  DIGEST_STREAM,
} from "../functions/store/audit-log.ts";
import { createTable, deleteTables } from "../functions/store/create-tables.ts";
import { AUDIT_DIGESTS, AUDIT_LOG, type TableNames, tableNames } from "../functions/store/tables.ts";
import { RESULTS_DIR } from "./engine.ts";
import { median, round } from "./statistics.ts";

const KEY = "bench-audit-key";
const VERIFY_RUNS = 3;
const APPENDS = 4_000;
/** A busy stream: ~210 records/s (the platform bench with every consumer) × the 2 s window × 1.35. */
const BATCH_ENTRIES = 570;
/** A quiet stream: a handful of records per batch. */
const QUIET_BATCH_ENTRIES = 14;
/**
 * Audit entries per record of the catalogue mix: every revision, plus the violation changes it
 * causes; measured by the platform bench (bench/results/platform.json, before the block store:
 * (2.81 transaction items − 0.11 head updates) / 2 items per entry).
 */
const ENTRIES_PER_RECORD = 1.35;
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
  readonly batchEntries: number;
  readonly appendsPerSec: number;
  /** Write units per audit entry, busy stream (one PutItem per block; AWS bills PutItem the same). */
  readonly writeUnitsPerEntry: number;
  /** The same per record of the catalogue mix (× ENTRIES_PER_RECORD). */
  readonly writeUnitsPerRecord: number;
  /** Read units per entry (the consistent tail Query that finds already appended keys). */
  readonly readUnitsPerEntry: number;
  readonly entriesPerBlock: number;
  /** A quiet stream (QUIET_BATCH_ENTRIES per batch): write units per entry and per record. */
  readonly quiet: {
    readonly batchEntries: number;
    readonly writeUnitsPerEntry: number;
    readonly writeUnitsPerRecord: number;
  };
  /** The same batches delivered again: entries and write units it cost (must be 0). */
  readonly redelivery: { readonly appended: number; readonly writeUnits: number };
  readonly entriesPerRecord: number;
  readonly node: string;
  readonly cpu: string;
  readonly measuredAt: string;
}

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

function content(i: number, at: number): AuditContent {
  // a record revision or a violation change, as the audit handler writes them
  return i % 3 === 2
    ? {
        subject: `violation:${(i * 2654435761).toString(16).padStart(32, "0").slice(-32)}`,
        kind: "violation.open",
        at: new Date(at + i * 1000).toISOString(),
        actor: "system",
        status: "open",
        reason: null,
        history: 1,
        escalationLevel: 0,
        record: { type: "expense", id: `EXP-${i}`, revision: 1 + (i % 4) },
        policyId: "expense-approval",
        ruleId: "over-budget",
      }
    : {
        subject: `record:expense#EXP-${Math.floor(i / 3)}-${i % 3}`,
        kind: "record.revision",
        at: new Date(at + i * 1000).toISOString(),
        actor: "client:erp",
        rev: 1,
        bodyHash: randomBytes(32).toString("hex"),
        clientId: "erp",
      };
}

/** `count` valid entries in blocks, as the consumer writes them: one block per batch and chain. */
function generate(count: number) {
  const heads: (ChainHead & { block: number })[] = Array.from({ length: AUDIT_CHAINS }, () => ({
    lastSeq: 0,
    lastHash: GENESIS_HASH,
    block: 0,
  }));
  const items: Record<string, unknown>[] = [];
  const at = Date.parse("2026-03-01T08:00:00Z");
  const loadedAt = new Date().toISOString();
  for (let start = 0; start < count; start += BATCH_ENTRIES) {
    const byChain = new Map<number, AuditContent[]>();
    for (let i = start; i < Math.min(count, start + BATCH_ENTRIES); i++) {
      const c = content(i, at);
      const n = chainOf(c.subject);
      const list = byChain.get(n);
      if (list) list.push(c);
      else byChain.set(n, [c]);
    }
    for (const [n, contents] of byChain) {
      const head = heads[n] as ChainHead & { block: number };
      let { lastSeq, lastHash } = head;
      const entries = contents.map((c) => {
        const prevHash = lastHash;
        lastHash = entryHash(prevHash, c);
        lastSeq++;
        return { seq: lastSeq, content: c, prevHash, hash: lastHash };
      });
      const last = contents.at(-1) as AuditContent;
      items.push({
        chain: chainKey(n),
        seq: head.block + 1,
        // appended now, sealed by the digest written right after loading (verify checks both)
        at: loadedAt,
        srcMax: last.at,
        ...blockTimes(contents),
        entriesGz: packEntries(entries),
      });
      heads[n] = { lastSeq, lastHash, block: head.block + 1 };
    }
  }
  return { items, heads: heads.map(({ lastSeq, lastHash }) => ({ lastSeq, lastHash })) };
}

interface Meter {
  on: boolean;
  read: number;
  write: number;
}

function meter(doc: DynamoDBDocumentClient): Meter {
  const m: Meter = { on: false, read: 0, write: 0 };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (!m.on) return next(args);
      const command = context.commandName ?? "";
      const input: Record<string, unknown> = { ...(args.input as object), ReturnConsumedCapacity: "TOTAL" };
      const out = await next({ ...args, input: input as never });
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

    // the same log with one entry changed inside its block must be named
    const { tamper, bad, named } = await tamperOneEntry(clients.doc, names, items, deps);
    log(`one entry changed at chain ${tamper.chain} seq ${tamper.seq}: verification names ${named}`);

    // 2. what an append costs, through the store, on a fresh log: busy and quiet batches
    const appendCost = (batchEntries: number, tag: string) =>
      measureAppends({ clients, endpoint, prefix }, batchEntries, tag);
    const busy = await appendCost(BATCH_ENTRIES, "a");
    const quiet = await appendCost(QUIET_BATCH_ENTRIES, "q");

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
      batchEntries: BATCH_ENTRIES,
      appendsPerSec: Math.round(APPENDS / busy.seconds),
      writeUnitsPerEntry: round(busy.write / APPENDS, 3),
      writeUnitsPerRecord: round((busy.write / APPENDS) * ENTRIES_PER_RECORD, 3),
      readUnitsPerEntry: round(busy.read / APPENDS, 3),
      entriesPerBlock: round(APPENDS / Math.max(1, busy.blocks), 1),
      quiet: {
        batchEntries: QUIET_BATCH_ENTRIES,
        writeUnitsPerEntry: round(quiet.write / APPENDS, 3),
        writeUnitsPerRecord: round((quiet.write / APPENDS) * ENTRIES_PER_RECORD, 3),
      },
      redelivery: {
        appended: busy.redelivery.appended + quiet.redelivery.appended,
        writeUnits: busy.redelivery.writeUnits + quiet.redelivery.writeUnits,
      },
      entriesPerRecord: ENTRIES_PER_RECORD,
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
      `verify ${result.verifyEntriesPerSec.toLocaleString("en")} entries/s (${result.verifyMs} ms for ${count.toLocaleString("en")}: read ${result.readMs} ms, check ${result.checkMs} ms); append ${result.writeUnitsPerEntry} WCU + ${result.readUnitsPerEntry} RCU per entry (${result.writeUnitsPerRecord} WCU per record; ${result.entriesPerBlock} entries per block), quiet stream ${result.quiet.writeUnitsPerRecord} WCU per record; redelivery appended ${result.redelivery.appended} entries, ${result.redelivery.writeUnits} WCU`,
    );
    return result;
  } finally {
    await deleteTables(clients.dynamodb, prefix).catch(() => {});
    clients.dynamodb.destroy();
    clients.streams.destroy();
    await local?.stop();
  }
}

/** One entry changed inside its block (chain 7, mid-log): what verification names. */
async function tamperOneEntry(
  doc: DynamoDBDocumentClient,
  names: TableNames,
  items: readonly Record<string, unknown>[],
  deps: AuditDeps,
) {
  const tamperChain = 7;
  const blocks7 = items.filter((i) => i.chain === chainKey(tamperChain));
  const block = blocks7[Math.floor(blocks7.length / 2)] as Record<string, unknown>;
  const entries = entriesOfItem(block) as readonly { seq: number; content: AuditContent }[];
  const target = entries[Math.floor(entries.length / 2)] as { seq: number; content: AuditContent };
  const tamper = { chain: tamperChain, seq: target.seq };
  await batchWrite(doc, names.auditLog, [
    {
      ...block,
      chain: chainKey(tamperChain),
      entriesGz: packEntries(
        entries.map((e) =>
          e.seq === target.seq ? { ...e, content: { ...e.content, at: "2020-01-01T00:00:00.000Z" } } : e,
        ) as never,
      ),
    },
  ]);
  const tampered = await verifyAudit(deps);
  const bad = tampered.firstBad;
  const named = bad ? `chain ${bad.chain} seq ${bad.seq}: ${bad.kind}` : "nothing";
  return { tamper, bad, named };
}

/** What appending APPENDS entries costs through the store, on a fresh log, `batchEntries` per batch. */
async function measureAppends(
  where: { clients: AwsClients; endpoint: string; prefix: string },
  batchEntries: number,
  tag: string,
) {
  const { clients, endpoint, prefix } = where;
  const appendNames = tableNames(`${prefix}${tag}-`);
  await createTable(clients.dynamodb, AUDIT_LOG, appendNames.auditLog);
  const appendClients = createClients(endpoint);
  const m = meter(appendClients.doc);
  const appender = { store: new AuditLogStore(appendClients.doc, appendNames), now: () => new Date() };
  const at = Date.now();
  const entries: AuditEntryInput[] = Array.from({ length: APPENDS }, (_, i) => {
    const c = content(i, at);
    return { eventKey: `${c.subject}@${(c.rev ?? c.history) as number}`, content: c };
  });
  const batches: AuditEntryInput[][] = [];
  for (let i = 0; i < entries.length; i += batchEntries) batches.push(entries.slice(i, i + batchEntries));
  m.on = true;
  const started = performance.now();
  let blocks = 0;
  for (const batch of batches) {
    const outcome = await appendAuditBatch(appender, batch);
    if (outcome.failed.size > 0) throw new Error(`append failed: ${[...outcome.failed.values()][0]}`);
    blocks += outcome.chains.reduce((n, c) => n + c.blocks, 0);
  }
  const seconds = (performance.now() - started) / 1000;
  const write = m.write;
  const read = m.read;
  // every batch again, as a redelivery: nothing may be appended or written
  let again = 0;
  for (const batch of batches)
    again += (await appendAuditBatch(appender, batch)).chains.reduce((n, c) => n + c.appended, 0);
  const redelivery = { appended: again, writeUnits: round(m.write - write, 2) };
  m.on = false;
  appendClients.dynamodb.destroy();
  await clients.dynamodb.send(new DeleteTableCommand({ TableName: appendNames.auditLog }));
  return { seconds, write, read, blocks, redelivery };
}
