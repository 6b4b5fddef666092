/**
 * The local stand-ins for the deployment's event source mappings: one reader per consumer, as each
 * Lambda event source mapping is its own reader (the evaluator never waits for the audit trail),
 * with the deployment's batch sizes and windows (STREAM_BATCHING), retries and dead letters.
 */
import { join } from "node:path";
import { companyTimeZone } from "../core/time.ts";
import { createAuditTrailConsumer } from "../handlers/audit-trail-consumer.ts";
import { createEvaluatorHandler } from "../handlers/evaluator.ts";
import { createEventsHandler } from "../handlers/events.ts";
import { auditTrailOf } from "../runtime/audit-runtime.ts";
import { logger, type Runtime } from "../runtime/runtime.ts";
import { STREAM_BATCHING, type StreamBatching } from "../runtime/stream-settings.ts";
import type { EventSink } from "../service/events.ts";
import type { TableNames } from "../store/tables.ts";
import type { AwsClients } from "./aws-clients.ts";
import type { BundledFunctions } from "./bundled-functions.ts";
import type { GiveWay } from "./give-way.ts";
import { type InvocationObserver, timed } from "./invocation-timing.ts";
import { type StreamPoller, type StreamPollerOptions, startStreamPoller } from "./stream-poller.ts";
import { StreamTaps } from "./stream-tap.ts";

type StreamHandler = StreamPollerOptions["handler"];

export async function startStreamReaders(args: {
  env: NodeJS.ProcessEnv;
  clients: AwsClients;
  tables: TableNames;
  runtime: Runtime;
  sink: EventSink;
  /** The bundles' stream handlers under COMPLIANCE_BUNDLES=1, else the handlers from source. */
  bundles: Pick<BundledFunctions, "streams"> | undefined;
  stateDir: string;
  deadLetterFile: string;
  /** Keeps each reader's checkpoint there (resumes after a restart); none in memory. */
  dataDir: string | undefined;
  observe: InvocationObserver | undefined;
  /** Each reader's stop joins these. */
  stops: (() => Promise<void>)[];
  /**
   * Each reader gives way to a busy webhook before a batch, and the others to an evaluator that is
   * behind (give-way.ts; on AWS they share no CPU).
   */
  giveWay: GiveWay;
}): Promise<{ readonly evaluator: StreamPoller; readonly all: readonly StreamPoller[] }> {
  const {
    env,
    clients,
    tables,
    runtime,
    sink,
    bundles,
    stateDir,
    deadLetterFile,
    dataDir,
    observe,
    stops,
    giveWay,
  } = args;
  const { platform } = runtime;
  const source = () => runtime;
  // the two readers of each table's stream read it once between them (stream-tap.ts)
  const taps = new StreamTaps();
  const readStream = async (
    table: "records" | "violations",
    name: string,
    handler: StreamHandler,
    batching: StreamBatching,
    pollIntervalMs: number,
    /** Whether a consumer this one gives way to is behind. */
    behind?: () => boolean,
  ) => {
    const poller = await startStreamPoller({
      streams: clients.streams,
      dynamodb: clients.dynamodb,
      tableName: tables[table],
      consumer: name,
      handler: timed(name, handler, (e) => e.Records.length, observe),
      batchSize: batching.batchSize,
      batchWindowMs: batching.batchingWindowMs,
      pollIntervalMs,
      maxAttempts: Number(env.COMPLIANCE_MAX_ATTEMPTS ?? 3),
      deadLetterFile: name === "evaluator" ? deadLetterFile : join(stateDir, `${name}-dead-letter.jsonl`),
      checkpointFile: dataDir ? join(dataDir, `${name}-checkpoint.json`) : undefined,
      onError: (error) => logger.error(`${name} stream reader`, { error: error as Error }),
      onRecovered: (message) => logger.info(`${name} stream reader: ${message}`),
      taps,
      beforeDelivery: () => giveWay.giveWay(behind),
    });
    stops.push(() => poller.stop());
    return poller;
  };
  // one consumer reads both streams, as on AWS (two event source mappings on one function)
  const audit =
    bundles?.streams["audit-trail-consumer"] ?? createAuditTrailConsumer(() => auditTrailOf(runtime));
  // a local poll is cheap; polling the records stream often keeps POST → violation visible short
  const evaluator = await readStream(
    "records",
    "evaluator",
    bundles?.streams.evaluator ?? createEvaluatorHandler(source),
    STREAM_BATCHING.evaluator,
    50,
  );
  // behind: at least half a batch read and waiting (when it keeps up, it reads a few at a time)
  const evaluatorBehind = () => evaluator.backlog() >= STREAM_BATCHING.evaluator.batchSize / 2;
  const all = [
    evaluator,
    await readStream(
      "violations",
      "events",
      bundles?.streams.events ??
        createEventsHandler(
          () => sink,
          () => ({ store: platform.stats, timeZone: companyTimeZone(platform.set.org) }),
        ),
      STREAM_BATCHING.events,
      250,
      evaluatorBehind,
    ),
    await readStream("records", "audit-records", audit, STREAM_BATCHING.audit, 250, evaluatorBehind),
    await readStream("violations", "audit-violations", audit, STREAM_BATCHING.audit, 250, evaluatorBehind),
  ];
  return { evaluator, all };
}
