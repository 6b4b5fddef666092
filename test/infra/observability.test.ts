import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { API_5XX_THRESHOLD, ITERATOR_AGE_THRESHOLD_MS } from "../../infra/constructs/observability.ts";
import { build, logicalId, resolve } from "./support.ts";

function alarms() {
  return Object.values(build().template.findResources("AWS::CloudWatch::Alarm")).map(
    (a) => a.Properties as Record<string, unknown>,
  );
}

const onFunction = (metric: string, fnName: unknown) =>
  alarms().filter(
    (a) =>
      a.Namespace === "AWS/Lambda" &&
      a.MetricName === metric &&
      JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: "FunctionName", Value: fnName }]),
  );

describe("alarms", () => {
  it("every alarm notifies the KMS-encrypted, TLS-only SNS topic (alarm and OK)", () => {
    const { stack, template } = build();
    const topic = { Ref: logicalId(stack.observability.topic) };
    expect(alarms().length).toBeGreaterThan(0);
    for (const a of alarms()) {
      expect(a.AlarmActions).toEqual([topic]);
      expect(a.OKActions).toEqual([topic]);
      expect(a.TreatMissingData).toBe("notBreaching");
    }
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [topic],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
          }),
        ]),
      },
    });
  });

  it("each function (the new cases, audit and digester included): an errors alarm and a throttles alarm", () => {
    const { functions } = build().stack;
    expect(functions.all()).toEqual(
      expect.arrayContaining([functions.cases, functions.auditTrailConsumer, functions.digester]),
    );
    for (const fn of functions.all()) {
      const name = resolve(fn.fn.functionName);
      for (const metric of ["Errors", "Throttles"]) {
        const found = onFunction(metric, name);
        expect(found, `${fn.node.id} ${metric}`).toHaveLength(1);
        expect(found[0]).toMatchObject({
          Statistic: "Sum",
          Threshold: 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
        });
      }
    }
  });

  it("stream iterator age of each stream-consuming function (evaluator, events, audit)", () => {
    const { stack } = build();
    for (const fn of [
      stack.functions.evaluator,
      stack.functions.events,
      stack.functions.auditTrailConsumer,
    ]) {
      const found = onFunction("IteratorAge", resolve(fn.fn.functionName));
      expect(found, fn.node.id).toHaveLength(1);
      expect(found[0]).toMatchObject({
        Statistic: "Maximum",
        Threshold: ITERATOR_AGE_THRESHOLD_MS,
        Period: 60,
        EvaluationPeriods: 5,
      });
    }
    // Lambda's IteratorAge has no per-mapping dimension: the audit function's one alarm covers
    // both of its streams, and says so
    const audit = onFunction("IteratorAge", resolve(stack.functions.auditTrailConsumer.fn.functionName))[0];
    expect(audit?.AlarmDescription).toMatch(/records stream consumer \(audit trail\) and violations stream/);
    expect(alarms().filter((a) => a.MetricName === "IteratorAge")).toHaveLength(3);
  });

  it("dead-letter depth of every on-failure queue (evaluator, events, audit × 2)", () => {
    const { stack } = build();
    for (const consumer of [...stack.evaluation.consumers(), ...stack.audit.consumers()]) {
      const queueName = { "Fn::GetAtt": [logicalId(consumer.deadLetters), "QueueName"] };
      const found = alarms().filter(
        (a) =>
          a.MetricName === "ApproximateNumberOfMessagesVisible" &&
          JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: "QueueName", Value: queueName }]),
      );
      expect(found, consumer.node.id).toHaveLength(1);
    }
  });

  it("API 5xx", () => {
    const { stack } = build();
    const found = alarms().filter((a) => a.Namespace === "AWS/ApiGateway" && a.MetricName === "5xx");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      Dimensions: [{ Name: "ApiId", Value: { Ref: logicalId(stack.api.httpApi) } }],
      Statistic: "Sum",
      Period: 300,
      Threshold: API_5XX_THRESHOLD,
    });
  });
});
