/**
 * The CDK app: one ComplianceStack, checked by cdk-nag's AwsSolutions and Serverless packs; an
 * unacknowledged finding (error or warning) fails the synth.
 *
 * `npm run synth` is `cdk synth --quiet`: the pinned CDK CLI runs this file (cdk.json `app`) and
 * reads the assembly it writes, offline (that needs a CLI that reads aws-cdk-lib's assembly schema:
 * infra/README.md). Run directly (`node infra/app.ts`, CDK_OUTDIR for the output folder) it
 * synthesizes and validates the same way with no CLI involved.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { applyNagPacks } from "./nag.ts";
import { compilePolicies, PolicyCompilationError } from "./policies.ts";
import { ComplianceStack } from "./stack.ts";

const started = performance.now();
let policies: ReturnType<typeof compilePolicies>;
try {
  policies = compilePolicies();
} catch (error) {
  if (!(error instanceof PolicyCompilationError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const app = new App();
const stack = new ComplianceStack(app, "Compliance", {
  // account/region of the current AWS credentials when there are any; environment-agnostic offline
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  policies,
});
applyNagPacks(app);
const assembly = app.synth();

const template = join(assembly.directory, stack.templateFile);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const kib = (statSync(template).size / 1024).toFixed(0);
console.error(
  `synthesized ${stack.stackName} in ${seconds} s: ${template} (${kib} KiB); cdk-nag: no unacknowledged finding`,
);
