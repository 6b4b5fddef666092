/**
 * `COMPLIANCE_BUNDLES=1`: the local runtime's functions are the bundles `cdk synth` builds
 * (lambda-bundles.ts), each in its own worker (bundle-host.ts) with the template's environment,
 * instead of the handlers' source. What stands in for AWS, and nothing else, is local:
 *   - the template's references: tables → their local names, secrets → local ARNs served by the
 *     local Secrets Manager (local-aws.ts), the bus → the local event path, the digest bucket →
 *     the local anchor folder, the sign-in issuer → the development issuer (this server) or the
 *     process's COMPLIANCE_OIDC_*;
 *   - what Lambda's runtime sets (AWS_REGION, credentials, the function's name) and where the SDK
 *     clients send their calls (AWS_ENDPOINT_URL_DYNAMODB / _SECRETS_MANAGER / _EVENTBRIDGE);
 *   - the machine reader's static token (COMPLIANCE_AUDITOR_TOKEN) stands in for the machine
 *     client's tokens, as under `npm start`;
 *   - POWERTOOLS_LOG_LEVEL, when the process sets one (tests keep the output quiet).
 * The HTTP functions and the three stream consumers (evaluator, events, audit) run as bundles; the
 * scheduled ones (sweeper, digester), the notifier and the policy publisher still run from source.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import type { DeployedFunctionName } from "../api/routes.ts";
import type { HttpEvent, HttpResult } from "../http/api.ts";
import { type HostedBundle, hostBundle } from "./bundle-host.ts";
import type { Handlers } from "./http-server.ts";
import { type BundledFunction, type LocalResources, synthesizeBundles } from "./lambda-bundles.ts";
import { type PutEventsEntry, startLocalAws } from "./local-aws.ts";

export const HTTP_FUNCTIONS: readonly DeployedFunctionName[] = [
  "health",
  "ingest",
  "evaluate",
  "auditor",
  "cases",
];
export const STREAM_FUNCTIONS = ["evaluator", "events", "audit-trail-consumer"] as const;

type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

export interface BundledFunctions {
  readonly http: Handlers;
  readonly streams: Readonly<Record<(typeof STREAM_FUNCTIONS)[number], StreamHandler>>;
  /** Each bundle's file and local environment, as started. */
  readonly functions: readonly BundledFunction[];
  stop(): Promise<void>;
}

export function bundlesWanted(env: NodeJS.ProcessEnv): boolean {
  return /^(1|true|yes)$/i.test(env.COMPLIANCE_BUNDLES ?? "");
}

export async function startBundledFunctions(opts: {
  readonly env: NodeJS.ProcessEnv;
  readonly endpoint: string;
  readonly tables: Readonly<Record<string, string>>;
  readonly tablePrefix: string;
  readonly secrets: {
    readonly webhook: ReadonlyMap<string, string>;
    readonly cursorKey: string;
    readonly auditKey: string;
  };
  readonly anchorDir: string;
  readonly apiUrl: string;
  /** Who signs people's tokens locally (stands in for the stack's sign-in issuer). */
  readonly signIn: LocalResources["signIn"];
  /** The runtime's clock when it is not the real one (tests). */
  readonly now?: () => Date;
  readonly onEvents: (entries: readonly PutEventsEntry[]) => Promise<void>;
  readonly log: (line: string) => void;
}): Promise<BundledFunctions> {
  const busName = "compliance-local-bus";
  const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:000000000000:secret:local-${name}`;
  const secretValues = new Map<string, string>([
    [arn("webhookSecrets"), JSON.stringify(Object.fromEntries(opts.secrets.webhook))],
    [arn("cursorKey"), opts.secrets.cursorKey],
    [arn("auditKey"), opts.secrets.auditKey],
    [arn("notifySecrets"), "{}"],
  ]);
  const started = performance.now();
  // a cloud assembly of this run's own, removed at stop
  const outdir = mkdtempSync(join(tmpdir(), "compliance-bundles-"));
  const removeAssembly = () => rmSync(outdir, { recursive: true, force: true });
  let functions: BundledFunction[];
  try {
    functions = synthesizeBundles(
      {
        tableName: (logical) => {
          // the stack names tables by their definitions' names (functions/store/tables.ts), as the prefix does
          const name = `${opts.tablePrefix}${logical}`;
          if (!Object.values(opts.tables).includes(name)) throw new Error(`no local table ${logical}`);
          return name;
        },
        secretArn: arn,
        busName,
        apiUrl: opts.apiUrl,
        anchorDir: opts.anchorDir,
        signIn: opts.signIn,
      },
      outdir,
    );
  } catch (error) {
    removeAssembly();
    throw error;
  }
  opts.log(
    `bundles: synthesized ${functions.length} functions as cdk synth does in ${Math.round(performance.now() - started)} ms`,
  );
  const aws = await startLocalAws({ secrets: secretValues, busName, onEvents: opts.onEvents });
  const hosted = new Map<string, HostedBundle>();
  const stopAll = async () => {
    for (const h of hosted.values()) await h.stop().catch(() => {});
    await aws.stop();
    removeAssembly();
  };
  try {
    for (const name of [...HTTP_FUNCTIONS, ...STREAM_FUNCTIONS]) {
      const fn = functions.find((f) => f.handler === name);
      if (!fn) throw new Error(`the CDK app has no ${name} function`);
      const env = lambdaEnvironment(name, fn.env, opts.env, opts.endpoint, aws.url);
      hosted.set(
        name,
        await hostBundle({ name, file: fn.file, env, ...(opts.now ? { now: opts.now } : {}) }),
      );
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  const invoke = (name: string) => hosted.get(name) as HostedBundle;
  const http = Object.fromEntries(
    HTTP_FUNCTIONS.map((name) => [
      name,
      (event: HttpEvent, context: { awsRequestId?: string }) =>
        invoke(name).invoke(event, context) as Promise<HttpResult>,
    ]),
  ) as unknown as Handlers;
  const stream =
    (name: string): StreamHandler =>
    async (event) =>
      (await invoke(name).invoke(event)) as DynamoDBBatchResponse | undefined;
  return {
    http,
    streams: {
      evaluator: stream("evaluator"),
      events: stream("events"),
      "audit-trail-consumer": stream("audit-trail-consumer"),
    },
    functions,
    stop: stopAll,
  };
}

/**
 * What one bundled function runs with: the template's environment, what Lambda's runtime sets,
 * where its SDK clients send their calls, and the few settings `npm start` passes on from its own
 * environment (the machine reader's token, the ingest clients' limits, the log level).
 */
function lambdaEnvironment(
  name: string,
  template: Readonly<Record<string, string>>,
  given: NodeJS.ProcessEnv,
  endpoint: string,
  awsUrl: string,
): Record<string, string> {
  const env: Record<string, string> = {
    ...template,
    // what Lambda's runtime sets
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_LAMBDA_FUNCTION_NAME: name,
    // where the SDK clients send their calls
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: awsUrl,
    AWS_ENDPOINT_URL_EVENTBRIDGE: awsUrl,
  };
  // the machine reader's static token stands in for the machine client's tokens (Cognito on AWS),
  // for the functions that verify people's tokens, as under `npm start`
  if (env.COMPLIANCE_OIDC_ISSUER || env.COMPLIANCE_AUTH_MODE === "iam") {
    if (env.COMPLIANCE_AUTH_MODE === "iam") delete env.COMPLIANCE_AUTH_MODE;
    for (const v of ["COMPLIANCE_AUDITOR_TOKEN", "COMPLIANCE_CASE_HANDLER_TOKEN"])
      if (given[v]) env[v] = given[v] as string;
  }
  // the ingest clients' limits, for the functions that take signed records (the others refuse them)
  if (name === "ingest" || name === "evaluate")
    for (const v of ["COMPLIANCE_INGEST_RECORD_TYPES", "COMPLIANCE_REQUIRE_SIGNATURE_V2"])
      if (given[v] && !(v in env)) env[v] = given[v] as string;
  const logLevel = given.POWERTOOLS_LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL;
  if (logLevel) env.POWERTOOLS_LOG_LEVEL = logLevel;
  return env;
}
