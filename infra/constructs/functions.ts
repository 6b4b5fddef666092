/**
 * The platform's Lambda functions and what each may do. Each role names only the actions its
 * handler calls on only its tables and indexes (the calls are in functions/store/*.ts, reached from
 * the handler through functions/service/*.ts; each grant below says which), and each function's
 * environment names only the tables it uses. Stream reads and dead-letter sends are granted where
 * they are wired (evaluation.ts, audit.ts).
 */
import { Duration } from "aws-cdk-lib";
import type { Table } from "aws-cdk-lib/aws-dynamodb";
import type { EventBus } from "aws-cdk-lib/aws-events";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { DeployedFunctionName } from "../../functions/api/routes.ts";
import { AUDIT_LOG, RECORD_HEADS, type TableDefinition, VIOLATIONS } from "../../functions/store/tables.ts";
import { type CompiledPolicies, partialPolicySet } from "../policies.ts";
import type { Data, TableName } from "./data.ts";
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

/** The variable functions/runtime/runtime.ts (tablesFromEnv) reads each table's physical name from. */
export const TABLE_ENV: Readonly<Record<TableName, string>> = {
  records: "COMPLIANCE_RECORDS_TABLE",
  "record-revisions": "COMPLIANCE_RECORD_REVISIONS_TABLE",
  "record-heads": "COMPLIANCE_RECORD_HEADS_TABLE",
  violations: "COMPLIANCE_VIOLATIONS_TABLE",
  "policy-versions": "COMPLIANCE_POLICY_VERSIONS_TABLE",
  "audit-log": "COMPLIANCE_AUDIT_LOG_TABLE",
  "audit-digests": "COMPLIANCE_AUDIT_DIGESTS_TABLE",
  notifications: "COMPLIANCE_NOTIFICATIONS_TABLE",
  stats: "COMPLIANCE_STATS_TABLE",
};

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
  /** The OpenID issuer people and machine readers sign in with (Cognito, or the company's SSO). */
  readonly signIn: {
    readonly issuer: string;
    readonly audiences: readonly string[];
    readonly jwksUrl?: string;
  };
}

/** What the constructors of the functions below share. */
interface Shared {
  readonly data: Data;
  readonly bus: EventBus;
  readonly policies: CompiledPolicies;
  readonly key: Data["key"];
  /** COMPLIANCE_OIDC_* for the functions that verify people's bearers */
  readonly signInEnv: Readonly<Record<string, string>>;
  /** the platform key and the whole compiled policy set */
  readonly common: { readonly key: Data["key"]; readonly policySet: string };
  /** The physical names of exactly these tables, under the variables runtime.ts reads. */
  tables(...names: TableName[]): Record<string, string>;
  readSecret(fn: ComplianceFunction, secret: ISecret): void;
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
  /** The audit trail's stream consumer (both streams); not the auditors' read API, which is `auditor`. */
  readonly auditTrailConsumer: ComplianceFunction;
  readonly digester: ComplianceFunction;
  readonly policyPublisher: ComplianceFunction;
  /** The functions behind HTTP routes, by the name functions/api/routes.ts gives them. */
  readonly http: Readonly<Record<DeployedFunctionName, ComplianceFunction>>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const s = shared(props);
    this.ingest = this.createIngest(s);
    this.evaluate = this.createEvaluate(s);
    this.auditor = this.createAuditor(s);
    this.cases = this.createCases(s);
    this.health = this.createHealth(s);
    this.evaluator = this.createEvaluator(s);
    this.sweeper = this.createSweeper(s);
    this.events = this.createEvents(s);
    this.auditTrailConsumer = this.createAuditTrailConsumer(s);
    this.digester = this.createDigester(s);
    this.policyPublisher = this.createPolicyPublisher(s);

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
      this.auditTrailConsumer,
      this.digester,
      this.policyPublisher,
    ];
  }

  private createIngest({ data, policies, key, common, tables, readSecret }: Shared): ComplianceFunction {
    const records = data.tables.records;
    const ingest = new ComplianceFunction(this, "Ingest", {
      ...common,
      // it stores revisions and judges none: the organisation file without the rules
      policySet: partialPolicySet(policies, "org"),
      handler: "ingest",
      description: "POST /v1/records: signed webhook, stores a record revision",
      memorySize: 512,
      timeout: Duration.seconds(10),
      environment: {
        ...tables("records", "record-revisions"),
        COMPLIANCE_WEBHOOK_SECRETS_ARN: data.webhookSecrets.secretArn,
      },
    });
    // RecordsStore.putRevision: conditional PutItem of the record's newest revision (the failed
    // condition returns the stored item); a newer revision first copies the stored one (PutItem)
    // into record-revisions, an older one is looked up there (GetItem)
    ingest.allow(["dynamodb:PutItem"], [records.tableArn]);
    ingest.allow(["dynamodb:GetItem", "dynamodb:PutItem"], [data.tables["record-revisions"].tableArn]);
    ingest.allowKey(key, KMS.write);
    readSecret(ingest, data.webhookSecrets);
    return ingest;
  }

  private createEvaluate({ data, common, signInEnv, readSecret }: Shared): ComplianceFunction {
    const evaluate = new ComplianceFunction(this, "Evaluate", {
      ...common,
      handler: "evaluate",
      description:
        "POST /v1/evaluate: dry-run evaluation (signed, or a reader's token), stores nothing; GET /v1/policies…: the loaded policies, each rule in words",
      memorySize: 512,
      timeout: Duration.seconds(10),
      // evaluates in memory and reads only the compiled policies: no table; readers may call it
      // with a sign-in token too, auditors read the policies with theirs
      environment: { COMPLIANCE_WEBHOOK_SECRETS_ARN: data.webhookSecrets.secretArn, ...signInEnv },
    });
    readSecret(evaluate, data.webhookSecrets);
    return evaluate;
  }

  private createAuditor(s: Shared): ComplianceFunction {
    const { data, policies, key, common, signInEnv, tables, readSecret } = s;
    const records = data.tables.records;
    const heads = data.tables["record-heads"];
    const violations = data.tables.violations;
    const auditLog = data.tables["audit-log"];
    const auditDigests = data.tables["audit-digests"];
    const auditor = new ComplianceFunction(this, "Auditor", {
      ...common,
      // it lists violations and filters them by policy, rule and role: the policies' and rules' ids
      policySet: partialPolicySet(policies, "ids"),
      handler: "auditor",
      description:
        "Read API (signed-in people, machine readers): violations, /v1/me, records, CSV and xlsx export, stats, audit verify, complaint report",
      // CSV pages up to API Gateway's 6 MB: memory buys the CPU that formats them (and hashes the
      // whole audit trail for GET /v1/audit/verify)
      memorySize: 1024,
      // API Gateway HTTP APIs end an integration at 30 s
      timeout: Duration.seconds(29),
      environment: {
        ...tables(
          "records",
          "record-revisions",
          "record-heads",
          "violations",
          "audit-log",
          "audit-digests",
          "stats",
        ),
        COMPLIANCE_CURSOR_KEY_ARN: data.cursorKey.secretArn,
        COMPLIANCE_AUDIT_KEY_ARN: data.auditKey.secretArn,
        ...signInEnv,
      },
    });
    // GET /v1/records/{type}/{id}: the newest revision (GetItem) and the replaced ones (Query);
    // GET …/revisions/{n}: the newest (GetItem), else the replaced one (GetItem)
    auditor.allow(["dynamodb:GetItem"], [records.tableArn]);
    auditor.allow(["dynamodb:GetItem", "dynamodb:Query"], [data.tables["record-revisions"].tableArn]);
    // GET /v1/violations/{id}: GetItem; the list: BatchGetItem of the page, Query of byStatus
    auditor.allow(["dynamodb:GetItem", "dynamodb:BatchGetItem"], [violations.tableArn]);
    auditor.allow(["dynamodb:Query"], [indexArn(violations, VIOLATIONS, "byStatus")]);
    // GET /v1/reports/complaints: complaint heads by receipt month
    auditor.allow(["dynamodb:Query"], [indexArn(heads, RECORD_HEADS, "byReceived")]);
    // GET /v1/stats: StatsStore.read (GetItem of the open counters, Query of the week items); the
    // overdue count is a Query of byStatus (granted above)
    auditor.allow(["dynamodb:GetItem", "dynamodb:Query"], [data.tables.stats.tableArn]);
    // GET /v1/audit/verify: AuditLogStore.readChain (Query of each chain's blocks) and readDigests
    // (Query), the digests' signatures with the key; completeness reads every stored revision and
    // violation (store/audit-sources.ts: Scan of records and violations); the anchored digests
    // (S3) are granted with the bucket (constructs/audit.ts). listAuditEntries: Query of the
    // byTime index (blocks by entry time), BatchGetItem of the blocks it opens.
    auditor.allow(["dynamodb:BatchGetItem", "dynamodb:Query"], [auditLog.tableArn]);
    auditor.allow(["dynamodb:Query"], [indexArn(auditLog, AUDIT_LOG, "byTime")]);
    auditor.allow(["dynamodb:Query"], [auditDigests.tableArn]);
    auditor.allow(
      ["dynamodb:Scan"],
      [records.tableArn, data.tables["record-revisions"].tableArn, violations.tableArn],
    );
    auditor.allowKey(key, KMS.read);
    readSecret(auditor, data.cursorKey);
    readSecret(auditor, data.auditKey);
    return auditor;
  }

  private createCases({ data, policies, key, common, signInEnv, tables }: Shared): ComplianceFunction {
    const cases = new ComplianceFunction(this, "Cases", {
      ...common,
      // it acts on violations: each rule's deadline and escalation roles, not its condition or texts
      policySet: partialPolicySet(policies, "actions"),
      handler: "cases",
      description: "Signed-in people acting as themselves: acknowledge, waive and reopen violations",
      memorySize: 512,
      timeout: Duration.seconds(10),
      environment: { ...tables("records", "violations"), ...signInEnv },
    });
    // service/violation-actions.ts changeViolation: the violation (GetItem), the record's latest
    // revision for who caused it (Query), the violation written on its `ver` lock (PutItem)
    cases.allow(["dynamodb:GetItem", "dynamodb:PutItem"], [data.tables.violations.tableArn]);
    cases.allow(["dynamodb:GetItem"], [data.tables.records.tableArn]);
    cases.allowKey(key, KMS.write);
    return cases;
  }

  private createHealth({ key }: Shared): ComplianceFunction {
    return new ComplianceFunction(this, "Health", {
      key,
      handler: "health",
      description: "GET /health and GET /openapi.json",
      memorySize: 256,
      timeout: Duration.seconds(5),
    });
  }

  private createEvaluator({ data, key, common, tables }: Shared): ComplianceFunction {
    const evaluator = new ComplianceFunction(this, "Evaluator", {
      ...common,
      handler: "evaluator",
      description: "Records stream consumer: evaluates each new revision, updates its violations",
      memorySize: 1024,
      timeout: Duration.seconds(60),
      environment: tables("records", "record-heads", "violations"),
    });
    // service/evaluate-revision.ts evaluateStoredRevision, in stream order: reads each record's
    // head and newest revision number together (one BatchGetItem over both tables), claims the
    // head (UpdateItem), reads the record's violations (BatchGetItem) and writes them (PutItem)
    evaluator.allow(["dynamodb:BatchGetItem"], [data.tables.records.tableArn]);
    evaluator.allow(["dynamodb:BatchGetItem", "dynamodb:UpdateItem"], [data.tables["record-heads"].tableArn]);
    evaluator.allow(["dynamodb:BatchGetItem", "dynamodb:PutItem"], [data.tables.violations.tableArn]);
    evaluator.allowKey(key, KMS.write);
    return evaluator;
  }

  private createSweeper({ data, key, common, tables }: Shared): ComplianceFunction {
    const records = data.tables.records;
    const heads = data.tables["record-heads"];
    const violations = data.tables.violations;
    const sweeper = new ComplianceFunction(this, "Sweeper", {
      ...common,
      handler: "sweeper",
      description:
        "Every minute: re-evaluates records whose deadline is due; expires waivers, escalates overdue violations",
      memorySize: 1024,
      // shorter than the 1-minute schedule, so two sweeps rarely overlap
      timeout: Duration.seconds(55),
      environment: tables("records", "record-revisions", "record-heads", "violations"),
    });
    // service/sweep.ts: due heads (Query byNextCheck), each head (BatchGetItem) and its latest
    // revision (GetItem: the record's item, else record-revisions), then evaluateStoredRevision
    // as the evaluator does (the newest revision number read with the head: BatchGetItem), and
    // after writing the head again and, when a newer revision claimed it, that revision
    sweeper.allow(["dynamodb:Query"], [indexArn(heads, RECORD_HEADS, "byNextCheck")]);
    sweeper.allow(["dynamodb:BatchGetItem", "dynamodb:UpdateItem"], [heads.tableArn]);
    sweeper.allow(["dynamodb:BatchGetItem"], [records.tableArn]);
    // expired waivers and overdue escalations: due violations (Query byNextAction), then
    // changeViolation as the case handlers do (violation GetItem, latest revision GetItem, PutItem)
    sweeper.allow(["dynamodb:Query"], [indexArn(violations, VIOLATIONS, "byNextAction")]);
    sweeper.allow(["dynamodb:GetItem"], [records.tableArn, data.tables["record-revisions"].tableArn]);
    sweeper.allow(["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem"], [violations.tableArn]);
    sweeper.allowKey(key, KMS.write);
    return sweeper;
  }

  private createEvents({ data, bus, policies, key, tables }: Shared): ComplianceFunction {
    const events = new ComplianceFunction(this, "Events", {
      key,
      handler: "events",
      description:
        "Violations stream consumer: publishes ViolationOpened / ViolationResolved / ViolationEscalated to EventBridge",
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: {
        COMPLIANCE_EVENT_BUS_NAME: bus.eventBusName,
        // GET /v1/stats counters (core/stats.ts), their weeks in the company's time zone
        ...tables("stats"),
        COMPLIANCE_TIME_ZONE: (policies.set.org as { timeZone?: string }).timeZone ?? "Asia/Shanghai",
      },
    });
    events.allow(["events:PutEvents"], [bus.eventBusArn]);
    // StatsStore.apply: UpdateItem (ADD) of counter items
    events.allow(["dynamodb:UpdateItem"], [data.tables.stats.tableArn]);
    events.allowKey(key, KMS.write);
    return events;
  }

  private createAuditTrailConsumer({ data, key, tables }: Shared): ComplianceFunction {
    const consumer = new ComplianceFunction(this, "AuditTrailConsumer", {
      // builds no Runtime (runtime/audit-runtime.ts auditTrailFromEnv): no policy set
      key,
      handler: "audit-trail-consumer",
      description:
        "Records and violations stream consumer: appends revisions and violation changes to the hash-chained audit log",
      // hashes and JSON of up to 100 stream records per batch, 100 subjects at once
      memorySize: 1024,
      timeout: Duration.seconds(60),
      // records and violations: only their names, to tell which stream a record comes from
      environment: tables("audit-log", "records", "violations"),
    });
    // store/audit-log.ts appendToChain: the chain's tail blocks (Query, consistent, newest first),
    // then one conditional PutItem per block — no transaction, no update, no marker.
    // It never reads the digest key: digests are the digester's.
    consumer.allow(["dynamodb:PutItem", "dynamodb:Query"], [data.tables["audit-log"].tableArn]);
    consumer.allowKey(key, KMS.write);
    return consumer;
  }

  private createDigester({ data, policies, key, common, tables, readSecret }: Shared): ComplianceFunction {
    const digester = new ComplianceFunction(this, "Digester", {
      ...common,
      // the audit trail reads no policy: the organisation file alone
      policySet: partialPolicySet(policies, "org"),
      handler: "digester",
      description:
        "Every 5 minutes: seals every audit chain's end into the next signed, chained digest, anchored in S3 Object Lock",
      memorySize: 512,
      timeout: Duration.seconds(60),
      environment: {
        ...tables("audit-log", "audit-digests"),
        COMPLIANCE_AUDIT_KEY_ARN: data.auditKey.secretArn,
      },
    });
    // service/audit.ts writeDigest: the digests (Query), every chain's tail block and watermark
    // (Query, consistent), the new digest (conditional PutItem), signed with the key, then anchored
    // in the Object Lock bucket (granted with the bucket, constructs/audit.ts)
    digester.allow(["dynamodb:Query"], [data.tables["audit-log"].tableArn]);
    digester.allow(["dynamodb:Query", "dynamodb:PutItem"], [data.tables["audit-digests"].tableArn]);
    digester.allowKey(key, KMS.write);
    readSecret(digester, data.auditKey);
    return digester;
  }

  private createPolicyPublisher({ data, key, common, tables }: Shared): ComplianceFunction {
    const publisher = new ComplianceFunction(this, "PolicyPublisher", {
      ...common,
      handler: "policy-publisher",
      description:
        "Deploy-time custom resource: publishes policy versions; refuses changed released versions",
      memorySize: 512,
      timeout: Duration.minutes(2),
      environment: tables("policy-versions"),
    });
    // store/policy-versions.ts publish: conditional PutItem; GetItem of a version already there
    publisher.allow(["dynamodb:PutItem", "dynamodb:GetItem"], [data.tables["policy-versions"].tableArn]);
    publisher.allowKey(key, KMS.write);
    return publisher;
  }
}

/** The props, and the helpers every function's construction uses. */
function shared(props: FunctionsProps): Shared {
  const { data, bus, policies } = props;
  const { key } = data;
  return {
    data,
    bus,
    policies,
    key,
    // the person routes' functions verify every bearer again (functions/http/oidc.ts), after API
    // Gateway's JWT authorizer, with the same issuer and audiences
    signInEnv: {
      COMPLIANCE_OIDC_ISSUER: props.signIn.issuer,
      COMPLIANCE_OIDC_AUDIENCES: props.signIn.audiences.join(","),
      ...(props.signIn.jwksUrl ? { COMPLIANCE_OIDC_JWKS_URL: props.signIn.jwksUrl } : {}),
    },
    // Every function that builds a Runtime (runtime/runtime.ts) needs the compiled policy set:
    // without it, loadPolicySetForProcess would look for the YAML folder, which no bundle carries.
    // The whole set by default; a function that reads less carries less (infra/policies.ts).
    common: { key, policySet: policies.define },
    tables: (...names) =>
      Object.fromEntries(names.map((name) => [TABLE_ENV[name], data.tables[name].tableName])),
    readSecret: (fn, secret) => {
      fn.allow(["secretsmanager:GetSecretValue"], [secret.secretArn]);
      fn.allowKey(key, KMS.read);
    },
  };
}
