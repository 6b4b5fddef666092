/**
 * Lambda bundles: each function's minified size (the AWS SDK clients bundled and tree-shaken, the
 * policy set compiled in where the function carries it — the esbuild settings of infra/bundling.ts,
 * which CDK receives too) and a cold-start proxy: the median, over 10 fresh Node processes, of
 * importing the bundle and running one offline first invocation (which builds the runtime: the
 * policy set, clients; rules are compiled on the first evaluation), against a bare `node -e 0`
 * measured in the same run. Every
 * function of the CDK app is measured (the list is read from the synthesized app, so a new
 * function cannot be left out). Budget per function: ≤ 500,000 bytes and ≤ 3× the bare start.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { build } from "esbuild";
import { BUNDLE_BUDGET_BYTES, esbuildOptions } from "../infra/bundling.ts";
import { ComplianceFunction } from "../infra/constructs/function.ts";
import { ComplianceStack } from "../infra/stack.ts";
import { median, round } from "./statistics.ts";

export { BUNDLE_BUDGET_BYTES };
export const COLD_START_BUDGET_RATIO = 3;
const RUNS = 10;

/** A first invocation that needs no network: it builds the runtime, then stops before any AWS call. */
const FIRST_INVOCATION: Record<string, string> = {
  ingest: `{ routeKey: "POST /v1/records", headers: {}, body: "{}", isBase64Encoded: false, requestContext: { requestId: "r" } }`,
  evaluate: `{ routeKey: "POST /v1/evaluate", headers: {}, body: "{}", isBase64Encoded: false, requestContext: { requestId: "r" } }`,
  auditor: `{ routeKey: "GET /v1/violations", headers: {}, requestContext: { requestId: "r" } }`, // no credential: 401
  cases: `{ routeKey: "POST /v1/violations/{id}/acknowledge", headers: {}, body: "{}", isBase64Encoded: false, requestContext: { requestId: "r" } }`, // no credential: 401
  health: `{ routeKey: "GET /health", headers: {}, requestContext: { requestId: "r" } }`,
  evaluator: `{ Records: [] }`,
  events: `{ Records: [] }`,
  "audit-trail-consumer": `{ Records: [] }`,
  sweeper: "undefined", // import only: its first call queries DynamoDB
  digester: "undefined", // import only: its first call queries DynamoDB
  "policy-publisher": `{ RequestType: "Delete" }`,
  notifier: "undefined", // import only: its first call reads Secrets Manager
};

export interface BundlesResult {
  readonly nodeBaselineMs: number;
  readonly functions: Record<string, { bytes: number; coldStartMs: number; ratio: number }>;
}

/** Every function of the CDK app (bundling skipped): its handler and the policy set it carries. */
function appFunctions(): { handler: string; policySet: string | undefined }[] {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stack = new ComplianceStack(app, "Compliance");
  return stack.node
    .findAll()
    .filter((c): c is ComplianceFunction => c instanceof ComplianceFunction)
    .map((f) => ({ handler: f.handler, policySet: f.policySet }));
}

/** Wall time of a fresh `node` process running `script`, in ms. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "inherit"] });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function benchBundles(): Promise<BundlesResult> {
  const out = mkdtempSync(join(tmpdir(), "bundles-"));
  const env = {
    ...process.env,
    AWS_REGION: "eu-central-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    COMPLIANCE_RECORDS_TABLE: "records",
    COMPLIANCE_VIOLATIONS_TABLE: "violations",
    COMPLIANCE_POLICY_VERSIONS_TABLE: "policy-versions",
    COMPLIANCE_WEBHOOK_SECRETS: "bench=bench",
    COMPLIANCE_CURSOR_KEY: "bench",
    COMPLIANCE_EVENT_BUS_NAME: "bench",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  };
  const functions: BundlesResult["functions"] = {};
  const baselines: number[] = [];
  for (const { handler: name, policySet } of appFunctions()) {
    const event = FIRST_INVOCATION[name];
    if (event === undefined)
      throw new Error(
        `bench/bundles.ts: give the new function ${name} a first invocation in FIRST_INVOCATION`,
      );
    const dir = join(out, name);
    await mkdir(dir, { recursive: true });
    const outfile = join(dir, "index.mjs");
    await build({ ...esbuildOptions(name, policySet), outfile });
    const runner = join(dir, "run.mjs");
    writeFileSync(
      runner,
      `const { handler } = await import(${JSON.stringify(outfile)});\nconst event = ${event};\nif (event !== undefined) await handler(event, { awsRequestId: "r", getRemainingTimeInMillis: () => 30000 });\n`,
    );
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      baselines.push(timeProcess(["-e", "0"], env)); // interleaved, so both see the same machine
      samples.push(timeProcess([runner], env));
    }
    functions[name] = {
      bytes: statSync(outfile).size,
      coldStartMs: round(median(samples), 1),
      ratio: 0,
    };
  }
  rmSync(out, { recursive: true, force: true });
  const nodeBaselineMs = round(median(baselines), 1);
  for (const f of Object.values(functions)) f.ratio = round(f.coldStartMs / nodeBaselineMs, 2);
  const result = { nodeBaselineMs, functions };
  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(new URL("./results/bundles.json", import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nLambda bundles (bare node -e 0: ${nodeBaselineMs} ms, median of ${baselines.length})`);
  console.log("function            bytes      cold start   × bare");
  for (const [name, f] of Object.entries(functions))
    console.log(
      `${name.padEnd(18)} ${String(f.bytes).padStart(9)}   ${String(f.coldStartMs).padStart(7)} ms   ${f.ratio}×`,
    );
  return result;
}
