import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { EVENT_DETAIL_TYPES, EVENT_SOURCE } from "../../infra/constructs/events.ts";
import {
  build,
  logicalId,
  mappingOf,
  resolve,
  SHARED_STREAM_SETTINGS,
  statementsOf,
  WRITES_PATTERN,
} from "./support.ts";

describe("stream consumers, schedule, bus, policy publication", () => {
  it("evaluator: records stream, batch/window/parallelization, bisect, bounded retries, partial failures, on-failure queue", () => {
    const { stack } = build();
    const consumer = stack.evaluation.evaluator;
    expect(mappingOf(consumer)).toMatchObject({
      ...SHARED_STREAM_SETTINGS,
      // no batching window: a revision is judged as soon as it is read
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      EventSourceArn: resolve(stack.data.tables.records.tableStreamArn),
      FunctionName: resolve(stack.functions.evaluator.fn.functionName),
      DestinationConfig: { OnFailure: { Destination: resolve(consumer.deadLetters.queueArn) } },
    });
  });

  it("evaluator: stored revisions (inserts and updates) invoke it, never a removal", () => {
    const filters = mappingOf(build().stack.evaluation.evaluator).FilterCriteria.Filters;
    expect(filters).toHaveLength(1);
    expect(JSON.parse(filters[0].Pattern)).toEqual(WRITES_PATTERN);
  });

  it("events: the same pattern on the violations stream (both images), its own on-failure queue", () => {
    const { stack } = build();
    const consumer = stack.evaluation.events;
    expect(mappingOf(consumer)).toMatchObject({
      ...SHARED_STREAM_SETTINGS,
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      EventSourceArn: resolve(stack.data.tables.violations.tableStreamArn),
      FunctionName: resolve(stack.functions.events.fn.functionName),
      DestinationConfig: { OnFailure: { Destination: resolve(consumer.deadLetters.queueArn) } },
    });
    expect(JSON.parse(mappingOf(consumer).FilterCriteria.Filters[0].Pattern)).toEqual(WRITES_PATTERN);
  });

  it("on-failure queues (all four consumers): KMS-encrypted, TLS only, 14 days, and an alarm on their depth", () => {
    const { stack, template } = build();
    const consumers = [...stack.evaluation.consumers(), ...stack.audit.consumers()];
    expect(consumers).toHaveLength(4);
    // and the notifier's two (notifications.test.ts)
    template.resourceCountIs("AWS::SQS::Queue", consumers.length + 2);
    for (const consumer of consumers) {
      const queue = logicalId(consumer.deadLetters);
      expect(template.toJSON().Resources[queue].Properties).toMatchObject({
        KmsMasterKeyId: { "Fn::GetAtt": [logicalId(stack.data.key), "Arn"] },
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      template.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: "Deny",
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            }),
          ]),
        },
      });
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [queue, "QueueName"] } }],
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        AlarmActions: [{ Ref: logicalId(stack.observability.topic) }],
      });
    }
  });

  it("sweeper: EventBridge Scheduler every minute, through a role that may invoke only the sweeper", () => {
    const { stack, template } = build();
    // the sweeper's, the digester's (audit.test.ts) and the notifier's (notifications.test.ts)
    template.resourceCountIs("AWS::Scheduler::Schedule", 3);
    template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "rate(1 minute)",
      State: "ENABLED",
      Target: {
        Arn: resolve(stack.functions.sweeper.fn.functionArn),
        RoleArn: { "Fn::GetAtt": [logicalId(stack.evaluation.schedulerRole), "Arn"] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
    });
    expect(statementsOf(logicalId(stack.evaluation.schedulerRole))).toEqual([
      { actions: ["lambda:InvokeFunction"], resources: [resolve(stack.functions.sweeper.fn.functionArn)] },
    ]);
    expect(
      template.toJSON().Resources[logicalId(stack.evaluation.schedulerRole)].Properties
        .AssumeRolePolicyDocument.Statement[0].Principal,
    ).toEqual({ Service: "scheduler.amazonaws.com" });
  });

  it(`an EventBridge bus for ${EVENT_DETAIL_TYPES.join(" / ")} (source ${EVENT_SOURCE}), which only the events function may put to`, () => {
    const { stack, template } = build();
    template.resourceCountIs("AWS::Events::EventBus", 1);
    // every detail type the events function emits (functions/service/events.ts), escalations included
    expect([...EVENT_DETAIL_TYPES].sort()).toEqual([
      "ViolationEscalated",
      "ViolationOpened",
      "ViolationResolved",
    ]);
    template.hasResourceProperties("AWS::Events::EventBus", {
      Description: Match.stringLikeRegexp("ViolationEscalated"),
    });
    const bus = resolve(stack.events.bus.eventBusArn);
    const putters = Object.entries(template.findResources("AWS::IAM::Policy")).filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes("events:PutEvents"),
    );
    // the notifier may put its NotificationFailed events only (notifications.test.ts)
    const notifier = logicalId(stack.notifications.fn.role);
    expect(putters.filter(([, p]) => p.Properties.Roles[0].Ref === notifier)).toHaveLength(1);
    const others = putters.filter(([, p]) => p.Properties.Roles[0].Ref !== notifier);
    expect(others).toHaveLength(1);
    expect(others[0]?.[1].Properties.Roles).toEqual([{ Ref: logicalId(stack.functions.events.role) }]);
    expect(JSON.stringify(others[0]?.[1].Properties.PolicyDocument)).toContain(JSON.stringify(bus));
  });

  it("policy publication: a custom resource through the CDK Provider, re-run when the policy set changes", () => {
    const { stack, template } = build();
    const resource = template.findResources("Custom::CompliancePolicyVersions");
    expect(Object.keys(resource)).toHaveLength(1);
    const props = Object.values(resource)[0]?.Properties;
    expect(props.PolicySetDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(props.Versions).toBeGreaterThan(0);
    // the provider's framework function invokes the publisher
    const frameworkRole = Object.entries(template.findResources("AWS::IAM::Policy")).find(
      ([, p]) =>
        JSON.stringify(p.Properties.PolicyDocument).includes("lambda:InvokeFunction") &&
        JSON.stringify(p.Properties.PolicyDocument).includes(logicalId(stack.functions.policyPublisher.fn)),
    );
    expect(frameworkRole).toBeDefined();
  });
});
