/**
 * Notifications on AWS (CONTRACT §7): the platform's bus drives a notifier Lambda — a rule sends
 * it every ViolationOpened / ViolationEscalated event (the violations stream already has its two
 * readers, so the notifier reads the bus, never the stream) — and EventBridge Scheduler runs it
 * every minute for due reminders and the daily digest. Mail goes through SES as a verified
 * identity (a deployment parameter); the webhook secret and robot URLs live in one Secrets Manager
 * secret. Invocations that fail for good land in the function's dead-letter queue; messages that
 * fail after their retries become `NotificationFailed` events, which a second rule keeps in the
 * failed-deliveries queue. Both queues and the function's errors raise alarms.
 */
import { Aws, Duration, SecretValue } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { type EventBus, Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction, SqsQueue } from "aws-cdk-lib/aws-events-targets";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Topic } from "aws-cdk-lib/aws-sns";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { EVENT_SOURCE } from "../../functions/service/events.ts";
import { NOTIFICATION_FAILED } from "../../functions/service/notify/dead-letters.ts";
import { NOTIFICATIONS, VIOLATIONS } from "../../functions/store/tables.ts";
import { acknowledge } from "../nag.ts";
import type { CompiledPolicies } from "../policies.ts";
import type { Data } from "./data.ts";
import { type ScheduledRun, scheduleFunction } from "./evaluation.ts";
import { ComplianceFunction } from "./function.ts";
import { indexArn, KMS, TABLE_ENV } from "./functions.ts";

/** CDK context keys (`cdk deploy -c notificationSender=compliance@example.com …`). */
export const NOTIFY_CONTEXT = {
  /** The From address of notification mails; without it no mail is sent (webhook and robots only). */
  sender: "notificationSender",
  /** The SES identity the sender belongs to (default: the sender's domain). */
  sesIdentity: "notificationSesIdentity",
  /** COMPLIANCE_NOTIFY_WEBHOOK_URL on AWS (its secret: the NotifySecrets secret's `webhookSecret`). */
  webhookUrl: "notificationWebhookUrl",
  /** Base of the links in messages (default: the API's URL). */
  publicUrl: "publicUrl",
  /** `console` once the console is deployed (links to <base>/console/violations/<id>), else `api`. */
  linkTarget: "notificationLink",
} as const;

/**
 * What the notifier reads of the policy set — the org directory (people, channels, time zone),
 * each version's `reminderBefore` parameter and its rules' due periods — as its esbuild `define`: the rules' conditions would
 * only weigh on its bundle (budget 500 KB).
 */
export function notifierPolicySet(policies: CompiledPolicies): string {
  const slim = {
    org: policies.set.org,
    versions: policies.set.versions.map((v) => ({
      id: v.id,
      version: v.version,
      parameters: "reminderBefore" in v.parameters ? { reminderBefore: v.parameters.reminderBefore } : {},
      // each rule's due period: when a first due period's reminder comes (first-reminders.ts)
      rules: v.rules.map((r) => ({ id: r.id, dueMs: r.dueMs })),
    })),
  };
  return JSON.stringify(JSON.stringify(slim));
}

/** Only these events tell people something; ViolationResolved tells nobody. */
export const NOTIFYING_DETAIL_TYPES = ["ViolationOpened", "ViolationEscalated"] as const;

export interface NotificationsProps {
  readonly data: Data;
  readonly bus: EventBus;
  readonly policies: CompiledPolicies;
  /** The API's URL: the default base of links. */
  readonly apiUrl: string;
  /** Where the alarms go. */
  readonly topic: Topic;
}

export class Notifications extends Construct {
  readonly fn: ComplianceFunction;
  readonly rule: Rule;
  readonly failedRule: Rule;
  /** Failed invocations (EventBridge could not invoke, or the function failed after Lambda's retries). */
  readonly deadLetters: Queue;
  /** Messages that failed after their own retries (`NotificationFailed` events). */
  readonly failedDeliveries: Queue;
  readonly secrets: Secret;
  readonly schedule: ScheduledRun;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const { data, bus } = props;
    this.deadLetters = this.deadLetterQueue(data, "DeadLetters", "notifier invocations that failed for good");
    this.failedDeliveries = this.deadLetterQueue(
      data,
      "FailedDeliveries",
      "notification messages that failed after their retries",
    );
    this.secrets = this.createSecrets(data);
    this.fn = this.createNotifier(props);
    this.rule = this.violationEventsRule(bus);
    this.failedRule = this.failedNotificationsRule(bus);
    this.allowEventBridgeToQueues(data, bus);
    this.schedule = scheduleFunction(this, "Sweep", {
      fn: this.fn,
      every: Duration.minutes(1),
      description: "Notifier: due reminders and, once a day at 09:00 company time, each person's digest",
    });
    this.addAlarms(props.topic);
  }

  private ctx(key: string): string | undefined {
    return this.node.tryGetContext(key) as string | undefined;
  }

  // under the platform key like every queue; EventBridge delivers to these itself, so the key
  // lets events.amazonaws.com encrypt for this account's rules on this bus only (below)
  private deadLetterQueue(data: Data, name: string, what: string): Queue {
    const q = new Queue(this, name, {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: data.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(q, [
      {
        id: "AwsSolutions-SQS3",
        reason: `This queue is itself a dead-letter store (${what}); an operator reads it and re-sends by hand, so a queue behind it would only move the messages.`,
      },
      {
        id: "Serverless-SQSRedrivePolicy",
        reason: `This queue is itself a dead-letter store (${what}); nothing consumes it automatically, so there is no redrive to configure.`,
      },
    ]);
    return q;
  }

  private createSecrets(data: Data): Secret {
    const secrets = new Secret(this, "Secrets", {
      description:
        'Notification secrets: {"webhookSecret": "…", "channels": {"<channel id>": {"url": "…", "secret": "…"}}}; starts empty',
      encryptionKey: data.key,
      // not a secret: an empty object, replaced by the operator (infra/README.md)
      secretStringValue: SecretValue.unsafePlainText("{}"),
    });
    acknowledge(secrets, [
      {
        id: "AwsSolutions-SMG4",
        reason:
          "The webhook secret is shared with the receiving system and robot URLs are issued by DingTalk/WeCom/Feishu/Slack: rotating them is a coordinated change made by the operator, which no rotation Lambda can perform.",
      },
    ]);
    return secrets;
  }

  /** The notifier function, what it may do, and where its failed invocations go. */
  private createNotifier(props: NotificationsProps): ComplianceFunction {
    const { data, bus } = props;
    const sender = this.ctx(NOTIFY_CONTEXT.sender);
    const identity = this.ctx(NOTIFY_CONTEXT.sesIdentity) ?? sender?.split("@")[1];
    const tables = data.tables;
    const webhookUrl = this.ctx(NOTIFY_CONTEXT.webhookUrl);
    const fn = new ComplianceFunction(this, "Notifier", {
      key: data.key,
      policySet: notifierPolicySet(props.policies),
      handler: "notifier",
      description:
        "Tells assigned people about opened, escalated, reopened and waiver-expired violations (SES, webhook, chat robots); reminders and daily digests",
      memorySize: 512,
      // a message's retries with backoff (5 tries, 1+2+4+8 s pauses, 5 s per request) fit well inside
      timeout: Duration.seconds(90),
      environment: {
        [TABLE_ENV.violations]: tables.violations.tableName,
        [TABLE_ENV.records]: tables.records.tableName,
        [TABLE_ENV["record-revisions"]]: tables["record-revisions"].tableName,
        [TABLE_ENV.notifications]: tables.notifications.tableName,
        COMPLIANCE_EVENT_BUS_NAME: bus.eventBusName,
        COMPLIANCE_NOTIFY_SECRETS_ARN: this.secrets.secretArn,
        COMPLIANCE_PUBLIC_URL: this.ctx(NOTIFY_CONTEXT.publicUrl) ?? props.apiUrl,
        COMPLIANCE_NOTIFY_LINK: this.ctx(NOTIFY_CONTEXT.linkTarget) ?? "api",
        ...(sender ? { COMPLIANCE_MAIL_FROM: sender } : {}),
        ...(webhookUrl ? { COMPLIANCE_NOTIFY_WEBHOOK_URL: webhookUrl } : {}),
      },
    });
    // service/notify/notifier.ts: the violation (GetItem) and a digest's violations (BatchGetItem);
    // everyone's queue for the digest: the open and acknowledged partitions of byStatus (Query)
    fn.allow(["dynamodb:GetItem", "dynamodb:BatchGetItem"], [tables.violations.tableArn]);
    fn.allow(["dynamodb:Query"], [indexArn(tables.violations, VIOLATIONS, "byStatus")]);
    // a robot of a department: the record revision's department (GetItem: the newest revision,
    // else the replaced one)
    fn.allow(["dynamodb:GetItem"], [tables.records.tableArn, tables["record-revisions"].tableArn]);
    // store/notifications.ts: claims (conditional PutItem), failures and handled reminders
    // (UpdateItem), the digest cursor (GetItem, conditional PutItem); the reminders' index (Query)
    fn.allow(
      ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      [tables.notifications.tableArn],
    );
    fn.allow(["dynamodb:Query"], [indexArn(tables.notifications, NOTIFICATIONS, "byRemindAt")]);
    fn.allowKey(data.key, KMS.write);
    fn.allow(["secretsmanager:GetSecretValue"], [this.secrets.secretArn]);
    // failed messages become NotificationFailed events on the bus
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: "NotificationFailedEventsOnly",
        actions: ["events:PutEvents"],
        resources: [bus.eventBusArn],
        conditions: {
          StringEquals: { "events:source": EVENT_SOURCE, "events:detail-type": NOTIFICATION_FAILED },
        },
      }),
    );
    if (sender && identity) {
      // SESv2 SendEmail as exactly this identity
      fn.allow(
        ["ses:SendEmail"],
        [`arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/${identity}`],
      );
    }
    // asynchronous invocations that fail after Lambda's own retries (the role may send there only)
    fn.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: { bind: () => ({ destination: this.deadLetters.queueArn }) },
    });
    fn.allow(["sqs:SendMessage"], [this.deadLetters.queueArn]);
    acknowledge(fn.fn, [
      {
        id: "Serverless-LambdaDLQ",
        reason:
          "The notifier's asynchronous invocations that fail after Lambda's retries go to an on-failure destination (the DeadLetters queue, alarmed), which records the request and the error, unlike a classic DLQ; EventBridge's own delivery failures go to the same queue.",
      },
    ]);
    return fn;
  }

  private violationEventsRule(bus: EventBus): Rule {
    return new Rule(this, "ViolationEvents", {
      eventBus: bus,
      description: `Violation events that tell people something → the notifier`,
      eventPattern: { source: [EVENT_SOURCE], detailType: [...NOTIFYING_DETAIL_TYPES] },
      targets: [
        new LambdaFunction(this.fn.fn, {
          deadLetterQueue: this.deadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }

  /** NotificationFailed events into the failed-deliveries queue, which only this rule may send to. */
  private failedNotificationsRule(bus: EventBus): Rule {
    const rule = new Rule(this, "FailedNotifications", {
      eventBus: bus,
      description: `${NOTIFICATION_FAILED} events → the failed-deliveries queue`,
      eventPattern: { source: [EVENT_SOURCE], detailType: [NOTIFICATION_FAILED] },
      // the queue by ARN only: CDK would otherwise grant events.amazonaws.com the key for any
      // source; the key statement below limits it to this account's rules on this bus
      targets: [
        new SqsQueue(Queue.fromQueueArn(this, "FailedDeliveriesTarget", this.failedDeliveries.queueArn), {
          deadLetterQueue: this.deadLetters,
        }),
      ],
    });
    this.failedDeliveries.addToResourcePolicy(
      new PolicyStatement({
        sid: "FailedNotificationsRule",
        principals: [new ServicePrincipal("events.amazonaws.com")],
        actions: ["sqs:SendMessage"],
        resources: [this.failedDeliveries.queueArn],
        conditions: { ArnEquals: { "aws:SourceArn": rule.ruleArn } },
      }),
    );
    return rule;
  }

  /** The platform key, for EventBridge delivering to the two queues: this account's rules on this bus only. */
  private allowEventBridgeToQueues(data: Data, bus: EventBus): void {
    data.key.addToResourcePolicy(
      new PolicyStatement({
        sid: "EventBridgeNotificationQueues",
        principals: [new ServicePrincipal("events.amazonaws.com")],
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: ["*"],
        conditions: {
          StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID },
          ArnLike: {
            "aws:SourceArn": `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${bus.eventBusName}/*`,
          },
        },
      }),
    );
  }

  /** Both queues' depth and the function's errors and throttles, to the topic. */
  private addAlarms(topic: Topic): void {
    const alarm = (name: string, metric: IMetric, description: string) => {
      const a = new Alarm(this, name, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(new SnsAction(topic));
      a.addOkAction(new SnsAction(topic));
      this.alarms.push(a);
    };
    const depth = (q: Queue) =>
      q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: "Maximum" });
    alarm(
      "DeadLettersAlarm",
      depth(this.deadLetters),
      "A notifier invocation failed for good: see the notifier's dead-letter queue",
    );
    alarm(
      "FailedDeliveriesAlarm",
      depth(this.failedDeliveries),
      "A notification (mail, webhook or robot message) failed after its retries: see the failed-deliveries queue",
    );
    alarm(
      "ErrorsAlarm",
      this.fn.fn.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
      "The notifier function failed at least once in 5 minutes",
    );
    alarm(
      "ThrottlesAlarm",
      this.fn.fn.metricThrottles({ period: Duration.minutes(5), statistic: "Sum" }),
      "The notifier function was throttled at least once in 5 minutes",
    );
  }
}
