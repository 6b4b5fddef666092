/**
 * CloudWatch alarms, all to one KMS-encrypted, TLS-only SNS topic (subscribe mail or chat to it):
 * every on-failure queue's depth, every function's errors and throttles, every stream-consuming
 * function's iterator age, and the API's 5xx answers.
 */
import { Aws, Duration } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import type { Api } from "./api.ts";
import type { StreamConsumer } from "./evaluation.ts";
import type { ComplianceFunction } from "./function.ts";
import type { Functions } from "./functions.ts";

/** A stream consumer this far behind (ms) for 5 minutes is not keeping up. */
export const ITERATOR_AGE_THRESHOLD_MS = 120_000;
/** 5xx answers in 5 minutes that page someone (a single one is already in the access logs). */
export const API_5XX_THRESHOLD = 5;

export interface ObservabilityProps {
  readonly key: IKey;
  readonly functions: Functions;
  /** Every stream consumer (event source mapping) of the stack. */
  readonly consumers: readonly StreamConsumer[];
  readonly api: Api;
}

export class Observability extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = new Topic(this, "AlarmTopic", {
      displayName: "Compliance platform alarms",
      masterKey: props.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "CloudWatchAlarmsPublish",
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID },
          ArnLike: {
            "aws:SourceArn": `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
        },
      }),
    );

    for (const consumer of props.consumers) this.deadLetterAlarm(consumer);
    const byFunction = new Map<ComplianceFunction, StreamConsumer[]>();
    for (const consumer of props.consumers)
      byFunction.set(consumer.fn, [...(byFunction.get(consumer.fn) ?? []), consumer]);
    for (const consumers of byFunction.values()) this.iteratorAgeAlarm(consumers);
    for (const fn of props.functions.all()) this.functionAlarms(fn);

    this.alarm("Api5xx", {
      metric: props.api.httpApi.metricServerError({ period: Duration.minutes(5), statistic: "Sum" }),
      threshold: API_5XX_THRESHOLD,
      evaluationPeriods: 1,
      description: `The HTTP API answered ${API_5XX_THRESHOLD} or more 5xx in 5 minutes`,
    });
  }

  private deadLetterAlarm(consumer: StreamConsumer): void {
    this.alarm(`${consumer.name}DeadLetters`, {
      metric: consumer.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: "Maximum",
      }),
      threshold: 1,
      evaluationPeriods: 1,
      description: `A stream batch of the ${consumer.description} failed for good and went to ${consumer.node.path}/OnFailure: investigate it`,
    });
  }

  /**
   * Lambda publishes IteratorAge per function only (no event-source-mapping dimension), so a
   * function with two mappings (the audit function) gets one alarm on the Maximum over both
   * streams: either stream falling behind raises it, and its description names both.
   */
  private iteratorAgeAlarm(consumers: readonly StreamConsumer[]): void {
    const [first] = consumers;
    if (!first) return;
    const id = consumers.length === 1 ? first.name : `${first.fn.node.id}Streams`;
    const what = consumers.map((c) => c.description).join(" and ");
    this.alarm(`${id}IteratorAge`, {
      metric: first.fn.fn.metric("IteratorAge", { period: Duration.minutes(1), statistic: "Maximum" }),
      threshold: ITERATOR_AGE_THRESHOLD_MS,
      evaluationPeriods: 5,
      description: `The ${what} ${consumers.length === 1 ? "is" : "(one function): one of them is"} more than ${ITERATOR_AGE_THRESHOLD_MS / 1000} s behind its stream for 5 minutes`,
    });
  }

  private functionAlarms(fn: ComplianceFunction): void {
    const period = Duration.minutes(5);
    this.alarm(`${fn.node.id}Errors`, {
      metric: fn.fn.metricErrors({ period, statistic: "Sum" }),
      threshold: 1,
      evaluationPeriods: 1,
      description: `The ${fn.node.id} function failed at least once in 5 minutes`,
    });
    this.alarm(`${fn.node.id}Throttles`, {
      metric: fn.fn.metricThrottles({ period, statistic: "Sum" }),
      threshold: 1,
      evaluationPeriods: 1,
      description: `The ${fn.node.id} function was throttled at least once in 5 minutes`,
    });
  }

  private alarm(
    id: string,
    props: { metric: IMetric; threshold: number; evaluationPeriods: number; description: string },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric: props.metric,
      threshold: props.threshold,
      evaluationPeriods: props.evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: props.description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
