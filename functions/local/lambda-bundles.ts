/**
 * The Lambda functions exactly as `cdk synth` builds them, for `COMPLIANCE_BUNDLES=1 npm start`:
 * the CDK app's ComplianceStack is synthesized (NodejsFunction's own esbuild bundling: the
 * settings of infra/constructs/function.ts, the policies compiled in) into a temporary cloud
 * assembly, and each function is read back from the template: its bundle (the asset folder the
 * template points to) and its environment variables, with each CloudFormation reference replaced by
 * its local counterpart (a table's local name, a local secret's ARN, the local bus).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type CfnElement, Stack } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import { ComplianceFunction } from "../../infra/constructs/function.ts";
import { compilePolicies } from "../../infra/policies.ts";
import { ComplianceStack } from "../../infra/stack.ts";

export interface BundledFunction {
  /** The handler file's name in functions/handlers/ (e.g. `ingest`). */
  readonly handler: string;
  /** The bundle `cdk synth` wrote (index.mjs in the function's asset folder). */
  readonly file: string;
  /** The template's environment variables, references resolved to local values. */
  readonly env: Readonly<Record<string, string>>;
}

/** What each kind of CloudFormation reference stands for locally. */
export interface LocalResources {
  /** Logical table name (records, violations, …) → the local physical name. */
  readonly tableName: (logical: string) => string;
  /** The ARN the local Secrets Manager serves a secret under, by the stack's name for it. */
  readonly secretArn: (name: "webhookSecrets" | "cursorKey" | "auditKey" | "notifySecrets") => string;
  readonly busName: string;
  /** The API's base URL (the notifier's links). */
  readonly apiUrl: string;
  /** Where digests are anchored locally: stands in for the Object Lock bucket (COMPLIANCE_AUDIT_BUCKET). */
  readonly anchorDir: string;
  /** The sign-in issuer that stands in for the stack's (COMPLIANCE_OIDC_ISSUER, _AUDIENCES, _JWKS_URL). */
  readonly signIn: { readonly issuer: string; readonly audiences: string; readonly jwksUrl?: string };
}

/** The sign-in variables (infra/constructs/functions.ts), replaced as a whole by the local issuer's. */
const SIGN_IN_VARIABLES = new Set([
  "COMPLIANCE_OIDC_ISSUER",
  "COMPLIANCE_OIDC_AUDIENCES",
  "COMPLIANCE_OIDC_JWKS_URL",
]);

export class BundleConfigurationError extends Error {
  readonly code = "bundle_configuration";
}

const logicalId = (c: IConstruct) => Stack.of(c).getLogicalId((c.node.defaultChild ?? c) as CfnElement);

/** Synthesizes the stack with bundling and returns every function's bundle and local environment. */
export function synthesizeBundles(local: LocalResources, outdir?: string): BundledFunction[] {
  const dir = outdir ?? mkdtempSync(join(tmpdir(), "compliance-cdk-out-"));
  const app = new App({ outdir: dir, context: { "aws:cdk:enable-asset-metadata": true } });
  const stack = new ComplianceStack(app, "Compliance", { policies: compilePolicies() });
  const assembly = app.synth();
  const template = JSON.parse(readFileSync(join(assembly.directory, stack.templateFile), "utf8")) as {
    Resources: Record<
      string,
      { Type: string; Metadata?: Record<string, string>; Properties?: Record<string, unknown> }
    >;
  };

  // what each referenced logical id is, from the constructs that made it
  const refs = new Map<string, string>();
  for (const [name, table] of Object.entries(stack.data.tables))
    refs.set(logicalId(table), local.tableName(name));
  refs.set(logicalId(stack.data.webhookSecrets), local.secretArn("webhookSecrets"));
  refs.set(logicalId(stack.data.cursorKey), local.secretArn("cursorKey"));
  refs.set(logicalId(stack.data.auditKey), local.secretArn("auditKey"));
  refs.set(logicalId(stack.notifications.secrets), local.secretArn("notifySecrets"));
  refs.set(logicalId(stack.events.bus), local.busName);
  refs.set(logicalId(stack.api.httpApi), local.apiUrl);
  const anchorBucket = logicalId(stack.audit.anchor);

  const resolveValue = (fn: string, name: string, value: unknown): string => {
    if (typeof value === "string") return value;
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === "string" && refs.has(v.Ref)) return refs.get(v.Ref) as string;
    const getAtt = v["Fn::GetAtt"] as [string, string] | undefined;
    if (getAtt && refs.has(getAtt[0])) return refs.get(getAtt[0]) as string;
    const join_ = v["Fn::Join"] as [string, unknown[]] | undefined;
    if (join_) return join_[1].map((part) => resolveValue(fn, name, part)).join(join_[0]);
    if (v.Ref === "AWS::Region") return "us-east-1";
    if (v.Ref === "AWS::URLSuffix") return "amazonaws.com";
    throw new BundleConfigurationError(
      `${fn}: ${name} refers to ${JSON.stringify(value)}, which has no local counterpart (functions/local/lambda-bundles.ts)`,
    );
  };

  const out: BundledFunction[] = [];
  for (const c of stack.node.findAll()) {
    if (!(c instanceof ComplianceFunction)) continue;
    const resource = template.Resources[logicalId(c.fn)];
    const assetPath = resource?.Metadata?.["aws:asset:path"];
    if (!resource || !assetPath)
      throw new BundleConfigurationError(`${c.handler}: no bundle in the assembly`);
    const variables = ((
      resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
    )?.Variables ?? {}) as Record<string, unknown>;
    const env: Record<string, string> = {};
    if (Object.keys(variables).some((name) => SIGN_IN_VARIABLES.has(name))) {
      env.COMPLIANCE_OIDC_ISSUER = local.signIn.issuer;
      env.COMPLIANCE_OIDC_AUDIENCES = local.signIn.audiences;
      if (local.signIn.jwksUrl) env.COMPLIANCE_OIDC_JWKS_URL = local.signIn.jwksUrl;
    }
    for (const [name, value] of Object.entries(variables)) {
      if (SIGN_IN_VARIABLES.has(name)) continue;
      // the Object Lock bucket has no local counterpart: the local anchor folder stands in for it
      if (name === "COMPLIANCE_AUDIT_BUCKET" && (value as { Ref?: string }).Ref === anchorBucket) {
        env.COMPLIANCE_AUDIT_ANCHOR_DIR = local.anchorDir;
        continue;
      }
      env[name] = resolveValue(c.handler, name, value);
    }
    out.push({ handler: c.handler, file: join(assembly.directory, assetPath, "index.mjs"), env });
  }
  return out;
}
