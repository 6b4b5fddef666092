/**
 * The whole platform in one stack: data (KMS key, tables, secrets) → the event bus → functions →
 * HTTP API → stream consumers, schedule and policy publication → the audit trail's consumers and
 * digest schedule → alarms; plus the outputs a user needs after `cdk deploy`.
 */
import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { Api } from "./constructs/api.ts";
import { AuditTrail } from "./constructs/audit.ts";
import { ConsoleHosting } from "./constructs/console.ts";
import { Data, pascal } from "./constructs/data.ts";
import { Evaluation } from "./constructs/evaluation.ts";
import { EVENT_DETAIL_TYPES, EVENT_SOURCE, ViolationEvents } from "./constructs/events.ts";
import { Functions } from "./constructs/functions.ts";
import { Notifications } from "./constructs/notifications.ts";
import { Observability } from "./constructs/observability.ts";
import { SignIn } from "./constructs/sign-in.ts";
import { type CompiledPolicies, compilePolicies } from "./policies.ts";

export interface ComplianceStackProps extends StackProps {
  /** The compiled policy set (default: the policies folder, compiled now). */
  readonly policies?: CompiledPolicies;
}

export class ComplianceStack extends Stack {
  readonly data: Data;
  readonly events: ViolationEvents;
  readonly signIn: SignIn;
  readonly functions: Functions;
  readonly api: Api;
  readonly evaluation: Evaluation;
  readonly audit: AuditTrail;
  readonly observability: Observability;
  readonly notifications: Notifications;
  readonly console: ConsoleHosting;

  constructor(scope: Construct, id: string, props: ComplianceStackProps = {}) {
    super(scope, id, {
      description: "Compliance platform: policy-as-code evaluation of business records",
      ...props,
    });
    const policies = props.policies ?? compilePolicies();

    this.data = new Data(this, "Data");
    this.events = new ViolationEvents(this, "Events");
    this.signIn = new SignIn(this, "SignIn");
    this.functions = new Functions(this, "Functions", {
      data: this.data,
      bus: this.events.bus,
      policies,
      signIn: this.signIn,
    });
    this.api = new Api(this, "Api", { functions: this.functions, key: this.data.key, signIn: this.signIn });
    this.evaluation = new Evaluation(this, "Evaluation", {
      data: this.data,
      functions: this.functions,
      policies,
    });
    this.audit = new AuditTrail(this, "Audit", { data: this.data, functions: this.functions });
    // the web console and the API behind one CloudFront distribution (sign-in: the people's user
    // pool client and its managed login domain, once the stack has them)
    this.console = new ConsoleHosting(this, "Console", {
      api: this.api.httpApi,
      timeZone: (policies.set.org as { timeZone?: string }).timeZone ?? "Asia/Shanghai",
    });
    this.observability = new Observability(this, "Observability", {
      key: this.data.key,
      functions: this.functions,
      consumers: [...this.evaluation.consumers(), ...this.audit.consumers()],
      api: this.api,
    });

    this.notifications = new Notifications(this, "Notifications", {
      data: this.data,
      bus: this.events.bus,
      policies,
      apiUrl: this.api.url,
      topic: this.observability.topic,
    });

    new CfnOutput(this, "ApiUrl", { value: this.api.url, description: "Base URL of the HTTP API" });
    for (const [name, table] of Object.entries(this.data.tables)) {
      new CfnOutput(this, `${pascal(name)}TableName`, {
        value: table.tableName,
        description: `The ${name} table`,
      });
    }
    new CfnOutput(this, "EventBusName", {
      value: this.events.bus.eventBusName,
      description: `EventBridge bus of ${EVENT_DETAIL_TYPES.join(" / ")} (source ${EVENT_SOURCE})`,
    });
    new CfnOutput(this, "WebhookSecretsArn", {
      value: this.data.webhookSecrets.secretArn,
      description: 'Ingest client secrets: put {"<clientId>": "<secret>"} here',
    });
    new CfnOutput(this, "CursorKeySecretArn", {
      value: this.data.cursorKey.secretArn,
      description: "Key that signs the auditor API's cursors (generated)",
    });
    new CfnOutput(this, "AuditKeySecretArn", {
      value: this.data.auditKey.secretArn,
      description:
        "Key that signs the audit trail's digests (generated); `compliance audit verify` on AWS reads it",
    });
    new CfnOutput(this, "NotificationSecretsArn", {
      value: this.notifications.secrets.secretArn,
      description:
        'Notification secrets: put {"webhookSecret": "…", "channels": {"<channel id>": {"url": "…", "secret": "…"}}} here',
    });
    new CfnOutput(this, "FailedNotificationsQueueUrl", {
      value: this.notifications.failedDeliveries.queueUrl,
      description:
        "Notifications that failed after their retries (NotificationFailed events), to inspect and re-send",
    });
    new CfnOutput(this, "AuditDigestBucketName", {
      value: this.audit.anchor.bucketName,
      description: "S3 bucket (Object Lock, compliance mode) where every audit digest is anchored",
    });
    new CfnOutput(this, "AlarmTopicArn", {
      value: this.observability.topic.topicArn,
      description: "Subscribe to receive the platform's alarms",
    });
  }
}
