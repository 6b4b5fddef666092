/** What the platform bench reports (bench/results/platform.json) and how it prints it. */
import { type BenchCost, formatCost, type HandlerMeasure } from "./cost.ts";
import { round } from "./statistics.ts";

/** CPU seconds per second of Node and of Java, and how busy Node's event loop was (0..1). */
export interface CoresBusy {
  readonly node: number;
  readonly java: number;
  readonly eventLoop: number;
}

export interface PlatformBenchResult {
  /**
   * Accepted (202) POST /v1/records per second, by client concurrency: the webhook alone, with the
   * stream consumers disabled during the window (they evaluate the backlog right after).
   */
  readonly ingestPerSec: { readonly c1: number; readonly c8: number; readonly c32: number };
  /** The same with the stream consumers (evaluator, events, audit) running on the same cores. */
  readonly ingestWithConsumersPerSec: { readonly c1: number; readonly c8: number; readonly c32: number };
  readonly ingestWithConsumersOverRawC32: number;
  /** With the consumers running: accepted records over the window plus the evaluator's drain after it. */
  readonly evaluatedEndToEndPerSec: { readonly c1: number; readonly c8: number; readonly c32: number };
  readonly evaluatedEndToEndOverRawC32: number;
  /**
   * PutItem/s of stored-revision-sized items into a records-shaped table, concurrency 32: the
   * median of `rawPutWindowsPerSec`, measured right before and right after the c32 ingest.
   */
  readonly rawPutPerSec: number;
  readonly rawPutWindowsPerSec: readonly number[];
  /** The same, early in the run, while Java is still warming up (reported, not judged). */
  readonly rawPutEarlyPerSec: readonly number[];
  readonly ingestOverRawC32: number;
  /**
   * Diagnostic: RecordsStore.putRevision/s at c32 (ingest's GetItem + Query + conditional PutItem)
   * on the raw table, without HTTP and without the evaluator: the store's own ceiling.
   */
  readonly storePutRevisionPerSec: number;
  /**
   * Diagnostic: raw PutItem/s at c32 into a records-shaped table whose stream a no-op consumer
   * reads as the platform reads its records stream (one window, after the raw windows).
   */
  readonly rawPutStreamReadPerSec: number;
  readonly p50VisibleMs: number;
  readonly p90VisibleMs: number;
  readonly p99VisibleMs: number;
  readonly maxVisibleMs: number;
  /**
   * Where the wait goes (p50/p99 of each stage separately, so they do not add up exactly): the POST
   * round trip; from the revision stored to the evaluator claiming it (stream delivery: the
   * poller's sleep, GetRecords, earlier records of the batch); the evaluation until its last
   * violation write; from that write to the auditor's GET showing it (poll interval, GET time).
   */
  readonly visibleBreakdownMs: Readonly<Record<string, { readonly p50: number; readonly p99: number }>>;
  readonly latencySamples: number;
  /** Samples whose violations were not visible within VISIBLE_TIMEOUT_MS (counted at the timeout). */
  readonly latencyTimeouts: number;
  /** Auditor GETs per second while measuring latency (load the measurement itself adds). */
  readonly auditorPollsPerSec: number;
  readonly writeUnitsPerRecord: number;
  /** Audit-trail writes (audit-log, audit-digests), reported apart from the platform's. */
  readonly auditWriteUnitsPerRecord: number;
  /**
   * writeUnitsPerRecord with TransactWriteItems counted as AWS bills them (2 WCU per item per KB)
   * instead of what DynamoDB Local reports for them (less): what the mix would cost on AWS.
   */
  readonly writeUnitsPerRecordAwsModel: number;
  readonly transactions: {
    readonly perRecord: number;
    readonly itemsPerRecord: number;
    readonly reportedUnitsPerRecord: number;
    readonly awsModelUnitsPerRecord: number;
  };
  readonly readUnitsPerRecord: number;
  /** Write units per record by table and index (`violations/byStatus` = the index's share). */
  readonly writeUnitsSplit: Readonly<Record<string, number>>;
  readonly readUnitsSplit: Readonly<Record<string, number>>;
  /**
   * Per operation (logical table + DynamoDB command): requests and units per record, and the mean
   * round trip of one call under the units phase's load (c8 ingest with the evaluator running).
   */
  readonly operations: Readonly<
    Record<
      string,
      { readonly perRecord: number; readonly unitsPerRecord: number; readonly msPerCall: number }
    >
  >;
  /** DynamoDB requests per record, ingest and evaluation together. */
  readonly requestsPerRecord: number;
  /** Violation items written (created or updated) per record, and violations the evaluator found. */
  readonly violationWritesPerRecord: number;
  readonly violationsPerRecord: number;
  /** Records ingested and evaluated for the units figures. */
  readonly records: number;
  /** Mean size of a stored revision item as JSON (the raw PutItem payload), bytes. */
  readonly revisionItemBytes: number;
  /** Time the evaluator needed after each ingest level's last POST to finish the stream. */
  readonly drainAfterMs: { readonly c1: number; readonly c8: number; readonly c32: number };
  /** Responses other than 202 during the ingest levels (should be 0). */
  readonly ingestErrors: number;
  /** Cores kept busy (CPU s per s) by this Node process and by DynamoDB Local, where /proc tells. */
  readonly coresBusy: {
    readonly rawPut: CoresBusy | undefined;
    readonly ingestC32: CoresBusy | undefined;
    readonly ingestWithConsumersC32: CoresBusy | undefined;
  };
  /**
   * Each handler's calls over the units phase, per record (the local readers' batches, not
   * Lambda's): `events` without the notifier's time, which is `notifier` (locally it runs inside
   * the events handler; on AWS it is its own function).
   */
  readonly handlers: Readonly<Record<string, HandlerMeasure>>;
  /** Events published (ViolationOpened / Resolved / Escalated) and emails sent, per record. */
  readonly eventsPerRecord: number;
  readonly emailsPerRecord: number;
  /** The AWS cost per million records from the figures above (bench/cost.ts, bench/aws-prices.ts). */
  /** A quiet stream: records one at a time, everything drained in between (the quiet cost's units). */
  readonly trickle: {
    readonly records: number;
    readonly violationsPerRecord: number;
    readonly writeUnitsPerRecordAwsModel: number;
    readonly readUnitsPerRecord: number;
  };
  readonly cost: BenchCost;
  readonly totalSeconds: number;
  readonly quick: boolean;
  readonly node: string;
  readonly measuredAt: string;
}

/**
 * Per record, from the handler calls of the units phase. The notifier runs inside the events
 * handler locally: its time is taken out of `events` (on AWS they are two functions).
 */
export function handlerMeasures(
  calls: ReadonlyMap<string, { calls: number; ms: number; items: number }>,
  records: number,
): Record<string, HandlerMeasure> {
  const notifierMs = calls.get("notifier")?.ms ?? 0;
  const out: Record<string, HandlerMeasure> = {};
  for (const [fn, c] of [...calls.entries()].sort()) {
    const ms = fn === "events" ? Math.max(0, c.ms - notifierMs) : c.ms;
    out[fn] = {
      callsPerRecord: round(c.calls / records, 4),
      itemsPerRecord: round(c.items / records, 4),
      msPerCall: round(ms / Math.max(1, c.calls), 2),
      msPerItem: round(ms / Math.max(1, c.items), 3),
    };
  }
  return out;
}

export function formatPlatformResult(r: PlatformBenchResult): string {
  const n = (x: number) => x.toLocaleString("en");
  const row = (name: string, value: string) => `  ${name.padEnd(46)}${value.padStart(22)}`;
  const split = (m: Readonly<Record<string, number>>) =>
    Object.entries(m)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
  const cores = (c: CoresBusy | undefined) =>
    c ? `Node ${c.node}, Java ${c.java} cores; loop ${Math.round(c.eventLoop * 100)} %` : "n/a";
  const b = r.visibleBreakdownMs;
  const stage = (name: string, key: string) =>
    row(`    ${name}`, `${b[key]?.p50 ?? "-"} / ${b[key]?.p99 ?? "-"} ms`);
  return [
    `platform — local HTTP server on DynamoDB Local, ${r.node}${r.quick ? " (quick)" : ""}, ${r.totalSeconds} s`,
    row("measure", "value"),
    row(`raw PutItem/s, c32 (~${r.revisionItemBytes} B items), median`, n(r.rawPutPerSec)),
    row("  windows before and after ingest c32", r.rawPutWindowsPerSec.map(n).join(", ")),
    row("  early windows (Java warming up)", r.rawPutEarlyPerSec.map(n).join(", ")),
    row("  same, stream being read (no-op consumer, early)", n(r.rawPutStreamReadPerSec)),
    row("  RecordsStore.putRevision/s, c32 (no HTTP, early)", n(r.storePutRevisionPerSec)),
    row("accepted POST /v1/records/s (webhook alone), c1", n(r.ingestPerSec.c1)),
    row("  c8", n(r.ingestPerSec.c8)),
    row("  c32", n(r.ingestPerSec.c32)),
    row("ingest c32 / raw PutItem c32", `${(r.ingestOverRawC32 * 100).toFixed(1)} %`),
    row(
      "same with the consumers running, c1/c8/c32",
      `${n(r.ingestWithConsumersPerSec.c1)} / ${n(r.ingestWithConsumersPerSec.c8)} / ${n(r.ingestWithConsumersPerSec.c32)}`,
    ),
    row("  c32 / raw PutItem c32", `${(r.ingestWithConsumersOverRawC32 * 100).toFixed(1)} %`),
    row(
      "  evaluated end to end (window + drain), c1/c8/c32",
      `${n(r.evaluatedEndToEndPerSec.c1)} / ${n(r.evaluatedEndToEndPerSec.c8)} / ${n(r.evaluatedEndToEndPerSec.c32)}`,
    ),
    row("  c32 / raw PutItem c32", `${(r.evaluatedEndToEndOverRawC32 * 100).toFixed(1)} %`),
    row("  CPU during raw PutItem", cores(r.coresBusy.rawPut)),
    row("  CPU during ingest c32 (webhook alone)", cores(r.coresBusy.ingestC32)),
    row("  CPU during ingest c32 (consumers running)", cores(r.coresBusy.ingestWithConsumersC32)),
    row(
      "  evaluator done after last POST c1/c8/c32",
      `${r.drainAfterMs.c1} / ${r.drainAfterMs.c8} / ${r.drainAfterMs.c32} ms`,
    ),
    row(
      "POST → violation visible, c8, p50 / p90 / p99",
      `${r.p50VisibleMs} / ${r.p90VisibleMs} / ${r.p99VisibleMs} ms`,
    ),
    row(
      "  max; samples; auditor GETs/s",
      `${r.maxVisibleMs} ms; ${r.latencySamples}${r.latencyTimeouts ? ` (${r.latencyTimeouts} timeouts)` : ""}; ${r.auditorPollsPerSec}`,
    ),
    stage("POST round trip (p50 / p99)", "post"),
    stage("stored → evaluation starts", "storedToEvaluationStart"),
    stage("evaluation → last violation written", "evaluation"),
    stage("last write → auditor sees it", "lastWriteToVisible"),
    row("write units per record", String(r.writeUnitsPerRecord)),
    `    by table/index: ${split(r.writeUnitsSplit)}`,
    ...(r.transactions.perRecord > 0
      ? [
          `    transactions: ${r.transactions.perRecord}/record of ${round(r.transactions.itemsPerRecord / r.transactions.perRecord, 1)} items; DynamoDB Local reports ${r.transactions.reportedUnitsPerRecord} units/record for them, AWS bills ≥ ${r.transactions.awsModelUnitsPerRecord}`,
          row("write units per record, AWS billing of transactions", `≥ ${r.writeUnitsPerRecordAwsModel}`),
        ]
      : []),
    row("read units per record", String(r.readUnitsPerRecord)),
    row(
      `  a trickle (${r.trickle.records} records one at a time): write / read units`,
      `${r.trickle.writeUnitsPerRecordAwsModel} / ${r.trickle.readUnitsPerRecord}`,
    ),
    `    by table/index: ${split(r.readUnitsSplit)}`,
    row("violation items written per record", String(r.violationWritesPerRecord)),
    row("DynamoDB requests per record", String(r.requestsPerRecord)),
    `    ${"operation (table, command)".padEnd(30)}${"req/record".padStart(12)}${"units/record".padStart(14)}${"ms/call".padStart(10)}`,
    ...Object.entries(r.operations).map(
      ([k, v]) =>
        `    ${k.padEnd(30)}${String(v.perRecord).padStart(12)}${String(v.unitsPerRecord).padStart(14)}${String(v.msPerCall).padStart(10)}`,
    ),
    `  units over ${n(r.records)} records (violations found per record ${r.violationsPerRecord})${r.ingestErrors ? `; ${r.ingestErrors} ingest errors` : ""}`,
    `  handler time in this run (measured; locally batches are the local readers'): ${Object.entries(
      r.handlers,
    )
      .map(([k, v]) => `${k} ${v.msPerItem} ms per item, ${v.itemsPerRecord} items/record`)
      .join("; ")}; events ${r.eventsPerRecord}/record, emails ${r.emailsPerRecord}/record`,
    formatCost("AWS cost, busy streams (full batches)", r.cost.fullBatches),
    formatCost("AWS cost, quiet streams (one record per invocation)", r.cost.oneRecordPerInvocation),
  ].join("\n");
}
