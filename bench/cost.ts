/**
 * What one million records cost on AWS, from what the platform bench measured per record and the
 * dated prices of bench/aws-prices.ts. Pure: the bench gathers the inputs (measured units, request
 * counts and handler times; the functions' memory from the CDK app; batch sizes from
 * functions/runtime/stream-settings.ts) and this adds them up, line by line.
 *
 * Measured per record, in the bench's run: DynamoDB write and read request units (every table and
 * index, transactions counted as AWS bills them), ingest requests, events published, emails, and
 * each handler's time per call (ingest) or per stream record (consumers).
 * Modelled: a stream consumer's invocations per record (1 / its batch size: full batches, or one
 * record per invocation at a trickle), its duration per invocation (the measured time per record ×
 * records per invocation, so its GB-seconds per record do not depend on the batching), Lambda's
 * 1 ms rounding per invocation, and the notifier's invocations (EventBridge invokes it once per
 * notifying event).
 */
import { STREAM_BATCHING } from "../functions/runtime/stream-settings.ts";
import { AWS_PRICES, type AwsPrices } from "./aws-prices.ts";
import { round } from "./statistics.ts";

export interface FunctionUsage {
  /** The handler (functions/handlers/<name>.ts). */
  readonly fn: string;
  readonly memoryMb: number;
  readonly architecture: "arm64" | "x86_64";
  readonly invocationsPerRecord: number;
  /** Billed duration of one invocation (before Lambda's rounding up to the next ms). */
  readonly msPerInvocation: number;
}

export interface CostInputs {
  /** AWS-billed write request units per record: all tables and indexes, transactions twice. */
  readonly writeUnitsPerRecord: number;
  readonly readUnitsPerRecord: number;
  readonly functions: readonly FunctionUsage[];
  /** API Gateway HTTP API requests per record (the ingest POST). */
  readonly apiRequestsPerRecord: number;
  /** Custom events published to EventBridge per record. */
  readonly eventsPerRecord: number;
  readonly emailsPerRecord: number;
}

export interface CostLine {
  readonly service: "DynamoDB" | "Lambda" | "API Gateway" | "EventBridge" | "SES";
  readonly item: string;
  /** What is billed, per record, in `unit`. */
  readonly perRecord: number;
  readonly unit: string;
  /** USD per million records. */
  readonly usd: number;
}

export interface CostFigure {
  /** USD per million records, every line added up. */
  readonly usdPerMillionRecords: number;
  readonly byService: Readonly<Record<CostLine["service"], number>>;
  readonly lines: readonly CostLine[];
  readonly prices: { readonly region: string; readonly takenOn: string };
}

const MILLION = 1e6;
const cents = (usd: number) => Math.round(usd * 10_000) / 10_000;

/** The billed GB-seconds of one invocation: duration rounded up to the ms, times the memory in GB. */
export function gbSecondsPerInvocation(memoryMb: number, ms: number): number {
  return (Math.ceil(ms) / 1000) * (memoryMb / 1024);
}

/**
 * A stream consumer's invocations and duration when `recordsPerInvocation` records arrive together:
 * one invocation per that many records, each as long as that many records take.
 */
export function streamUsage(
  recordsPerInvocation: number,
  msPerRecord: number,
): { invocationsPerRecord: number; msPerInvocation: number } {
  const n = Math.max(1, recordsPerInvocation);
  return { invocationsPerRecord: 1 / n, msPerInvocation: msPerRecord * n };
}

/** One billed line: what a record uses of `unit`, at `unitPrice`, per million records. */
function line(
  service: CostLine["service"],
  item: string,
  perRecord: number,
  unit: string,
  unitPrice: number,
): CostLine {
  return { service, item, perRecord, unit, usd: perRecord * unitPrice * MILLION };
}

export function costPerMillionRecords(inputs: CostInputs, prices: AwsPrices = AWS_PRICES): CostFigure {
  const lines: CostLine[] = [
    line(
      "DynamoDB",
      "write request units (tables, indexes, audit trail, notification de-duplication)",
      inputs.writeUnitsPerRecord,
      "WRU",
      prices.dynamodb.perWriteRequestUnit,
    ),
    line(
      "DynamoDB",
      "read request units (stream reads by Lambda triggers are free)",
      inputs.readUnitsPerRecord,
      "RRU",
      prices.dynamodb.perReadRequestUnit,
    ),
  ];
  for (const f of inputs.functions) {
    if (f.invocationsPerRecord === 0) continue;
    const gbS = f.invocationsPerRecord * gbSecondsPerInvocation(f.memoryMb, f.msPerInvocation);
    lines.push(
      line(
        "Lambda",
        `${f.fn} duration (${f.memoryMb} MB ${f.architecture}, ${round(f.msPerInvocation, 1)} ms per invocation)`,
        gbS,
        "GB-s",
        prices.lambda.perGbSecond[f.architecture],
      ),
      line("Lambda", `${f.fn} requests`, f.invocationsPerRecord, "invocations", prices.lambda.perRequest),
    );
  }
  lines.push(
    line(
      "API Gateway",
      "HTTP API requests (POST /v1/records)",
      inputs.apiRequestsPerRecord,
      "requests",
      prices.apiGateway.perHttpRequest,
    ),
    line(
      "EventBridge",
      "custom events published (ViolationOpened / Resolved / Escalated)",
      inputs.eventsPerRecord,
      "events",
      prices.eventBridge.perCustomEvent,
    ),
    line("SES", "notification emails", inputs.emailsPerRecord, "emails", prices.ses.perEmail),
  );
  const byService = { DynamoDB: 0, Lambda: 0, "API Gateway": 0, EventBridge: 0, SES: 0 };
  for (const line of lines) byService[line.service] += line.usd;
  const total = lines.reduce((s, l) => s + l.usd, 0);
  return {
    usdPerMillionRecords: cents(total),
    byService: Object.fromEntries(
      Object.entries(byService).map(([k, v]) => [k, cents(v)]),
    ) as CostFigure["byService"],
    lines: lines.map((l) => ({ ...l, perRecord: round(l.perRecord, 6), usd: cents(l.usd) })),
    prices: { region: prices.region, takenOn: prices.takenOn },
  };
}

/** The figure as lines for the terminal. */
export function formatCost(title: string, c: CostFigure): string {
  const usd = (x: number) => `$${x.toFixed(2)}`;
  return [
    `${title}: ${usd(c.usdPerMillionRecords)} per million records (${c.prices.region} prices of ${c.prices.takenOn}, bench/aws-prices.ts)`,
    `    ${Object.entries(c.byService)
      .map(([k, v]) => `${k} ${usd(v)}`)
      .join(", ")}`,
    ...c.lines.map(
      (l) =>
        `    ${l.service.padEnd(12)}${l.item.slice(0, 78).padEnd(80)}${String(l.perRecord).padStart(12)} ${l.unit.padEnd(12)}${usd(l.usd).padStart(9)}`,
    ),
  ].join("\n");
}

/** What the bench measured of one function's handler over the units phase, per record ingested. */
export interface HandlerMeasure {
  /** Handler calls per record (locally: the local readers' batches, not Lambda's). */
  readonly callsPerRecord: number;
  /** Items per record the calls carried (stream records, events; 1 per HTTP request). */
  readonly itemsPerRecord: number;
  readonly msPerCall: number;
  readonly msPerItem: number;
}

/** How the deployed functions are fed: which reader of the local runtime is which Lambda, and its batch size. */
export interface Feeding {
  /** Local reader or handler name (as the bench measured it) → Lambda handler and records per invocation. */
  readonly [measured: string]: { readonly fn: string; readonly recordsPerInvocation: number } | undefined;
}

/**
 * The Lambda lines of the figure: per-request functions (ingest) at their measured time per call;
 * stream consumers and the notifier per item, at `recordsPerInvocation` items per invocation.
 */
export function lambdaUsage(
  measured: Readonly<Record<string, HandlerMeasure>>,
  deployed: Readonly<Record<string, { memoryMb: number; architecture: "arm64" | "x86_64" }>>,
  feeding: Feeding,
): FunctionUsage[] {
  const out: FunctionUsage[] = [];
  for (const [name, m] of Object.entries(measured)) {
    const feed = feeding[name];
    if (!feed) continue;
    const config = deployed[feed.fn];
    if (!config) throw new Error(`no deployed function ${feed.fn} (for ${name}) in the CDK app`);
    const usage =
      feed.recordsPerInvocation === 0
        ? { invocationsPerRecord: m.callsPerRecord, msPerInvocation: m.msPerCall } // one per request
        : (() => {
            const s = streamUsage(feed.recordsPerInvocation, m.msPerItem);
            return {
              invocationsPerRecord: m.itemsPerRecord * s.invocationsPerRecord,
              msPerInvocation: s.msPerInvocation,
            };
          })();
    out.push({ fn: name === feed.fn ? name : `${feed.fn} (${name})`, ...config, ...usage });
  }
  return out;
}

/**
 * The deployment's feeding of each measured handler: ingest once per request; each stream consumer
 * at its event source mapping's batch size (full batches: a busy stream), or one record per
 * invocation (`trickle`: a quiet stream, each record alone); the notifier once per event, as its
 * EventBridge rule invokes it.
 */
export function deployedFeeding(trickle: boolean): Feeding {
  const batch = (size: number) => (trickle ? 1 : size);
  return {
    ingest: { fn: "ingest", recordsPerInvocation: 0 },
    evaluator: { fn: "evaluator", recordsPerInvocation: batch(STREAM_BATCHING.evaluator.batchSize) },
    events: { fn: "events", recordsPerInvocation: batch(STREAM_BATCHING.events.batchSize) },
    "audit-records": {
      fn: "audit-trail-consumer",
      recordsPerInvocation: batch(STREAM_BATCHING.audit.batchSize),
    },
    "audit-violations": {
      fn: "audit-trail-consumer",
      recordsPerInvocation: batch(STREAM_BATCHING.audit.batchSize),
    },
    notifier: { fn: "notifier", recordsPerInvocation: 1 },
  };
}

/** What the platform bench measured per record that the figure needs (bench/results/platform.json). */
export interface BenchMeasures {
  /** Write units with transactions billed as on AWS (all tables, indexes, the audit trail). */
  readonly writeUnitsPerRecordAwsModel: number;
  readonly readUnitsPerRecord: number;
  readonly handlers: Readonly<Record<string, HandlerMeasure>>;
  readonly eventsPerRecord: number;
  readonly emailsPerRecord: number;
  /**
   * DynamoDB units per record measured on a trickle (one record at a time, every consumer done
   * before the next): what a quiet stream costs, where blocks and counter writes are not shared.
   */
  readonly trickle?: { readonly writeUnitsPerRecordAwsModel: number; readonly readUnitsPerRecord: number };
}

export interface BenchCost {
  /** Busy streams: every stream consumer invoked with full batches (the configured batch sizes). */
  readonly fullBatches: CostFigure;
  /** Quiet streams: every stream record its own invocation (the most Lambda requests there can be). */
  readonly oneRecordPerInvocation: CostFigure;
}

export function benchCost(
  m: BenchMeasures,
  deployed: Parameters<typeof lambdaUsage>[1],
  prices: AwsPrices = AWS_PRICES,
): BenchCost {
  const figure = (trickle: boolean) =>
    costPerMillionRecords(
      {
        // quiet streams: the units of a trickle when it was measured
        writeUnitsPerRecord:
          (trickle ? m.trickle : undefined)?.writeUnitsPerRecordAwsModel ?? m.writeUnitsPerRecordAwsModel,
        readUnitsPerRecord: (trickle ? m.trickle : undefined)?.readUnitsPerRecord ?? m.readUnitsPerRecord,
        functions: lambdaUsage(m.handlers, deployed, deployedFeeding(trickle)),
        apiRequestsPerRecord: m.handlers.ingest?.callsPerRecord ?? 1,
        eventsPerRecord: m.eventsPerRecord,
        emailsPerRecord: m.emailsPerRecord,
      },
      prices,
    );
  return { fullBatches: figure(false), oneRecordPerInvocation: figure(true) };
}
