/**
 * The platform's Lambda functions and what each may do. Each role names only the actions its
 * handler calls on only its tables and indexes (docs/data-model.md says which calls those are);
 * stream reads and dead-letter sends are granted where they are wired (evaluation.ts).
 */
import { Duration } from "aws-cdk-lib";
import type { Table } from "aws-cdk-lib/aws-dynamodb";
import type { EventBus } from "aws-cdk-lib/aws-events";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { FunctionName } from "../../functions/http/routes.ts";
import { RECORD_HEADS, type TableDefinition, VIOLATIONS } from "../../functions/store/tables.ts";
import type { CompiledPolicies } from "../policies.ts";
import type { Data } from "./data.ts";
import { ComplianceFunction } from "./function.ts";

/** KMS actions on the platform key, by what the caller does with the encrypted resource. */
export const KMS = {
  /** read a CMK-encrypted table, stream or secret */
  read: ["kms:Decrypt", "kms:DescribeKey"],
  /** write a CMK-encrypted table */
  write: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
  /** send to a CMK-encrypted queue */
  send: ["kms:Decrypt", "kms:GenerateDataKey"],
} as const;

/** The ARN of one of a table's indexes, checked against the table's definition. */
export function indexArn<D extends TableDefinition>(
  table: Table,
  def: D,
  indexName: D["indexes"][number]["indexName"],
): string {
  if (!def.indexes.some((i) => i.indexName === indexName))
    throw new Error(`table ${def.name} has no index ${indexName}`);
  return `${table.tableArn}/index/${indexName}`;
}

export interface FunctionsProps {
  readonly data: Data;
  readonly bus: EventBus;
  readonly policies: CompiledPolicies;
}

export class Functions extends Construct {
  readonly ingest: ComplianceFunction;
  readonly evaluate: ComplianceFunction;
  readonly auditor: ComplianceFunction;
  readonly cases: ComplianceFunction;
  readonly health: ComplianceFunction;
  readonly evaluator: ComplianceFunction;
  readonly sweeper: ComplianceFunction;
  readonly events: ComplianceFunction;
  readonly policyPublisher: ComplianceFunction;
  /** The functions behind HTTP routes, by the name functions/http/routes.ts gives them. */
  readonly http: Readonly<Record<FunctionName, ComplianceFunction>>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { data, bus, policies } = props;
    const { key } = data;
    const records = data.tables.records;
    const heads = data.tables["record-heads"];
    const violations = data.tables.violations;
    const policyVersions = data.tables["policy-versions"];
    const tables = {
      COMPLIANCE_RECORDS_TABLE: records.tableName,
      COMPLIANCE_RECORD_HEADS_TABLE: heads.tableName,
      COMPLIANCE_VIOLATIONS_TABLE: violations.tableName,
      COMPLIANCE_POLICY_VERSIONS_TABLE: policyVersions.tableName,
    };
    const common = { key, policySet: policies.define };
    const readSecret = (fn: ComplianceFunction, secret: ISecret) => {
      fn.allow(["secretsmanager:GetSecretValue"], [secret.secretArn]);
      fn.allowKey(key, KMS.read);
    };

    this.ingest = new ComplianceFunction(this, "Ingest", {
      ...common,
      handler: "ingest",
      description: "POST /v1/records: signed webhook, stores a record revision",
      memorySize: 512,
      timeout: Duration.seconds(10),
      environment: { ...tables, COMPLIANCE_WEBHOOK_SECRETS_ARN: data.webhookSecrets.secretArn },
    });
    this.ingest.allow(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"], [records.tableArn]);
    this.ingest.allowKey(key, KMS.write);
    readSecret(this.ingest, data.webhookSecrets);

    this.evaluate = new ComplianceFunction(this, "Evaluate", {
      ...common,
      handler: "evaluate",
      description: "POST /v1/evaluate: signed dry-run evaluation, stores nothing",
      memorySize: 512,
      timeout: Duration.seconds(10),
      environment: { ...tables, COMPLIANCE_WEBHOOK_SECRETS_ARN: data.webhookSecrets.secretArn },
    });
    readSecret(this.evaluate, data.webhookSecrets);

    this.auditor = new ComplianceFunction(this, "Auditor", {
      ...common,
      handler: "auditor",
      description: "Auditor API (IAM-authorized): violations, records, policies, CSV export",
      // CSV pages up to API Gateway's 6 MB: memory buys the CPU that formats them
      memorySize: 1024,
      // API Gateway HTTP APIs end an integration at 30 s
      timeout: Duration.seconds(29),
      environment: {
        ...tables,
        COMPLIANCE_CURSOR_KEY_ARN: data.cursorKey.secretArn,
        COMPLIANCE_AUTH_MODE: "iam",
      },
    });
    this.auditor.allow(["dynamodb:GetItem", "dynamodb:Query"], [records.tableArn]);
    this.auditor.allow(["dynamodb:GetItem", "dynamodb:BatchGetItem"], [violations.tableArn]);
    this.auditor.allow(["dynamodb:Query"], [indexArn(violations, VIOLATIONS, "byStatus")]);
    // the complaint report reads complaint heads by receipt month
    this.auditor.allow(["dynamodb:Query"], [indexArn(heads, RECORD_HEADS, "byReceived")]);
    this.auditor.allowKey(key, KMS.read);
    readSecret(this.auditor, data.cursorKey);

    this.cases = new ComplianceFunction(this, "Cases", {
      ...common,
      handler: "cases",
      description: "Case handlers (IAM-authorized): acknowledge, waive and reopen violations",
      memorySize: 512,
      timeout: Duration.seconds(10),
      environment: { ...tables, COMPLIANCE_AUTH_MODE: "iam" },
    });
    // reads the violation and the record (who caused it), writes the violation with its lock
    this.cases.allow(["dynamodb:GetItem", "dynamodb:PutItem"], [violations.tableArn]);
    this.cases.allow(["dynamodb:Query"], [records.tableArn]);
    this.cases.allowKey(key, KMS.write);

    this.health = new ComplianceFunction(this, "Health", {
      key,
      handler: "health",
      description: "GET /health and GET /openapi.json",
      memorySize: 256,
      timeout: Duration.seconds(5),
    });

    this.evaluator = new ComplianceFunction(this, "Evaluator", {
      ...common,
      handler: "evaluator",
      description: "Records stream consumer: evaluates each new revision, updates its violations",
      memorySize: 1024,
      timeout: Duration.seconds(60),
      environment: tables,
    });
    this.evaluator.allow(["dynamodb:GetItem", "dynamodb:Query"], [records.tableArn]);
    this.evaluator.allow(["dynamodb:GetItem", "dynamodb:UpdateItem"], [heads.tableArn]);
    this.evaluator.allow(
      ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem"],
      [violations.tableArn],
    );
    this.evaluator.allowKey(key, KMS.write);

    this.sweeper = new ComplianceFunction(this, "Sweeper", {
      ...common,
      handler: "sweeper",
      description: "Every minute: re-evaluates records whose deadline is due (byNextCheck index)",
      memorySize: 1024,
      // shorter than the 1-minute schedule, so two sweeps rarely overlap
      timeout: Duration.seconds(55),
      environment: tables,
    });
    this.sweeper.allow(["dynamodb:Query"], [indexArn(heads, RECORD_HEADS, "byNextCheck")]);
    // expired waivers and overdue escalations
    this.sweeper.allow(["dynamodb:Query"], [indexArn(violations, VIOLATIONS, "byNextAction")]);
    this.sweeper.allow(["dynamodb:GetItem", "dynamodb:Query"], [records.tableArn]);
    this.sweeper.allow(["dynamodb:GetItem", "dynamodb:UpdateItem"], [heads.tableArn]);
    this.sweeper.allow(
      ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem"],
      [violations.tableArn],
    );
    this.sweeper.allowKey(key, KMS.write);

    this.events = new ComplianceFunction(this, "Events", {
      key,
      handler: "events",
      description: "Violations stream consumer: publishes ViolationOpened / ViolationResolved to EventBridge",
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: { COMPLIANCE_EVENT_BUS_NAME: bus.eventBusName },
    });
    this.events.allow(["events:PutEvents"], [bus.eventBusArn]);

    this.policyPublisher = new ComplianceFunction(this, "PolicyPublisher", {
      ...common,
      handler: "policy-publisher",
      description:
        "Deploy-time custom resource: publishes policy versions; refuses changed released versions",
      memorySize: 512,
      timeout: Duration.minutes(2),
      environment: tables,
    });
    this.policyPublisher.allow(["dynamodb:PutItem", "dynamodb:GetItem"], [policyVersions.tableArn]);
    this.policyPublisher.allowKey(key, KMS.write);

    this.http = {
      ingest: this.ingest,
      evaluate: this.evaluate,
      auditor: this.auditor,
      cases: this.cases,
      health: this.health,
    };
  }

  all(): ComplianceFunction[] {
    return [
      this.ingest,
      this.evaluate,
      this.auditor,
      this.cases,
      this.health,
      this.evaluator,
      this.sweeper,
      this.events,
      this.policyPublisher,
    ];
  }
}
