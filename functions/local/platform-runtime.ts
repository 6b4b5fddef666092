/**
 * Assembles the local platform (used by `npm start` and by the end-to-end tests) and takes it
 * down again, Java included.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Context, DynamoDBStreamEvent } from "aws-lambda";
import { RECORD_TYPES } from "../../schemas/record.ts";
import { LOCAL_ROUTES } from "../api/local-routes.ts";
import { routeHandler } from "../api/router.ts";
import { directoryOf } from "../core/directory.ts";
import { createEvaluator } from "../core/engine/evaluate.ts";
import { companyTimeZone } from "../core/time.ts";
import { createAuditHandler } from "../handlers/audit.ts";
import { createAuditorHandler } from "../handlers/auditor.ts";
import { createCasesHandler } from "../handlers/cases.ts";
import { createEvaluateHandler } from "../handlers/evaluate.ts";
import { createEvaluatorHandler } from "../handlers/evaluator.ts";
import { createEventsHandler } from "../handlers/events.ts";
import { createHealthHandler } from "../handlers/health.ts";
import { createIngestHandler } from "../handlers/ingest.ts";
import type { HttpEvent } from "../http/api.ts";
import { credentialsFromEnv } from "../http/credentials.ts";
import { createTokenVerifier, localKeys, type TokenVerifier } from "../http/oidc.ts";
import { verifierFromEnv } from "../http/sign-in-env.ts";
import { attachAudit } from "../runtime/audit-runtime.ts";
import { policiesDir } from "../runtime/policy-files.ts";
import { loadPolicySet } from "../runtime/policy-folder.ts";
import { logger, type Runtime } from "../runtime/runtime.ts";
import { STREAM_BATCHING, type StreamBatching } from "../runtime/stream-settings.ts";
import { writeDigest } from "../service/audit.ts";
import { fileSink } from "../service/event-sinks.ts";
import type { DomainEvent } from "../service/events.ts";
import { createPlatform, maxWaiverDaysFromEnv } from "../service/platform.ts";
import { sweep } from "../service/sweep.ts";
import { fileAnchor } from "../store/audit-anchor.ts";
import { AuditLogStore } from "../store/audit-log.ts";
import { auditSources } from "../store/audit-sources.ts";
import { createTables } from "../store/create-tables.ts";
import { createClients } from "./aws-clients.ts";
import {
  type BundledFunctions,
  bundlesWanted,
  HTTP_FUNCTIONS,
  STREAM_FUNCTIONS,
  startBundledFunctions,
} from "./bundled-functions.ts";
import { CONSOLE_DIST, CONSOLE_PATH } from "./console-files.ts";
import { createDevIssuer, LOCAL_AUDIENCE } from "./dev-issuer.ts";
import { startDynamoDbLocal } from "./dynamodb-local.ts";
import { startHttpServer } from "./http-server.ts";
import { checkNotifySettings, type LocalNotifier, localNotifier, notifyingSink } from "./notifications.ts";
import { type StreamPollerOptions, startStreamPoller } from "./stream-poller.ts";

type StreamHandler = StreamPollerOptions["handler"];

export const LOCAL_FALLBACKS = {
  COMPLIANCE_WEBHOOK_SECRETS: "local=local-dev-secret",
  COMPLIANCE_AUDITOR_TOKEN: "local-auditor-token",
  COMPLIANCE_AUDIT_KEY: "local-audit-key",
} as const;

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

/**
 * Told after every call of a function's handler (the benchmark times them for the cost figure):
 * the function, the call's wall time and how many items it carried (stream records, events; 1 for
 * an HTTP request). Locally the notifier runs inside the events handler's call; its time is
 * reported on its own as `notifier` and is part of the `events` call's time too.
 */
export type InvocationObserver = (fn: string, ms: number, items: number) => void;

/** Wraps a handler so that every call is told to `observe` (nothing when there is no observer). */
function timed<E, R, A extends unknown[]>(
  fn: string,
  handler: (event: E, ...rest: A) => Promise<R>,
  items: (event: E) => number,
  observe: InvocationObserver | undefined,
): typeof handler {
  if (!observe) return handler;
  return async (event, ...rest) => {
    const start = performance.now();
    try {
      return await handler(event, ...rest);
    } finally {
      observe(fn, performance.now() - start, items(event));
    }
  };
}

export async function startPlatform(opts: {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  now?: () => Date;
  onInvocation?: InvocationObserver;
}): Promise<LocalPlatform> {
  const env = { ...opts.env };
  const notices: string[] = [];
  for (const [name, fallback] of Object.entries(LOCAL_FALLBACKS)) {
    if (!env[name]) {
      env[name] = fallback;
      notices.push(`${name} not set: using the local development value`);
    }
  }
  const set = loadPolicySet(policiesDir(env.COMPLIANCE_POLICIES_DIR));
  const dataDir = env.COMPLIANCE_DATA_DIR ? resolve(env.COMPLIANCE_DATA_DIR) : undefined;
  const database = env.COMPLIANCE_DYNAMODB_ENDPOINT ? undefined : await startDynamoDbLocal({ dataDir });
  const endpoint = env.COMPLIANCE_DYNAMODB_ENDPOINT ?? (database?.endpoint as string);
  const stops: (() => Promise<void>)[] = [async () => database?.stop()];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    const clients = createClients(endpoint);
    const prefix = env.COMPLIANCE_TABLE_PREFIX ?? "compliance-";
    const tables = await createTables(clients.dynamodb, prefix);
    const platform = createPlatform({
      set,
      compile: createEvaluator,
      doc: clients.doc,
      tables,
      now: opts.now,
      maxWaiverDays: maxWaiverDaysFromEnv(env),
    });
    await platform.policyVersions.publish(set.versions, platform.now().toISOString());
    const cursorKey = env.COMPLIANCE_CURSOR_KEY ?? randomBytes(32).toString("hex");
    // the development issuer (CONTRACT §6): its URL is the server's, known once it listens; its
    // tokens are verified by the same code as on Lambda, against its own JWKS
    let url = "";
    const issuer = await createDevIssuer(
      () => url,
      () => directoryOf(platform.set.org),
    );
    const fromEnv = credentialsFromEnv(env, verifierFromEnv, RECORD_TYPES);
    let devVerifier: TokenVerifier | undefined;
    const verifyToken: TokenVerifier =
      fromEnv.verifyToken ??
      ((token, now) => {
        devVerifier ??= createTokenVerifier({
          issuer: url,
          audiences: [LOCAL_AUDIENCE],
          keys: localKeys(issuer.jwks),
        });
        return devVerifier(token, now);
      });
    const runtime: Runtime = {
      platform,
      credentials: { ...fromEnv, verifyToken },
      logger,
      cursorKey: async () => cursorKey,
      devIssuer: issuer,
      // /health reports whether DynamoDB answers (one read of a key that never exists)
      readiness: async () => {
        try {
          await platform.records.getHead("health#probe");
          return { dynamodb: "ok" };
        } catch {
          return { dynamodb: "unavailable" };
        }
      },
    };
    const source = () => runtime;

    const stateDir = dataDir ?? join(tmpdir(), `compliance-${process.pid}`);
    mkdirSync(stateDir, { recursive: true });
    const deadLetterFile = join(stateDir, "dead-letter.jsonl");
    const eventsFile = join(stateDir, "events.jsonl");
    // the notifier needs the server's URL for its links: built once the server listens (its
    // settings are checked now, so a bad one stops the start before anything runs)
    checkNotifySettings(env, set.org);
    let notifierReady: (n: LocalNotifier) => void = () => {};
    const notifierBuilt = new Promise<LocalNotifier>((resolve) => {
      notifierReady = resolve;
    });
    const observe = opts.onInvocation;
    const sink = notifyingSink(fileSink(eventsFile), async () => {
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

    // the audit trail: both streams → the audit handler; a signed digest every interval and at stop
    const auditKey = env.COMPLIANCE_AUDIT_KEY as string;
    // digests are anchored outside the tables: a file in the data folder (in memory: the temporary
    // folder printed below), so deleting the audit tables cannot delete the evidence
    const digestEvery = Number(env.COMPLIANCE_DIGEST_INTERVAL_S ?? 300) * 1000;
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

    // COMPLIANCE_BUNDLES=1: the functions are the bundles cdk synth builds, with the template's
    // environment (bundled-functions.ts). They start once the server listens (their sign-in issuer is
    // its URL); until then calls wait for them.
    const useBundles = bundlesWanted(env);
    let bundlesStarted: (b: BundledFunctions) => void = () => {};
    let bundlesFailed: (e: unknown) => void = () => {};
    const bundlesReady = new Promise<BundledFunctions>((resolve, reject) => {
      bundlesStarted = resolve;
      bundlesFailed = reject;
    });
    bundlesReady.catch(() => {}); // a failed start is reported by startPlatform itself
    const bundles = useBundles
      ? {
          http: Object.fromEntries(
            HTTP_FUNCTIONS.map((name) => [
              name,
              async (event: HttpEvent, context: Context) => (await bundlesReady).http[name](event, context),
            ]),
          ) as unknown as Pick<BundledFunctions["http"], (typeof HTTP_FUNCTIONS)[number]>,
          streams: Object.fromEntries(
            STREAM_FUNCTIONS.map((name) => [
              name,
              async (event: DynamoDBStreamEvent) => (await bundlesReady).streams[name](event),
            ]),
          ) as unknown as BundledFunctions["streams"],
        }
      : undefined;

    // One reader per consumer, as each Lambda event source mapping is its own reader: the evaluator
    // never waits for the audit trail. Batch sizes and windows are the deployment's (STREAM_BATCHING).
    const readStream = async (
      table: "records" | "violations",
      name: string,
      handler: StreamHandler,
      batching: StreamBatching,
      pollIntervalMs: number,
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
      });
      stops.push(() => poller.stop());
      return poller;
    };
    // a local poll is cheap; polling the records stream often keeps POST → violation visible short
    const pollers = [
      await readStream(
        "records",
        "evaluator",
        bundles?.streams.evaluator ?? createEvaluatorHandler(source),
        STREAM_BATCHING.evaluator,
        50,
      ),
      await readStream(
        "violations",
        "events",
        bundles?.streams.events ??
          createEventsHandler(
            () => sink,
            () => ({ store: platform.stats, timeZone: companyTimeZone(set.org) }),
          ),
        STREAM_BATCHING.events,
        250,
      ),
      await readStream(
        "records",
        "audit-records",
        bundles?.streams.audit ?? createAuditHandler(source),
        STREAM_BATCHING.audit,
        250,
      ),
      await readStream(
        "violations",
        "audit-violations",
        bundles?.streams.audit ?? createAuditHandler(source),
        STREAM_BATCHING.audit,
        250,
      ),
    ];
    const digestTimer = setInterval(
      () => void digestNow().catch((error) => logger.error("audit digest", { error })),
      digestEvery,
    );
    digestTimer.unref();
    stops.push(async () => clearInterval(digestTimer));

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

    const server: Server = await startHttpServer(
      {
        health: timed("health", bundles?.http.health ?? createHealthHandler(source), () => 1, observe),
        ingest: timed("ingest", bundles?.http.ingest ?? createIngestHandler(source), () => 1, observe),
        evaluate: timed(
          "evaluate",
          bundles?.http.evaluate ?? createEvaluateHandler(source),
          () => 1,
          observe,
        ),
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
        config: { signIn: "local", timeZone: companyTimeZone(set.org) },
      },
    );
    stops.push(() => new Promise<void>((done) => server.close(() => done())));
    const { port } = server.address() as AddressInfo;
    url = `http://127.0.0.1:${port}`;
    if (useBundles) {
      // their events come back through the local EventBridge to the local event path
      const started = await startBundledFunctions({
        env,
        endpoint,
        tables: { ...tables },
        tablePrefix: prefix,
        secrets: {
          webhook: await runtime.credentials.webhookSecrets(),
          cursorKey,
          auditKey,
        },
        anchorDir,
        apiUrl: url,
        // the sign-in issuer: the process's (a company SSO) or this server, the development issuer
        signIn: env.COMPLIANCE_OIDC_ISSUER
          ? {
              issuer: env.COMPLIANCE_OIDC_ISSUER,
              audiences: env.COMPLIANCE_OIDC_AUDIENCES ?? "",
              ...(env.COMPLIANCE_OIDC_JWKS_URL ? { jwksUrl: env.COMPLIANCE_OIDC_JWKS_URL } : {}),
            }
          : { issuer: url, audiences: LOCAL_AUDIENCE, jwksUrl: `${url}/.well-known/jwks.json` },
        ...(opts.now ? { now: opts.now } : {}),
        onEvents: (entries) =>
          sink.publish(
            entries.map((e) => {
              const { eventKey, ...detail } = JSON.parse(e.Detail ?? "{}") as { eventKey: string };
              return { detailType: e.DetailType, key: eventKey, detail } as DomainEvent;
            }),
          ),
        log: opts.log,
      }).catch((error: unknown) => {
        bundlesFailed(error);
        throw error;
      });
      stops.push(() => started.stop());
      bundlesStarted(started);
    }

    const notifications = localNotifier({
      env,
      platform,
      doc: clients.doc,
      tables,
      stateDir,
      publicUrl: url,
      log: {
        error: (message, extra) => logger.error(message, extra),
        info: (message, extra) => logger.info(message, extra),
      },
    });
    notifierReady(notifications);

    opts.log(`compliance platform at ${url}  (API description: ${url}/openapi.json)`);
    opts.log(`web console: ${url}${CONSOLE_PATH}`);
    opts.log(
      `DynamoDB endpoint ${endpoint}${database ? (dataDir ? ` (DynamoDB Local, data in ${dataDir})` : " (DynamoDB Local, in memory)") : ""}`,
    );
    opts.log(`tables: ${Object.values(tables).join(", ")}`);
    opts.log(`policies: ${set.versions.map((v) => `${v.id} v${v.version}`).join(", ")}`);
    opts.log(`events (ViolationOpened/Resolved): ${eventsFile}; dead letters: ${deadLetterFile}`);
    for (const line of notifications.banner) opts.log(line);
    opts.log(`audit digests anchored in ${anchor.where}`);
    opts.log(`sweeper every ${sweepEvery / 1000} s; audit digest every ${digestEvery / 1000} s`);
    for (const notice of notices) opts.log(`notice: ${notice}`);
    // the local development values are printed (CONTRACT §5); secrets a user set never are
    const shown = (name: keyof typeof LOCAL_FALLBACKS, value: string) =>
      env[name] === LOCAL_FALLBACKS[name] ? value : `(from ${name})`;
    const clientIds = [...(await runtime.credentials.webhookSecrets()).keys()].join(", ");
    opts.log(
      `ingest clients: ${clientIds}; secret ${shown("COMPLIANCE_WEBHOOK_SECRETS", "local-dev-secret")}`,
    );
    opts.log(
      `machine reader (reads, never acts): Authorization: Bearer ${shown("COMPLIANCE_AUDITOR_TOKEN", LOCAL_FALLBACKS.COMPLIANCE_AUDITOR_TOKEN)}`,
    );
    if (fromEnv.verifyToken)
      opts.log(
        `people sign in with ${env.COMPLIANCE_OIDC_ISSUER} (COMPLIANCE_OIDC_ISSUER); the development issuer's tokens are not accepted`,
      );
    else {
      const directory = directoryOf(platform.set.org);
      const someone =
        directory.people.find((p) => directory.isAuditor(p.id))?.id ?? directory.people[0]?.id ?? "<person>";
      opts.log(
        `people: this server is its own development OpenID issuer (local only, never deployed): ${url}/.well-known/openid-configuration`,
      );
      opts.log(
        `  sign in as anyone of the directory (GET ${url}/local/people): npx compliance login ${someone} --url ${url}`,
      );
      opts.log(
        `  or: curl -s -X POST ${url}/local/sign-in -H 'content-type: application/json' -d '{"person":"${someone}"}'; then Authorization: Bearer <token>`,
      );
    }
    opts.log("ready");
    const drained = async () => {
      // twice: evaluating records writes violations, whose stream the second reader then carries
      for (let round = 0; round < 2; round++) for (const p of pollers) await p.drained();
    };
    const setStreamConsumersEnabled = (enabled: boolean) => {
      for (const poller of pollers) poller.setEnabled(enabled);
    };
    return {
      url,
      endpoint,
      runtime,
      eventsFile,
      notifications,
      drained,
      setStreamConsumersEnabled,
      sweepNow,
      digestNow,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
