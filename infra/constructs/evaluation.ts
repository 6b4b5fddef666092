/**
 * What runs without a request: the two stream consumers (records → evaluator, violations →
 * events), each with an encrypted SQS on-failure destination; the sweeper on an EventBridge
 * Scheduler schedule; and the deploy-time custom resource that publishes the policy versions.
 */
import { type CfnElement, CustomResource, Duration, Stack } from "aws-cdk-lib";
import type { Table } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import {
  EventSourceMapping,
  FilterCriteria,
  FilterRule,
  type IEventSourceDlq,
  StartingPosition,
} from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { type IScheduleTarget, Schedule, ScheduleExpression } from "aws-cdk-lib/aws-scheduler";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Provider } from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import { RECORDS } from "../../functions/store/tables.ts";
import { acknowledge } from "../nag.ts";
import type { CompiledPolicies } from "../policies.ts";
import type { Data } from "./data.ts";
import type { ComplianceFunction } from "./function.ts";
import { type Functions, KMS } from "./functions.ts";

/** An on-failure destination that grants nothing by itself (the role gets exact statements). */
function queueDestination(queue: Queue): IEventSourceDlq {
  return { bind: () => ({ destination: queue.queueArn }) };
}

export interface StreamConsumerProps {
  readonly fn: ComplianceFunction;
  readonly table: Table;
  readonly key: IKey;
  readonly filters?: ReturnType<typeof FilterCriteria.filter>[];
  readonly description: string;
}

/**
 * A DynamoDB stream → Lambda mapping with the settings both consumers share:
 * - batch size 100 and a 1 s batching window: a revision is judged within about a second of its
 *   write while a burst (an ERP backfill) still arrives in full batches; the handlers process the
 *   batch's keys concurrently (16 at a time), so 100 records fit well inside the timeout.
 * - parallelization factor 4: up to 4 batches per shard at once; Lambda keeps each partition
 *   key (one record, one violation) in order, which the handlers rely on.
 * - ReportBatchItemFailures: the handlers return the first failed item of each key, so only it
 *   and what follows it are retried; bisect on error isolates a poison item in a failing batch.
 * - retries bounded (5) and records older than 6 h not retried: a poison item cannot stall its
 *   shard for the stream's 24 h retention; it goes to the on-failure queue instead.
 * - the on-failure destination is an SQS queue (KMS, TLS only, 14 days); a message there is a
 *   description of the failed batch (shard, sequence numbers), and its depth raises an alarm.
 */
export class StreamConsumer extends Construct {
  readonly fn: ComplianceFunction;
  readonly mapping: EventSourceMapping;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn;
    if (!streamArn)
      throw new Error(`${props.table.node.path} has no stream: declare one in functions/store/tables.ts`);

    this.deadLetters = new Queue(this, "OnFailure", {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetters, [
      {
        id: "AwsSolutions-SQS3",
        reason: `This queue is itself the dead-letter (on-failure) destination of the ${props.description}; its messages describe failed batches (shard, sequence numbers) for an operator to investigate; a queue behind it would only move them.`,
      },
      {
        id: "Serverless-SQSRedrivePolicy",
        reason: `This queue is itself the dead-letter (on-failure) destination of the ${props.description}; nothing consumes it automatically, so there is no redrive to configure.`,
      },
    ]);

    const fn = props.fn;
    this.fn = fn;
    // Lambda's poller reads the stream with the function's role.
    fn.allow(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], [streamArn]);
    fn.allow(["dynamodb:ListStreams"], [`${props.table.tableArn}/stream/*`]);
    fn.allow(["sqs:SendMessage"], [this.deadLetters.queueArn]);
    fn.allowKey(props.key, [...KMS.read, ...KMS.send]);
    acknowledge(fn.role, [
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(props.table.node.defaultChild as CfnElement)}.Arn>/stream/*]`,
        reason:
          "dynamodb:ListStreams authorizes against the table's stream/* resource (the DynamoDB developer guide's Lambda stream-consumer policy), not against one stream label; it lists this table's streams only. The actions that read records are granted on the exact stream ARN.",
      },
    ]);

    this.mapping = new EventSourceMapping(this, "Mapping", {
      target: fn.fn,
      eventSourceArn: streamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      parallelizationFactor: 4,
      bisectBatchOnError: true,
      retryAttempts: 5,
      maxRecordAge: Duration.hours(6),
      reportBatchItemFailures: true,
      onFailure: queueDestination(this.deadLetters),
      ...(props.filters ? { filters: props.filters } : {}),
    });
    // the poller needs the stream permissions before the mapping is enabled
    this.mapping.node.addDependency(fn.role);
    acknowledge(fn.fn, [
      {
        id: "Serverless-LambdaDLQ",
        reason: `The ${props.description} is invoked synchronously by its event source mapping; failed batches go to the mapping's on-failure SQS destination (OnFailure queue, alarmed), which is where a DLQ for stream sources belongs.`,
      },
    ]);
  }
}

export interface EvaluationProps {
  readonly data: Data;
  readonly functions: Functions;
  readonly policies: CompiledPolicies;
}

export class Evaluation extends Construct {
  readonly evaluator: StreamConsumer;
  readonly events: StreamConsumer;
  readonly schedule: Schedule;
  readonly schedulerRole: Role;
  readonly policyPublication: CustomResource;

  constructor(scope: Construct, id: string, props: EvaluationProps) {
    super(scope, id);
    const { data, functions } = props;

    this.evaluator = new StreamConsumer(this, "EvaluatorStream", {
      fn: functions.evaluator,
      table: data.tables.records,
      key: data.key,
      description: "records stream consumer (evaluator)",
      // Only revision items (sort key rev ≥ 1) are evaluated; head items (rev = 0) change on every
      // evaluation and are dropped before Lambda runs. Stream records carry numbers as strings
      // ({"N": "3"}), so the filter is "anything but the string 0" rather than a numeric match.
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.or("INSERT", "MODIFY"),
          dynamodb: { Keys: { [RECORDS.sortKey.name]: { N: FilterRule.notEquals("0") } } },
        }),
      ],
    });

    this.events = new StreamConsumer(this, "EventsStream", {
      fn: functions.events,
      table: data.tables.violations,
      key: data.key,
      description: "violations stream consumer (event publisher)",
      // violations are never deleted: only inserts and updates can open or resolve one
      filters: [FilterCriteria.filter({ eventName: FilterRule.or("INSERT", "MODIFY") })],
    });

    // The sweeper: every minute, with a role that may invoke exactly this function.
    this.schedulerRole = new Role(this, "SweeperScheduleRole", {
      assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
      description: "EventBridge Scheduler: invokes the sweeper function",
    });
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["lambda:InvokeFunction"],
        resources: [functions.sweeper.fn.functionArn],
      }),
    );
    const sweeperTarget: IScheduleTarget = {
      bind: () => ({
        arn: functions.sweeper.fn.functionArn,
        role: this.schedulerRole,
        // no retries: the next run, a minute later, sweeps everything still due
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      }),
    };
    this.schedule = new Schedule(this, "SweeperSchedule", {
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      target: sweeperTarget,
      description: "Re-evaluates records whose deadline is due",
    });
    acknowledge(functions.sweeper.fn, [
      {
        id: "Serverless-LambdaDLQ",
        reason:
          "The sweeper takes no input: each run queries every due record from the byNextCheck index, and a record that fails stays due, so the next run a minute later retries it. A dead-letter queue would only collect empty scheduler events.",
      },
    ]);

    this.policyPublication = this.publishPolicies(props);
  }

  /** Publishes every policy version at deploy time; a changed released version fails the deploy. */
  private publishPolicies(props: EvaluationProps): CustomResource {
    const publisher = props.functions.policyPublisher;
    const logGroup = new LogGroup(this, "PolicyPublisherProviderLogs", {
      retention: RetentionDays.THREE_MONTHS,
      encryptionKey: props.data.key,
    });
    // the framework function's own role: its log group and (added by Provider) invoking the publisher
    const providerRole = new Role(this, "PolicyPublisherProviderRole", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: "CDK custom-resource Provider framework: relays policy publication to the publisher",
    });
    providerRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [logGroup.logGroupArn],
      }),
    );
    const provider = new Provider(this, "PolicyPublisherProvider", {
      onEventHandler: publisher.fn,
      logGroup,
      frameworkOnEventRole: providerRole,
    });
    const resource = new CustomResource(this, "PolicyPublication", {
      serviceToken: provider.serviceToken,
      resourceType: "Custom::CompliancePolicyVersions",
      // a new digest (a new policy version) re-runs the publisher on the next deploy
      properties: { PolicySetDigest: props.policies.digest, Versions: props.policies.set.versions.length },
    });
    acknowledge(publisher.fn, [
      {
        id: "Serverless-LambdaDLQ",
        reason:
          "The policy publisher is invoked synchronously by the custom-resource provider during deployments; a failure fails (and rolls back) the deployment, which is the intended signal. Nothing is queued, so there is nothing to dead-letter.",
      },
    ]);
    acknowledge(providerRole, [
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(publisher.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason:
          "The CDK custom-resource Provider grants its framework function lambda:InvokeFunction on the policy publisher and the publisher's versions (ARN:*); the * covers versions of that one function only.",
      },
    ]);
    const framework = provider.node.findChild("framework-onEvent");
    acknowledge(framework, [
      {
        id: "Serverless-LambdaDLQ",
        reason:
          "The CDK Provider framework function is invoked by CloudFormation for the policy-publication custom resource and reports every outcome to CloudFormation itself; a failure fails the deployment, nothing is left to dead-letter.",
      },
      {
        id: "Serverless-LambdaDefaultMemorySize",
        reason:
          "The CDK Provider framework function (CDK-owned code) only relays the custom-resource event to the policy publisher and back; its memory size is not configurable through the Provider construct and the default suffices.",
      },
      {
        id: "Serverless-LambdaTracing",
        reason:
          "The CDK Provider framework function runs once per deployment to relay an event; the Provider construct exposes no tracing option, and the publisher it calls is traced.",
      },
    ]);
    return resource;
  }
}
