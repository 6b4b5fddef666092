/**
 * One Lambda function of the platform: a NodejsFunction bundled by esbuild (Node.js 24 pinned,
 * arm64, minified ESM with source maps, the AWS SDK clients bundled and tree-shaken, the policy
 * set compiled in), its own KMS-encrypted log group with a retention, and its own role that starts
 * empty: no managed policy, only the statements `allow` adds.
 */
import { join } from "node:path";
import { type Duration, RemovalPolicy } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { Charset, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { REPO_ROOT } from "../../functions/runtime/policy-files.ts";
import { BUNDLING, HANDLERS_DIR } from "../bundling.ts";
import { acknowledge } from "../nag.ts";

export { ESM_REQUIRE_BANNER, HANDLERS_DIR } from "../bundling.ts";

export interface ComplianceFunctionProps {
  /** The handler file's name in functions/handlers/ (without `.ts`), e.g. `ingest`. */
  readonly handler: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly key: IKey;
  /** esbuild `define` of `__COMPLIANCE_POLICY_SET__` (infra/policies.ts), for functions that evaluate. */
  readonly policySet?: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly logRetention?: RetentionDays;
}

/** CDK context turning on Node's source maps in every function (`-c compliance:source-maps=true`). */
export const SOURCE_MAPS_CONTEXT = "compliance:source-maps";

function sourceMapsWanted(scope: Construct): boolean {
  const value: unknown = scope.node.tryGetContext(SOURCE_MAPS_CONTEXT);
  return value === true || value === "true";
}

export class ComplianceFunction extends Construct {
  readonly fn: NodejsFunction;
  /** The handler file's name in functions/handlers/ (the bench's cost figure and the local bundles key on it). */
  readonly handler: string;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Whether the bundle carries the compiled policy set (every handler that builds a Runtime needs it). */
  readonly compiledPolicies: boolean;
  /** The `define` its bundle is built with (the bench builds each function with the same). */
  readonly policySet: string | undefined;
  private keyStatement: PolicyStatement | undefined;

  constructor(scope: Construct, id: string, props: ComplianceFunctionProps) {
    super(scope, id);
    this.handler = props.handler;
    const entry = join(HANDLERS_DIR, `${props.handler}.ts`);
    this.handler = props.handler;
    this.compiledPolicies = props.policySet !== undefined;
    this.policySet = props.policySet;

    this.logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Execution role of the ${props.handler} function: only what it uses`,
    });
    // Lambda writes to its configured log group; the group exists, so no logs:CreateLogGroup.
    this.allow(["logs:CreateLogStream", "logs:PutLogEvents"], [this.logGroup.logGroupArn]);

    this.fn = new NodejsFunction(this, "Function", {
      entry,
      handler: "handler",
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        POWERTOOLS_SERVICE_NAME: "compliance",
        POWERTOOLS_LOG_LEVEL: "INFO",
        // Node parses a bundle's source map as it loads it (~0.6× a bare Node start more on every
        // cold start), so stack traces name minified positions unless asked for: the map ships
        // beside each bundle either way (README: "Deploy to AWS")
        ...(sourceMapsWanted(this) ? { NODE_OPTIONS: "--enable-source-maps" } : {}),
        ...props.environment,
      },
      depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
      projectRoot: REPO_ROOT,
      bundling: {
        // infra/bundling.ts: the settings the bench and the bundle tests build with too
        format: OutputFormat.ESM,
        target: BUNDLING.target,
        mainFields: [...BUNDLING.mainFields],
        banner: BUNDLING.banner,
        minify: BUNDLING.minify,
        sourceMap: BUNDLING.sourcemap,
        sourcesContent: BUNDLING.sourcesContent,
        charset: BUNDLING.charset === "utf8" ? Charset.UTF8 : Charset.ASCII,
        // bundle the SDK v3 clients the handler imports (tree-shaken) instead of the runtime's copy,
        // without the profile-based credential sources no Lambda uses
        bundleAwsSDK: true,
        externalModules: [...BUNDLING.external],
        ...(props.policySet ? { define: { __COMPLIANCE_POLICY_SET__: props.policySet } } : {}),
      },
    });
    // Active tracing adds xray:PutTraceSegments/PutTelemetryRecords on "*" to the role.
    acknowledge(this.role, [
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "Only the X-Ray statement that active tracing adds (xray:PutTraceSegments, xray:PutTelemetryRecords) has Resource *: these X-Ray actions support no resource-level permissions. Every other statement of this role names its resources.",
      },
    ]);
  }

  /** Adds one statement (only these actions on only these resources) to this function's role. */
  allow(actions: readonly string[], resources: readonly string[], sid?: string): PolicyStatement {
    const statement = new PolicyStatement({
      ...(sid ? { sid } : {}),
      actions: [...actions],
      resources: [...resources],
    });
    this.role.addToPrincipalPolicy(statement);
    return statement;
  }

  /** KMS actions on the platform key, merged into one statement per role. */
  allowKey(key: IKey, actions: readonly string[]): void {
    if (!this.keyStatement) {
      this.keyStatement = this.allow([], [key.keyArn], "PlatformKey");
    }
    const present = new Set(this.keyStatement.actions);
    const missing = actions.filter((a) => !present.has(a));
    if (missing.length > 0) this.keyStatement.addActions(...missing);
  }
}
