/**
 * The tamper-evident audit trail: the audit function consumes BOTH streams (records: stored
 * revisions; violations: status changes, case actions, escalations) and appends each to the
 * hash-chained audit-log table; the digester seals every chain's head into a signed, chained
 * digest (audit-digests) every 5 minutes. Verification is the auditor's GET /v1/audit/verify.
 */
import { Duration } from "aws-cdk-lib";
import { Construct } from "constructs";
import { STREAM_BATCHING } from "../../functions/runtime/stream-settings.ts";
import { acknowledge } from "../nag.ts";
import type { Data } from "./data.ts";
import {
  acknowledgeStreamInvoked,
  REVISION_ITEMS_FILTER,
  type ScheduledRun,
  StreamConsumer,
  scheduleFunction,
  VIOLATION_WRITES_FILTER,
} from "./evaluation.ts";
import type { Functions } from "./functions.ts";

/** How often a digest seals the chains (the local runtime's COMPLIANCE_DIGEST_INTERVAL_S default). */
export const DIGEST_EVERY = Duration.minutes(5);

export interface AuditTrailProps {
  readonly data: Data;
  readonly functions: Functions;
}

export class AuditTrail extends Construct {
  /** records stream → audit (revision items only, the evaluator's filter). */
  readonly records: StreamConsumer;
  /** violations stream → audit (inserts and updates, the event publisher's filter). */
  readonly violations: StreamConsumer;
  readonly digests: ScheduledRun;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const { data, functions } = props;

    // Two event source mappings on one function, each with its own on-failure queue, with the
    // settings every stream consumer shares (StreamConsumer). With these, each stream has exactly
    // two consumers (records: evaluator + audit; violations: events + audit), which is DynamoDB
    // Streams' recommended limit of readers per shard: a further consumer must fan out instead
    // (e.g. through EventBridge Pipes or Kinesis Data Streams for DynamoDB), and StreamConsumer
    // refuses a third at synth.
    this.records = new StreamConsumer(this, "RecordsStream", {
      fn: functions.audit,
      table: data.tables.records,
      key: data.key,
      description: "records stream consumer (audit trail)",
      batching: STREAM_BATCHING.audit,
      name: "AuditRecordsStream",
      // the same filter as the evaluator: the audit trail records stored revisions
      filters: [REVISION_ITEMS_FILTER],
    });
    this.violations = new StreamConsumer(this, "ViolationsStream", {
      fn: functions.audit,
      table: data.tables.violations,
      key: data.key,
      description: "violations stream consumer (audit trail)",
      batching: STREAM_BATCHING.audit,
      name: "AuditViolationsStream",
      filters: [VIOLATION_WRITES_FILTER],
    });
    acknowledgeStreamInvoked([this.records, this.violations]);

    this.digests = scheduleFunction(this, "Digester", {
      fn: functions.digester,
      every: DIGEST_EVERY,
      description: "Seals every audit chain's head into the next signed, chained digest",
    });
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
