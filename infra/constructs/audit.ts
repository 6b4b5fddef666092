/**
 * The tamper-evident audit trail: the audit function consumes BOTH streams (records: stored
 * revisions; violations: status changes, case actions, escalations) and appends each batch to the
 * hash-chained audit-log table (one block per chain); the digester seals every chain's end into a
 * signed, chained digest (audit-digests) every 5 minutes and anchors it in an S3 bucket with
 * Object Lock in compliance mode, outside the tables, like CloudTrail's digest files: deleting the
 * tables cannot delete the evidence. Verification is the auditor's GET /v1/audit/verify.
 */
import { type CfnElement, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectLockRetention } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { STREAM_BATCHING } from "../../functions/runtime/stream-settings.ts";
import { acknowledge } from "../nag.ts";
import type { Data } from "./data.ts";
import {
  acknowledgeStreamInvoked,
  type ScheduledRun,
  StreamConsumer,
  scheduleFunction,
  WRITES_FILTER,
} from "./evaluation.ts";
import type { Functions } from "./functions.ts";

/** How often a digest seals the chains (the local runtime's COMPLIANCE_DIGEST_INTERVAL_S default). */
export const DIGEST_EVERY = Duration.minutes(5);

/**
 * How long S3 keeps each anchored digest undeletable (compliance mode: nobody, root included, can
 * shorten it). Context `compliance:audit-retention-days` overrides it; a test stack may want 1.
 */
export const DEFAULT_DIGEST_RETENTION_DAYS = 365;
export const RETENTION_CONTEXT = "compliance:audit-retention-days";

export interface AuditTrailProps {
  readonly data: Data;
  readonly functions: Functions;
}

export class AuditTrail extends Construct {
  /** records stream → audit (stored revisions, the evaluator's filter). */
  readonly records: StreamConsumer;
  /** violations stream → audit (inserts and updates, the event publisher's filter). */
  readonly violations: StreamConsumer;
  readonly digests: ScheduledRun;
  /** The digest anchor: Object Lock (compliance mode), versioned, private, TLS only. */
  readonly anchor: Bucket;
  /** Server access logs of the anchor. */
  readonly anchorLogs: Bucket;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    // S3 access logs are delivered under a bucket policy, not the legacy LogDeliveryWrite ACL
    this.node.setContext("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", true);
    const { data, functions } = props;

    // Two event source mappings on one function, each with its own on-failure queue, with the
    // settings every stream consumer shares (StreamConsumer). With these, each stream has exactly
    // two consumers (records: evaluator + audit; violations: events + audit), which is DynamoDB
    // Streams' recommended limit of readers per shard: a further consumer must fan out instead
    // (e.g. through EventBridge Pipes or Kinesis Data Streams for DynamoDB), and StreamConsumer
    // refuses a third at synth.
    this.records = new StreamConsumer(this, "RecordsStream", {
      fn: functions.auditTrailConsumer,
      table: data.tables.records,
      key: data.key,
      description: "records stream consumer (audit trail)",
      batching: STREAM_BATCHING.audit,
      name: "AuditRecordsStream",
      // the same filter as the evaluator: the audit trail records stored revisions
      filters: [WRITES_FILTER],
    });
    this.violations = new StreamConsumer(this, "ViolationsStream", {
      fn: functions.auditTrailConsumer,
      table: data.tables.violations,
      key: data.key,
      description: "violations stream consumer (audit trail)",
      batching: STREAM_BATCHING.audit,
      name: "AuditViolationsStream",
      filters: [WRITES_FILTER],
    });
    acknowledgeStreamInvoked([this.records, this.violations]);

    this.digests = scheduleFunction(this, "Digester", {
      fn: functions.digester,
      every: DIGEST_EVERY,
      description: "Seals every audit chain's head into the next signed, chained digest",
    });
    const retentionDays = Number(this.node.tryGetContext(RETENTION_CONTEXT) ?? DEFAULT_DIGEST_RETENTION_DAYS);
    this.anchorLogs = new Bucket(this, "DigestAnchorAccessLogs", {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // (cdk-nag raises no S1 for a bucket that is itself an access-log destination)
    this.anchor = new Bucket(this, "DigestAnchor", {
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(retentionDays)),
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: this.anchorLogs,
      serverAccessLogsPrefix: "digest-anchor/",
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // store/audit-anchor-s3.ts: the digester puts each digest once (If-None-Match) and lists and
    // reads the anchored ones (to anchor any the table has and the anchor lacks); the auditor lists
    // and reads them (GET /v1/audit/verify). Neither may delete: Object Lock would refuse anyway.
    const objects = this.anchor.arnForObjects("digests/*");
    functions.digester.allow(["s3:PutObject", "s3:GetObject"], [objects]);
    functions.digester.allow(["s3:ListBucket"], [this.anchor.bucketArn]);
    functions.auditor.allow(["s3:GetObject"], [objects]);
    functions.auditor.allow(["s3:ListBucket"], [this.anchor.bucketArn]);
    for (const fn of [functions.digester, functions.auditor]) {
      fn.fn.addEnvironment("COMPLIANCE_AUDIT_BUCKET", this.anchor.bucketName);
      acknowledge(fn.role, [
        {
          id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.anchor.node.defaultChild as CfnElement)}.Arn>/digests/*]`,
          reason:
            "Digest objects are named by their sequence number (digests/<seq>.json), one per digest ever written, so object actions are granted on the digests/ prefix of the one anchor bucket; no delete action is granted and Object Lock in compliance mode would refuse it anyway.",
        },
      ]);
    }

    acknowledge(functions.digester.fn, [
      {
        id: "Serverless-LambdaDLQ",
        reason:
          "The digester takes no input: each run seals whatever the chain heads are at that moment, and a failed run leaves them to the next run 5 minutes later, which seals them all (a digest covers every chain). A dead-letter queue would only collect empty scheduler events.",
      },
    ]);
  }

  consumers(): StreamConsumer[] {
    return [this.records, this.violations];
  }
}
