/**
 * The stack under test, built once per test file without bundling (context
 * `aws:cdk:bundling-stacks: []`), and helpers to read IAM statements out of its template.
 */
import { App, type CfnElement, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { IConstruct } from "constructs";
import type { TableNames } from "../../functions/store/tables.ts";
import type { TableName } from "../../infra/constructs/data.ts";
import type { StreamConsumer } from "../../infra/constructs/evaluation.ts";
import type { ComplianceFunction } from "../../infra/constructs/function.ts";
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

/** The IAM actions a list of DocumentClient requests needs, per table (TransactWrite per operation). */
export function actionsOf(
  sent: { name: string; input: Record<string, unknown> }[],
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (table: unknown, action: string) => {
    const key = String(table);
    out.set(key, (out.get(key) ?? new Set()).add(`dynamodb:${action}`));
  };
  const ITEM = { Get: "GetItem", Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem" } as const;
  const TRANSACT = { ...ITEM, ConditionCheck: "ConditionCheckItem" } as const;
  for (const { name, input } of sent) {
    if (name === "TransactWrite") {
      for (const item of input.TransactItems as Record<string, { TableName: string }>[])
        for (const [op, body] of Object.entries(item))
          add(body.TableName, TRANSACT[op as keyof typeof TRANSACT]);
    } else if (name === "BatchGet") {
      for (const table of Object.keys(input.RequestItems as object)) add(table, "BatchGetItem");
    } else if (name === "Query" || name === "Scan") {
      add(input.IndexName ? `${input.TableName}/index/${input.IndexName}` : input.TableName, name);
    } else {
      add(input.TableName, ITEM[name as keyof typeof ITEM]);
    }
  }
  return out;
}

/** A role's DynamoDB actions on one table (by logical name), streams aside. */
export function roleActions(fn: ComplianceFunction, table: TableName): string[] {
  const arn = JSON.stringify(resolve(build().stack.data.tables[table].tableArn));
  return statementsOf(logicalId(fn.role))
    .filter((s) => s.resources.some((r) => JSON.stringify(r) === arn))
    .flatMap((s) => s.actions)
    .sort();
}

/** Each table's logical name (infra) and its field in the TableNames a process uses. */
export const TABLE_FIELDS: Readonly<Record<TableName, keyof TableNames>> = {
  records: "records",
  "record-revisions": "recordRevisions",
  "record-heads": "recordHeads",
  violations: "violations",
  "policy-versions": "policyVersions",
  "audit-log": "auditLog",
  "audit-digests": "auditDigests",
  notifications: "notifications",
  stats: "stats",
};
