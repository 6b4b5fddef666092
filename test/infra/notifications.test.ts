/**
 * Notifications on AWS: the bus drives the notifier (never a third reader of the violations
 * stream), a schedule runs its sweep, its failures are kept and alarmed, and its role holds exactly
 * what it uses — SES only as the configured identity, PutEvents only for NotificationFailed.
 */
import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { NOTIFICATION_FAILED } from "../../functions/service/notify/dead-letters.ts";
import { NOTIFY_CONTEXT } from "../../infra/constructs/notifications.ts";
import { ComplianceStack } from "../../infra/stack.ts";
import { build, logicalId, NO_BUNDLING, resolve } from "./support.ts";

describe("notifications", () => {
  it("an EventBridge rule sends ViolationOpened and ViolationEscalated to the notifier, with a dead-letter queue and retries", () => {
    const { stack, template } = build();
    const n = stack.notifications;
    template.hasResourceProperties("AWS::Events::Rule", {
      EventBusName: resolve(stack.events.bus.eventBusName),
      EventPattern: {
        source: ["compliance.platform"],
        "detail-type": ["ViolationOpened", "ViolationEscalated"],
      },
      Targets: [
        Match.objectLike({
          Arn: { "Fn::GetAtt": [logicalId(n.fn.fn), "Arn"] },
          DeadLetterConfig: { Arn: { "Fn::GetAtt": [logicalId(n.deadLetters), "Arn"] } },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }),
        }),
      ],
    });
    // failed asynchronous invocations go to the same queue
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: logicalId(n.fn.fn) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [logicalId(n.deadLetters), "Arn"] } } },
    });
    // no event source mapping of its own: the violations stream keeps its two readers
    const mappings = Object.values(template.findResources("AWS::Lambda::EventSourceMapping"));
    expect(mappings.some((m) => JSON.stringify(m.Properties.FunctionName).includes(logicalId(n.fn.fn)))).toBe(
      false,
    );
  });

  it("failed messages (NotificationFailed events) are kept in their own KMS-encrypted queue; both queues raise alarms", () => {
    const { stack, template } = build();
    const n = stack.notifications;
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: ["compliance.platform"], "detail-type": [NOTIFICATION_FAILED] },
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [logicalId(n.failedDeliveries), "Arn"] } })],
    });
    for (const queue of [n.deadLetters, n.failedDeliveries]) {
      expect(template.toJSON().Resources[logicalId(queue)].Properties).toMatchObject({
        KmsMasterKeyId: { "Fn::GetAtt": [logicalId(stack.data.key), "Arn"] },
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [logicalId(queue), "QueueName"] } }],
        AlarmActions: [{ Ref: logicalId(stack.observability.topic) }],
      });
    }
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: logicalId(n.fn.fn) } }],
    });
    // EventBridge may use the key only for this account's rules on the platform's bus
    const key = template.toJSON().Resources[logicalId(stack.data.key)].Properties.KeyPolicy.Statement as {
      Principal?: { Service?: string };
      Condition?: unknown;
    }[];
    const forEvents = key.filter((s) => s.Principal?.Service === "events.amazonaws.com");
    expect(forEvents).toHaveLength(1);
    expect(JSON.stringify(forEvents[0]?.Condition)).toContain("aws:SourceArn");
  });

  it("a schedule runs the sweep (reminders, digests) every minute", () => {
    const { stack, template } = build();
    template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "rate(1 minute)",
      Target: Match.objectLike({ Arn: resolve(stack.notifications.fn.fn.functionArn) }),
    });
  });

  it("role: its tables and indexes, its secret, NotificationFailed events only; no SES without a sender", () => {
    const { stack, template } = build();
    const role = logicalId(stack.notifications.fn.role);
    const docs = Object.values(template.findResources("AWS::IAM::Policy"))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
    const text = JSON.stringify(docs);
    expect(text).not.toContain("ses:");
    expect(text).not.toContain("dynamodb:Scan");
    const put = docs.find((s) => s.Action === "events:PutEvents");
    expect(put?.Condition).toEqual({
      StringEquals: { "events:source": "compliance.platform", "events:detail-type": NOTIFICATION_FAILED },
    });
    const env =
      template.toJSON().Resources[logicalId(stack.notifications.fn.fn)].Properties.Environment.Variables;
    expect(env).toMatchObject({
      COMPLIANCE_NOTIFICATIONS_TABLE: resolve(stack.data.tables.notifications.tableName),
      COMPLIANCE_NOTIFY_SECRETS_ARN: resolve(stack.notifications.secrets.secretArn),
      COMPLIANCE_NOTIFY_LINK: "api",
    });
    expect(env.COMPLIANCE_MAIL_FROM).toBeUndefined();
  });

  it("with a sender: ses:SendEmail on exactly that identity, the sender and identity in the environment", () => {
    const app = new App({
      context: {
        ...NO_BUNDLING,
        [NOTIFY_CONTEXT.sender]: "compliance@corp.example",
        [NOTIFY_CONTEXT.webhookUrl]: "https://hooks.corp.example/compliance",
      },
    });
    const stack = new ComplianceStack(app, "Compliance");
    const template = Template.fromStack(stack);
    const role = stack.resolve(stack.notifications.fn.role.roleName);
    const statements = Object.values(template.findResources("AWS::IAM::Policy"))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([role]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
    const ses = statements.filter((s) => JSON.stringify(s.Action).includes("ses:"));
    expect(ses).toHaveLength(1);
    expect(ses[0]?.Action).toBe("ses:SendEmail");
    expect(JSON.stringify(ses[0]?.Resource)).toContain(":identity/corp.example");
    const env =
      template.toJSON().Resources[stack.getLogicalId(stack.notifications.fn.fn.node.defaultChild as never)]
        .Properties.Environment.Variables;
    expect(env.COMPLIANCE_MAIL_FROM).toBe("compliance@corp.example");
    expect(env.COMPLIANCE_NOTIFY_WEBHOOK_URL).toBe("https://hooks.corp.example/compliance");
  });
});
