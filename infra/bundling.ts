/**
 * The esbuild settings of every Lambda bundle, in one place: infra/constructs/function.ts hands
 * them to CDK's NodejsFunction, and the bench and the bundle tests build with the esbuild API from
 * the same values, so what is measured is what is deployed.
 */
import { join } from "node:path";
import type { BuildOptions } from "esbuild";
import { REPO_ROOT } from "../functions/runtime/policy-files.ts";

export const HANDLERS_DIR = join(REPO_ROOT, "functions", "handlers");

/** ESM bundles still meet CommonJS dependencies that call `require` (the SDK's, middy's). */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * Left out of every bundle: the SDK's profile-based credential sources (~/.aws config and
 * credentials files, SSO, `credential_process`, a web identity token file). The default chain
 * reaches them only through `import()` and only when no credentials are in the environment; the
 * Lambda runtime always sets the execution role's credentials there (AWS_ACCESS_KEY_ID, …), so
 * they never run in a function. They and what only they use (the STS, SSO and sign-in clients)
 * were ~116 KB of every bundle.
 */
export const LOCAL_ONLY_MODULES: readonly string[] = [
  "@aws-sdk/credential-provider-ini",
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-process",
  "@aws-sdk/credential-provider-web-identity",
];

/**
 * Left out too: the SDK's container and instance credential sources (the ECS/EKS container
 * endpoint over HTTP, EC2's instance metadata service). The default chain reaches them only with
 * `import()` after the environment, which in Lambda always holds the role's credentials. Carried,
 * they were ~21 KB of every bundle, and worse for a cold start: the instance metadata client imports
 * `node:http` statically, and an ESM import of `node:http` reads every export of the module,
 * `WebSocket` too, which loads Node's whole fetch implementation (undici) — about as long as
 * starting Node itself. The SDK's own HTTPS handler imports only `node:https`.
 */
export const NON_LAMBDA_CREDENTIAL_SOURCES: readonly string[] = [
  "@smithy/credential-provider-imds",
  "@aws-sdk/credential-provider-http",
];

/**
 * Left out too: the SDK's event stream serde (~15 KB), which its protocols load with `import()`
 * only for an operation with an event stream member (Bedrock, Transcribe, S3 SelectObjectContent,
 * …). None of the operations we call has one (DynamoDB, Secrets Manager, EventBridge PutEvents,
 * SESv2 SendEmail, and the S3 anchor's plain REST calls).
 */
export const UNUSED_SDK_CAPABILITIES: readonly string[] = ["@smithy/core/event-streams"];

/** Above this size a bundle fails `npm run bench` and test/infra/bundling.test.ts. */
export const BUNDLE_BUDGET_BYTES = 500_000;

/** The settings both CDK and the esbuild API receive (CDK spells a few of them its own way). */
export const BUNDLING = {
  format: "esm",
  platform: "node",
  target: "node24",
  mainFields: ["module", "main"],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // Chinese policy texts and messages as UTF-8 (3 bytes a character) instead of \uXXXX escapes (6)
  charset: "utf8",
  external: [...LOCAL_ONLY_MODULES, ...NON_LAMBDA_CREDENTIAL_SOURCES, ...UNUSED_SDK_CAPABILITIES],
} as const;

/** The esbuild API options that build `handler` exactly as `cdk synth` does. */
export function esbuildOptions(handler: string, policySet?: string): BuildOptions {
  return {
    entryPoints: [join(HANDLERS_DIR, `${handler}.ts`)],
    bundle: true,
    format: BUNDLING.format,
    platform: BUNDLING.platform,
    target: BUNDLING.target,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourcemap,
    sourcesContent: BUNDLING.sourcesContent,
    charset: BUNDLING.charset,
    external: [...BUNDLING.external],
    ...(policySet ? { define: { __COMPLIANCE_POLICY_SET__: policySet } } : {}),
    logLevel: "error",
  };
}
