/**
 * Assembles the local platform (used by `npm start` and by the end-to-end tests) and takes it
 * down again, Java included: DynamoDB Local and the tables, the runtime (local-runtime.ts), the
 * audit trail's digests, the stream readers (stream-readers.ts), the sweeper, the HTTP server,
 * the bundles under COMPLIANCE_BUNDLES=1, the notifier, and the banner (startup-banner.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Context, DynamoDBStreamEvent } from "aws-lambda";
import { LOCAL_ROUTES } from "../api/local-routes.ts";
import { routeHandler } from "../api/router.ts";
import { createEvaluator } from "../core/engine/evaluate.ts";
import type { PolicySet } from "../core/policy/model.ts";
import { companyTimeZone } from "../core/time.ts";
import { createAuditorHandler } from "../handlers/auditor.ts";
import { createCasesHandler } from "../handlers/cases.ts";
import { createEvaluateHandler } from "../handlers/evaluate.ts";
import { createHealthHandler } from "../handlers/health.ts";
import { createIngestHandler } from "../handlers/ingest.ts";
import type { HttpEvent } from "../http/api.ts";
import { attachAudit, digestEveryMsFromEnv } from "../runtime/audit-runtime.ts";
import { policiesDir } from "../runtime/policy-files.ts";
import { loadPolicySet } from "../runtime/policy-folder.ts";
import { logger, type Runtime } from "../runtime/runtime.ts";
import { writeDigest } from "../service/audit.ts";
import { fileSink } from "../service/event-sinks.ts";
import type { DomainEvent, EventSink } from "../service/events.ts";
import { createPlatform, maxWaiverDaysFromEnv, type Platform } from "../service/platform.ts";
import { sweep } from "../service/sweep.ts";
import { fileAnchor } from "../store/audit-anchor.ts";
import { AuditLogStore } from "../store/audit-log.ts";
import { auditSources } from "../store/audit-sources.ts";
import { createTables } from "../store/create-tables.ts";
import { dynamoDbStorage } from "../store/dynamodb-storage.ts";
import type { TableNames } from "../store/tables.ts";
import { type AwsClients, createClients } from "./aws-clients.ts";
import {
  type BundledFunctions,
  bundlesWanted,
  HTTP_FUNCTIONS,
  STREAM_FUNCTIONS,
  startBundledFunctions,
} from "./bundled-functions.ts";
import { CONSOLE_DIST } from "./console-files.ts";
import { LOCAL_AUDIENCE } from "./dev-issuer.ts";
import { startDynamoDbLocal } from "./dynamodb-local.ts";
import { GiveWay } from "./give-way.ts";
import { startHttpServer } from "./http-server.ts";
import { type InvocationObserver, timed } from "./invocation-timing.ts";
import { LOCAL_FALLBACKS, localRuntime } from "./local-runtime.ts";
import { checkNotifySettings, type LocalNotifier, localNotifier, notifyingSink } from "./notifications.ts";
import { printBanner } from "./startup-banner.ts";
import { startStreamReaders } from "./stream-readers.ts";

export type { InvocationObserver } from "./invocation-timing.ts";
export { LOCAL_FALLBACKS } from "./local-runtime.ts";

export interface LocalPlatform {
  readonly url: string;
  readonly endpoint: string;
  readonly runtime: Runtime;
  /** Where ViolationOpened / ViolationResolved events are written (JSON lines). */
  readonly eventsFile: string;
  /** The notifier (CONTRACT §7): where mails and failed deliveries go. */
  readonly notifications: LocalNotifier;
  /** Resolves once every record now in the stream has been evaluated (or dead-lettered). */
  drained(): Promise<void>;
  /**
   * Resolves once the evaluator has judged every revision now in the records stream (its reader
   * alone: the events publisher and the audit trail may still be at work on what it wrote).
   */
  evaluated(): Promise<void>;
  /**
   * Disables or enables every stream reader at once, as disabling the event source mappings on
   * AWS: records wait in the streams meanwhile and nothing is lost. (The benchmark measures the
   * webhook alone this way; drained() waits for them to be enabled.)
   */
  setStreamConsumersEnabled(enabled: boolean): void;
  sweepNow(): Promise<void>;
  /** Seals the audit chains' heads into the next signed digest (also done periodically and at stop). */
  digestNow(): Promise<void>;
  stop(): Promise<void>;
}

/** What the parts of the local platform share while it starts. */
interface Parts {
  readonly env: NodeJS.ProcessEnv;
  readonly clients: AwsClients;
  readonly tables: TableNames;
  /** Its policy set is `platform.set`. */
  readonly platform: Platform;
  readonly runtime: Runtime;
  /** Dead letters, events, mails; the data folder, or a temporary one. */
  readonly stateDir: string;
  readonly dataDir: string | undefined;
  readonly observe: InvocationObserver | undefined;
  /** Run in reverse order at stop. */
  readonly stops: (() => Promise<void>)[];
  /** The stream readers give way to a busy webhook, the others to an evaluator that is behind (give-way.ts). */
  readonly giveWay: GiveWay;
}

export async function startPlatform(opts: {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  now?: () => Date;
  onInvocation?: InvocationObserver;
}): Promise<LocalPlatform> {
  const { env, notices } = withLocalFallbacks(opts.env);
  const set = loadPolicySet(policiesDir(env.COMPLIANCE_POLICIES_DIR));
  const dataDir = env.COMPLIANCE_DATA_DIR ? resolve(env.COMPLIANCE_DATA_DIR) : undefined;
  const database = env.COMPLIANCE_DYNAMODB_ENDPOINT ? undefined : await startDynamoDbLocal({ dataDir });
  const endpoint = env.COMPLIANCE_DYNAMODB_ENDPOINT ?? (database?.endpoint as string);
  const stops: (() => Promise<void>)[] = [async () => database?.stop()];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    const { clients, prefix, tables, platform } = await openPlatform(env, set, endpoint, opts.now);
    const cursorKey = env.COMPLIANCE_CURSOR_KEY ?? randomBytes(32).toString("hex");
    // the server's URL, known once it listens (the development issuer's, the notifier's links)
    let url = "";
    const { runtime, signInFromEnv } = await localRuntime({
      platform,
      dynamodb: { doc: clients.doc, tables },
      env,
      cursorKey,
      url: () => url,
    });

    const { stateDir, deadLetterFile, eventsFile } = stateFiles(dataDir);
    const observe = opts.onInvocation;
    const giveWay = new GiveWay();
    const parts: Parts = {
      env,
      clients,
      tables,
      platform,
      runtime,
      stateDir,
      dataDir,
      observe,
      stops,
      giveWay,
    };
    // the notifier needs the server's URL for its links: built once the server listens (its
    // settings are checked now, so a bad one stops the start before anything runs)
    checkNotifySettings(env, set.org);
    const notifier = Promise.withResolvers<LocalNotifier>();
    const sink = eventSink(eventsFile, notifier.promise, observe);
    const audit = await startAuditTrail(parts);

    // COMPLIANCE_BUNDLES=1: the functions are the bundles cdk synth builds, with the template's
    // environment (bundled-functions.ts). They start once the server listens (their sign-in issuer is
    // its URL); until then calls wait for them.
    const useBundles = bundlesWanted(env);
    const bundlesReady = Promise.withResolvers<BundledFunctions>();
    bundlesReady.promise.catch(() => {}); // a failed start is reported by startPlatform itself
    const bundles = useBundles ? bundleProxies(bundlesReady.promise) : undefined;

    const readers = await startStreamReaders({ ...parts, sink, bundles, deadLetterFile });
    audit.startTimer();
    const sweeper = startSweeper(parts, notifier.promise);

    const server = await startServer(parts, bundles);
    stops.push(() => new Promise<void>((done) => server.close(() => done())));
    const { port } = server.address() as AddressInfo;
    url = `http://127.0.0.1:${port}`;
    if (useBundles) {
      const at = { url, endpoint, prefix, cursorKey, sink, log: opts.log, now: opts.now };
      await startLocalBundles(parts, { ...at, anchorDir: audit.anchorDir }, bundlesReady);
    }
    const notifications = localNotifier({
      ...parts,
      doc: clients.doc,
      publicUrl: url,
      log: logger,
    });
    notifier.resolve(notifications);

    await printBanner({
      ...parts,
      set,
      log: opts.log,
      url,
      endpoint,
      localDatabase: database !== undefined,
      eventsFile,
      deadLetterFile,
      notifications,
      anchorWhere: audit.anchorWhere,
      sweepEvery: sweeper.every,
      digestEvery: audit.digestEvery,
      notices,
      signInFromEnv,
    });
    return {
      url,
      endpoint,
      runtime,
      eventsFile,
      notifications,
      drained: async () => {
        // twice: evaluating records writes violations, whose stream the second reader then carries
        for (let round = 0; round < 2; round++) for (const p of readers.all) await p.drained();
      },
      evaluated: () => readers.evaluator.drained(),
      setStreamConsumersEnabled: (enabled: boolean) => {
        for (const poller of readers.all) poller.setEnabled(enabled);
      },
      sweepNow: sweeper.sweepNow,
      digestNow: audit.digestNow,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Where the platform keeps dead letters, events and mails: the data folder, or a temporary one. */
function stateFiles(dataDir: string | undefined) {
  const stateDir = dataDir ?? join(tmpdir(), `compliance-${process.pid}`);
  mkdirSync(stateDir, { recursive: true });
  return {
    stateDir,
    deadLetterFile: join(stateDir, "dead-letter.jsonl"),
    eventsFile: join(stateDir, "events.jsonl"),
  };
}

/** The tables (created where missing) and the platform on them, with the policy versions published. */
async function openPlatform(env: NodeJS.ProcessEnv, set: PolicySet, endpoint: string, now?: () => Date) {
  const clients = createClients(endpoint);
  const prefix = env.COMPLIANCE_TABLE_PREFIX ?? "compliance-";
  const tables = await createTables(clients.dynamodb, prefix);
  const platform = createPlatform({
    set,
    storage: dynamoDbStorage(clients.doc, tables),
    compile: createEvaluator,
    now,
    maxWaiverDays: maxWaiverDaysFromEnv(env),
  });
  await platform.policyVersions.publish(set.versions, platform.now().toISOString());
  return { clients, prefix, tables, platform };
}

/** The environment with a local development value for each unset LOCAL_FALLBACKS variable, and notices saying so. */
function withLocalFallbacks(given: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; notices: string[] } {
  const env = { ...given };
  const notices: string[] = [];
  for (const [name, fallback] of Object.entries(LOCAL_FALLBACKS)) {
    if (!env[name]) {
      env[name] = fallback;
      notices.push(`${name} not set: using the local development value`);
    }
  }
  return { env, notices };
}

/** The events file, and the notifier told of every event once it is built (timed for an observer). */
function eventSink(
  eventsFile: string,
  notifierBuilt: Promise<LocalNotifier>,
  observe: InvocationObserver | undefined,
): EventSink {
  return notifyingSink(fileSink(eventsFile), async () => {
    const { notifier } = await notifierBuilt;
    if (!observe) return notifier;
    const notify: typeof notifier.notify = timed(
      "notifier",
      notifier.notify.bind(notifier),
      (e) => e.length,
      observe,
    );
    return Object.assign(Object.create(notifier), { notify }) as typeof notifier;
  });
}

/**
 * The audit trail's digests: both streams feed the audit handler (stream-readers.ts); a signed
 * digest is written now (sealing what a previous run left unsealed), every interval and at stop.
 */
async function startAuditTrail(parts: Parts) {
  const { env, clients, tables, platform, runtime, stateDir, stops } = parts;
  const auditKey = env.COMPLIANCE_AUDIT_KEY as string;
  // digests are anchored outside the tables: a file in the data folder (in memory: the temporary
  // folder printed below), so deleting the audit tables cannot delete the evidence
  const digestEvery = digestEveryMsFromEnv(env);
  const anchorDir = env.COMPLIANCE_AUDIT_ANCHOR_DIR ? resolve(env.COMPLIANCE_AUDIT_ANCHOR_DIR) : stateDir;
  const anchor = fileAnchor(anchorDir);
  const audit = attachAudit(runtime, {
    store: new AuditLogStore(clients.doc, tables),
    key: async () => auditKey,
    now: platform.now,
    anchor,
    sources: auditSources(clients.doc, tables),
    digestEveryMs: digestEvery,
  });
  const digestNow = async (opts: { start?: boolean } = {}) => {
    const result = await writeDigest(audit, opts);
    if (result.written) logger.info("audit digest", { ...result });
  };
  // at start: seals what a previous run left unsealed (a kill, a crash), so downtime leaves no gap
  await digestNow({ start: true });
  stops.push(() => digestNow().catch((error) => logger.error("audit digest", { error })));
  /** A digest every interval, from now on (started after the stream readers: stopped before them). */
  const startTimer = () => {
    const digestTimer = setInterval(
      () => void digestNow().catch((error) => logger.error("audit digest", { error })),
      digestEvery,
    );
    digestTimer.unref();
    stops.push(async () => clearInterval(digestTimer));
  };
  return { digestNow: () => digestNow(), startTimer, digestEvery, anchorDir, anchorWhere: anchor.where };
}

/** The bundles' handlers, callable before the bundles start: each call waits for them. */
interface BundleProxies {
  readonly http: Pick<BundledFunctions["http"], (typeof HTTP_FUNCTIONS)[number]>;
  readonly streams: BundledFunctions["streams"];
}

function bundleProxies(ready: Promise<BundledFunctions>): BundleProxies {
  return {
    http: Object.fromEntries(
      HTTP_FUNCTIONS.map((name) => [
        name,
        async (event: HttpEvent, context: Context) => (await ready).http[name](event, context),
      ]),
    ) as unknown as Pick<BundledFunctions["http"], (typeof HTTP_FUNCTIONS)[number]>,
    streams: Object.fromEntries(
      STREAM_FUNCTIONS.map((name) => [
        name,
        async (event: DynamoDBStreamEvent) => (await ready).streams[name](event),
      ]),
    ) as unknown as BundledFunctions["streams"],
  };
}

/** The sweeper every COMPLIANCE_SWEEP_INTERVAL_S (60 s): due records and violations, then the notifier's reminders. */
function startSweeper(parts: Parts, notifierBuilt: Promise<LocalNotifier>) {
  const { env, platform, stops } = parts;
  const sweepEvery = Number(env.COMPLIANCE_SWEEP_INTERVAL_S ?? 60) * 1000;
  const sweepNow = async () => {
    const result = await sweep(platform, logger);
    if (result.due > 0) logger.info("sweep", { ...result });
    const notified = await (await notifierBuilt).notifier.sweep();
    if (notified.reminders + notified.digests + notified.failed > 0)
      logger.info("notification sweep", { ...notified });
  };
  const timer = setInterval(
    () => void sweepNow().catch((error) => logger.error("sweep", { error })),
    sweepEvery,
  );
  timer.unref();
  stops.push(async () => clearInterval(timer));
  return { sweepNow, every: sweepEvery };
}

/** The HTTP server: the API's functions (timed for an observer), the local routes and the console. */
function startServer(parts: Parts, bundles: BundleProxies | undefined): Promise<Server> {
  const { env, platform, runtime, observe } = parts;
  const source = () => runtime;
  return startHttpServer(
    {
      health: timed("health", bundles?.http.health ?? createHealthHandler(source), () => 1, observe),
      ingest: timed("ingest", bundles?.http.ingest ?? createIngestHandler(source), () => 1, observe),
      evaluate: timed("evaluate", bundles?.http.evaluate ?? createEvaluateHandler(source), () => 1, observe),
      auditor: timed("auditor", bundles?.http.auditor ?? createAuditorHandler(source), () => 1, observe),
      cases: timed("cases", bundles?.http.cases ?? createCasesHandler(source), () => 1, observe),
      // the development issuer's routes are never deployed: always from source
      local: routeHandler(LOCAL_ROUTES, source),
    },
    Number(env.PORT ?? 3000),
    "127.0.0.1",
    {
      root: CONSOLE_DIST,
      // the company's time zone (CONTRACT §8: org.yaml timeZone, default Asia/Shanghai)
      config: { signIn: "local", timeZone: companyTimeZone(platform.set.org) },
    },
    parts.giveWay,
  );
}

/** COMPLIANCE_BUNDLES=1: the bundles started against this server; their events come back through the local EventBridge. */
async function startLocalBundles(
  parts: Parts,
  at: {
    url: string;
    endpoint: string;
    prefix: string;
    cursorKey: string;
    anchorDir: string;
    sink: EventSink;
    log: (line: string) => void;
    now: (() => Date) | undefined;
  },
  ready: PromiseWithResolvers<BundledFunctions>,
): Promise<void> {
  const { env, tables, runtime, stops } = parts;
  const { url, sink } = at;
  // their events come back through the local EventBridge to the local event path
  const started = await startBundledFunctions({
    env,
    endpoint: at.endpoint,
    tables: { ...tables },
    tablePrefix: at.prefix,
    secrets: {
      webhook: await runtime.credentials.webhookSecrets(),
      cursorKey: at.cursorKey,
      auditKey: env.COMPLIANCE_AUDIT_KEY as string,
    },
    anchorDir: at.anchorDir,
    apiUrl: url,
    // the sign-in issuer: the process's (a company SSO) or this server, the development issuer
    signIn: env.COMPLIANCE_OIDC_ISSUER
      ? {
          issuer: env.COMPLIANCE_OIDC_ISSUER,
          audiences: env.COMPLIANCE_OIDC_AUDIENCES ?? "",
          ...(env.COMPLIANCE_OIDC_JWKS_URL ? { jwksUrl: env.COMPLIANCE_OIDC_JWKS_URL } : {}),
        }
      : { issuer: url, audiences: LOCAL_AUDIENCE, jwksUrl: `${url}/.well-known/jwks.json` },
    ...(at.now ? { now: at.now } : {}),
    onEvents: (entries) =>
      sink.publish(
        entries.map((e) => {
          const { eventKey, ...detail } = JSON.parse(e.Detail ?? "{}") as { eventKey: string };
          return { detailType: e.DetailType, key: eventKey, detail } as DomainEvent;
        }),
      ),
    log: at.log,
  }).catch((error: unknown) => {
    ready.reject(error);
    throw error;
  });
  stops.push(() => started.stop());
  ready.resolve(started);
}
