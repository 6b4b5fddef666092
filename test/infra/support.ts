/**
 * The stack under test, built once per test file without bundling (context
 * `aws:cdk:bundling-stacks: []`), and helpers to read IAM statements out of its template.
 */
import { App, type CfnElement, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { IConstruct } from "constructs";
import type { StreamConsumer } from "../../infra/constructs/evaluation.ts";
import { ComplianceStack } from "../../infra/stack.ts";

export const NO_BUNDLING = { "aws:cdk:bundling-stacks": [] };

export interface Built {
  readonly app: App;
  readonly stack: ComplianceStack;
  readonly template: Template;
}

let built: Built | undefined;

/** The ComplianceStack (bundling skipped), synthesized once per test file. */
export function build(): Built {
  if (!built) {
    const app = new App({ context: NO_BUNDLING });
    const stack = new ComplianceStack(app, "Compliance");
    built = { app, stack, template: Template.fromStack(stack) };
  }
  return built;
}

export function logicalId(construct: IConstruct): string {
  const child = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(child);
}

/** The synthesized properties of a stream consumer's event source mapping. */
export function mappingOf(consumer: StreamConsumer) {
  return build().template.toJSON().Resources[logicalId(consumer.mapping)].Properties;
}

export function resolve(value: unknown): unknown {
  return build().stack.resolve(value);
}

export interface Statement {
  readonly actions: string[];
  readonly resources: unknown[];
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every Allow statement of every policy attached to a role (inline or managed), normalised. */
export function statementsOf(roleLogicalId: string): Statement[] {
  const { template } = build();
  const out: Statement[] = [];
  const policies = {
    ...template.findResources("AWS::IAM::Policy"),
    ...template.findResources("AWS::IAM::ManagedPolicy"),
  };
  for (const policy of Object.values(policies)) {
    const roles = list(policy.Properties.Roles as unknown[]);
    if (!roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }))) continue;
    for (const s of policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]) {
      if (s.Effect !== "Allow") continue;
      out.push({
        actions: list(s.Action as string | string[]).sort(),
        resources: list(s.Resource as unknown),
      });
    }
  }
  return out;
}

/** Statements as comparable strings: actions sorted, resources in a stable order. */
export function canonical(statements: readonly Statement[]): string[] {
  return statements
    .map((s) =>
      JSON.stringify({
        actions: [...s.actions].sort(),
        resources: s.resources.map((r) => JSON.stringify(r)).sort(),
      }),
    )
    .sort();
}

/**
 * The event source mapping settings every stream consumer shares (infra/constructs/evaluation.ts);
 * batch size and window differ per consumer (functions/runtime/stream-settings.ts).
 */
export const SHARED_STREAM_SETTINGS = {
  StartingPosition: "TRIM_HORIZON",
  ParallelizationFactor: 4,
  BisectBatchOnFunctionError: true,
  MaximumRetryAttempts: 5,
  MaximumRecordAgeInSeconds: 6 * 3600,
  FunctionResponseTypes: ["ReportBatchItemFailures"],
};

/** The filter pattern of every stream consumer: inserts and updates (a new record or revision, a violation's change). */
export const WRITES_PATTERN = { eventName: ["INSERT", "MODIFY"] };
