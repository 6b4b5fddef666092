/**
 * What runs without a request: the evaluation's two stream consumers (records → evaluator,
 * violations → events), each with an encrypted SQS on-failure destination; the sweeper on an
 * EventBridge Scheduler schedule; and the deploy-time custom resource that publishes the policy
 * versions. (The audit trail's consumers and schedule are in audit.ts, built the same way.)
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
import { STREAM_BATCHING, type StreamBatching } from "../../functions/runtime/stream-settings.ts";
import { acknowledge } from "../nag.ts";
import type { CompiledPolicies } from "../policies.ts";
import type { Data } from "./data.ts";
import type { ComplianceFunction } from "./function.ts";
import { type Functions, KMS } from "./functions.ts";

/**
 * DynamoDB Streams: "no more than two processes at most should be reading from the same streams
 * shard at the same time" (DynamoDB developer guide); more readers get throttled. Each event
 * source mapping is one such reader, so a third consumer of one stream fails the synth.
 */
export const MAX_CONSUMERS_PER_STREAM = 2;

/**
 * Writes only: the records table holds each record's newest revision (INSERT for a new record,
 * MODIFY for a newer revision) and violations are opened, resolved, escalated and acted on (INSERT,
 * MODIFY); neither table's items are ever deleted. The filter states the consumers' input at the
 * mapping, so a removal (were one ever made by hand) never invokes them.
 */
export const WRITES_FILTER = FilterCriteria.filter({
  eventName: FilterRule.or("INSERT", "MODIFY"),
});

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
  /** Batch size and batching window (functions/runtime/stream-settings.ts, shared with the local runtime). */
  readonly batching: StreamBatching;
  /** Names its alarms (default: the construct id). */
  readonly name?: string;
}

/**
 * A DynamoDB stream → Lambda mapping with the settings every stream consumer shares (evaluator,
 * events, and the audit function's two mappings):
 * - batch size and batching window per consumer (STREAM_BATCHING): the evaluator takes what is
 *   there at once (100 at most), the audit trail gathers up to 1,000 for 2 s so its group commits
 *   are large; the handlers process a batch's keys concurrently (the evaluator 64 at a time, the
 *   events publisher 16, the audit function 100, whose appends to one chain commit together),
 *   well inside the timeout.
 * - parallelization factor 4: up to 4 batches per shard at once; Lambda keeps each partition
 *   key (one record, one violation) in order, which the handlers rely on (the audit function's
 *   subject is that key, so one subject's entries are appended in stream order).
 * - ReportBatchItemFailures: the handlers return the first failed item of each key, so only it
 *   and what follows it are retried; bisect on error isolates a poison item in a failing batch.
 * - retries bounded (5) and records older than 6 h not retried: a poison item cannot stall its
 *   shard for the stream's 24 h retention; it goes to the on-failure queue instead.
 * - the on-failure destination is an SQS queue (KMS, TLS only, 14 days); a message there is a
 *   description of the failed batch (shard, sequence numbers), and its depth raises an alarm.
 */
export class StreamConsumer extends Construct {
  /** The consumers of each table's stream built so far (at most MAX_CONSUMERS_PER_STREAM). */
  private static readonly byTable = new WeakMap<Table, StreamConsumer[]>();

  /** Every consumer of this table's stream. */
  static of(table: Table): readonly StreamConsumer[] {
    return StreamConsumer.byTable.get(table) ?? [];
  }

  readonly fn: ComplianceFunction;
  readonly table: Table;
  readonly mapping: EventSourceMapping;
  readonly deadLetters: Queue;
  readonly description: string;
  /** Names its alarms: unique in the stack. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn;
    if (!streamArn)
      throw new Error(`${props.table.node.path} has no stream: declare one in functions/store/tables.ts`);
    const readers = [...StreamConsumer.of(props.table), this];
    if (readers.length > MAX_CONSUMERS_PER_STREAM)
      throw new Error(
        `${props.table.node.path}'s stream would have ${readers.length} consumers (${readers.map((c) => c.node.path).join(", ")}); DynamoDB Streams recommends at most ${MAX_CONSUMERS_PER_STREAM} readers per shard`,
      );
    StreamConsumer.byTable.set(props.table, readers);
    this.table = props.table;
    this.description = props.description;
    this.name = props.name ?? id;

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
      batchSize: props.batching.batchSize,
      maxBatchingWindow: Duration.seconds(props.batching.batchingWindowMs / 1000),
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
  }
}

/**
 * Serverless-LambdaDLQ, once per function (a function may consume two streams): a stream
 * consumer is invoked synchronously by its mappings, whose on-failure queues take what fails.
 */
export function acknowledgeStreamInvoked(consumers: readonly StreamConsumer[]): void {
  const fn = consumers[0]?.fn;
  if (!fn || consumers.some((c) => c.fn !== fn))
    throw new Error("acknowledgeStreamInvoked: the consumers of exactly one function");
  const mappings = consumers.map((c) => `${c.description} → ${c.node.id}/OnFailure`).join("; ");
  acknowledge(fn.fn, [
    {
      id: "Serverless-LambdaDLQ",
      reason: `The ${fn.node.id.toLowerCase()} function is invoked synchronously by ${consumers.length === 1 ? "its DynamoDB stream event source mapping" : `its ${consumers.length} DynamoDB stream event source mappings`}; failed batches go to each mapping's on-failure SQS destination (${mappings}; each alarmed), which is where a DLQ for stream sources belongs.`,
    },
  ]);
}

export interface ScheduledRun {
  readonly schedule: Schedule;
  /** The role EventBridge Scheduler assumes: it may invoke exactly this one function. */
  readonly role: Role;
}

/**
 * `fn` on an EventBridge Scheduler rate, through its own role, with no retries (the next run
 * redoes whatever is still due). Constructs `<id>ScheduleRole` and `<id>Schedule` in `scope`.
 */
export function scheduleFunction(
  scope: Construct,
  id: string,
  props: { fn: ComplianceFunction; every: Duration; description: string },
): ScheduledRun {
  const role = new Role(scope, `${id}ScheduleRole`, {
    assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
      conditions: { StringEquals: { "aws:SourceAccount": Stack.of(scope).account } },
    }),
    description: `EventBridge Scheduler: invokes the ${props.fn.node.id.toLowerCase()} function`,
  });
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [props.fn.fn.functionArn] }),
  );
  const target: IScheduleTarget = {
    bind: () => ({
      arn: props.fn.fn.functionArn,
      role,
      // no retries: the next run, one period later, does everything still due
      retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: props.every.toSeconds() },
    }),
  };
  const schedule = new Schedule(scope, `${id}Schedule`, {
    schedule: ScheduleExpression.rate(props.every),
    target,
    description: props.description,
  });
  return { schedule, role };
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

    // Each stream has two consumers, DynamoDB Streams' recommended limit: the records stream feeds
    // this evaluator and the audit trail (audit.ts), the violations stream the event publisher
    // and the audit trail.
    this.evaluator = new StreamConsumer(this, "EvaluatorStream", {
      fn: functions.evaluator,
      table: data.tables.records,
      key: data.key,
      description: "records stream consumer (evaluator)",
      batching: STREAM_BATCHING.evaluator,
      filters: [WRITES_FILTER],
    });
    acknowledgeStreamInvoked([this.evaluator]);

    this.events = new StreamConsumer(this, "EventsStream", {
      fn: functions.events,
      table: data.tables.violations,
      key: data.key,
      description: "violations stream consumer (event publisher)",
      batching: STREAM_BATCHING.events,
      filters: [WRITES_FILTER],
    });
    acknowledgeStreamInvoked([this.events]);

    // The sweeper: every minute, with a role that may invoke exactly this function.
    const sweeper = scheduleFunction(this, "Sweeper", {
      fn: functions.sweeper,
      every: Duration.minutes(1),
      description:
        "Re-evaluates records whose deadline is due; expires waivers, escalates overdue violations",
    });
    this.schedule = sweeper.schedule;
    this.schedulerRole = sweeper.role;
    acknowledge(functions.sweeper.fn, [
      {
        id: "Serverless-LambdaDLQ",
        reason:
          "The sweeper takes no input: each run queries every due record (byNextCheck) and every due violation action (byNextAction), and whatever fails stays due, so the next run a minute later retries it. A dead-letter queue would only collect empty scheduler events.",
      },
    ]);

    this.policyPublication = this.publishPolicies(props);
  }

  /** The stream consumers built here. */
  consumers(): StreamConsumer[] {
    return [this.evaluator, this.events];
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
