/**
 * The audit trail on AWS: the audit function on both streams (its own mapping, filter and
 * on-failure queue each), the digester every 5 minutes, and roles that hold exactly the DynamoDB
 * actions the audit code sends (replayed here through a client that records each request).
 */
import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { type AuditDeps, verifyAudit, writeDigest } from "../../functions/service/audit.ts";
import { listAuditEntries } from "../../functions/service/audit-entries.ts";
import { AUDIT_CHAINS, AuditLogStore } from "../../functions/store/audit-log.ts";
import { auditSources } from "../../functions/store/audit-sources.ts";
import { DEFAULT_DIGEST_RETENTION_DAYS, DIGEST_EVERY } from "../../infra/constructs/audit.ts";
import { MAX_CONSUMERS_PER_STREAM, StreamConsumer } from "../../infra/constructs/evaluation.ts";
import type { ComplianceFunction } from "../../infra/constructs/function.ts";
import { ComplianceStack } from "../../infra/stack.ts";
import {
  actionsOf,
  build,
  logicalId,
  mappingOf,
  NO_BUNDLING,
  resolve,
  roleActions,
  SHARED_STREAM_SETTINGS,
  statementsOf,
  WRITES_PATTERN,
} from "./support.ts";

/** Sends nothing: records each request and answers with `reply(command)`. */
function recordingClient(reply: (name: string, input: Record<string, unknown>) => unknown = () => ({})) {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  const doc = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const call = { name: command.constructor.name.replace(/Command$/, ""), input: command.input };
      sent.push(call);
      const answer = reply(call.name, call.input);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { doc: doc as never, sent };
}

const TABLES = { auditLog: "audit-log", auditDigests: "audit-digests" } as const;

describe("audit trail", () => {
  it("the audit function consumes the records stream: stored revisions (the evaluator's filter), shared settings, its own on-failure queue", () => {
    const { stack } = build();
    const consumer = stack.audit.records;
    expect(consumer.fn).toBe(stack.functions.auditTrailConsumer);
    expect(mappingOf(consumer)).toMatchObject({
      ...SHARED_STREAM_SETTINGS,
      // large batches gathered for 2 s: big blocks on the chains
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 2,
      EventSourceArn: resolve(stack.data.tables.records.tableStreamArn),
      FunctionName: resolve(stack.functions.auditTrailConsumer.fn.functionName),
      DestinationConfig: { OnFailure: { Destination: resolve(consumer.deadLetters.queueArn) } },
    });
    const filters = mappingOf(consumer).FilterCriteria.Filters;
    expect(filters).toHaveLength(1);
    expect(JSON.parse(filters[0].Pattern)).toEqual(WRITES_PATTERN);
    expect(filters).toEqual(mappingOf(stack.evaluation.evaluator).FilterCriteria.Filters);
  });

  it("the audit function consumes the violations stream: inserts and updates, shared settings, its own on-failure queue", () => {
    const { stack } = build();
    const consumer = stack.audit.violations;
    expect(consumer.fn).toBe(stack.functions.auditTrailConsumer);
    expect(mappingOf(consumer)).toMatchObject({
      ...SHARED_STREAM_SETTINGS,
      // large batches gathered for 2 s: big blocks on the chains
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 2,
      EventSourceArn: resolve(stack.data.tables.violations.tableStreamArn),
      FunctionName: resolve(stack.functions.auditTrailConsumer.fn.functionName),
      DestinationConfig: { OnFailure: { Destination: resolve(consumer.deadLetters.queueArn) } },
    });
    expect(JSON.parse(mappingOf(consumer).FilterCriteria.Filters[0].Pattern)).toEqual(WRITES_PATTERN);
    // four mappings, four distinct on-failure queues
    const queues = [...stack.evaluation.consumers(), ...stack.audit.consumers()].map((c) =>
      logicalId(c.deadLetters),
    );
    expect(new Set(queues).size).toBe(4);
  });

  it(`each stream has exactly ${MAX_CONSUMERS_PER_STREAM} consumers (DynamoDB Streams' recommended limit), and a third fails the synth`, () => {
    const { stack, template } = build();
    const mappings = Object.values(template.findResources("AWS::Lambda::EventSourceMapping"));
    expect(mappings).toHaveLength(4);
    for (const table of ["records", "violations"] as const) {
      const stream = JSON.stringify(resolve(stack.data.tables[table].tableStreamArn));
      const readers = mappings.filter((m) => JSON.stringify(m.Properties.EventSourceArn) === stream);
      expect(readers, table).toHaveLength(MAX_CONSUMERS_PER_STREAM);
    }
    const app = new App({ context: NO_BUNDLING });
    const other = new ComplianceStack(app, "Other");
    expect(
      () =>
        new StreamConsumer(other, "Third", {
          fn: other.functions.sweeper,
          table: other.data.tables.records,
          key: other.data.key,
          description: "a third records stream consumer",
          batching: { batchSize: 100, batchingWindowMs: 0 },
        }),
    ).toThrow(/3 consumers.*at most 2/);
  });

  it("the digester: EventBridge Scheduler every 5 minutes, through a role that may invoke only the digester", () => {
    const { stack, template } = build();
    const { schedule, role } = stack.audit.digests;
    expect(DIGEST_EVERY.toMinutes()).toBe(5);
    expect(template.toJSON().Resources[logicalId(schedule)].Properties).toMatchObject({
      ScheduleExpression: "rate(5 minutes)",
      State: "ENABLED",
      Target: {
        Arn: resolve(stack.functions.digester.fn.functionArn),
        RoleArn: { "Fn::GetAtt": [logicalId(role), "Arn"] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
      },
    });
    expect(statementsOf(logicalId(role))).toEqual([
      { actions: ["lambda:InvokeFunction"], resources: [resolve(stack.functions.digester.fn.functionArn)] },
    ]);
    const trust =
      template.toJSON().Resources[logicalId(role)].Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Principal).toEqual({ Service: "scheduler.amazonaws.com" });
    expect(trust.Condition).toEqual({ StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } });
    expect(role).not.toBe(stack.evaluation.schedulerRole);
  });

  it("the audit role holds exactly what an append sends: Query and PutItem on audit-log (no transaction, no update, nothing on audit-digests)", async () => {
    const { stack } = build();
    // a first append (an empty chain), then one whose block number was taken (read again, retried)
    let puts = 0;
    const { doc, sent } = recordingClient((name) => {
      if (name === "Query") return { Items: [] };
      if (name !== "Put") return {};
      puts++;
      return puts === 2 ? Object.assign(new Error("taken"), { name: "ConditionalCheckFailedException" }) : {};
    });
    const store = new AuditLogStore(doc, TABLES, { maxAttempts: 3 });
    const content = (n: number) => ({
      subject: `record:expense#E${n}`,
      kind: "record.revision",
      at: "2026-03-01T00:00:00Z",
      rev: 1,
    });
    const now = () => new Date("2026-03-01T00:00:01Z");
    await store.appendToChain(0, [{ eventKey: "record:expense#E1@1", content: content(1) }], now);
    await store.appendToChain(0, [{ eventKey: "record:expense#E2@1", content: content(2) }], now);
    expect(sent.some((c) => c.name === "TransactWrite")).toBe(false);
    const used = actionsOf(sent);
    expect([...used.keys()]).toEqual(["audit-log"]);
    expect([...(used.get("audit-log") ?? [])].sort()).toEqual(
      roleActions(stack.functions.auditTrailConsumer, "audit-log"),
    );
    expect(roleActions(stack.functions.auditTrailConsumer, "audit-digests")).toEqual([]);
  });

  it("the digester role holds exactly what writeDigest sends: Query on audit-log; Query and PutItem on audit-digests", async () => {
    const { stack } = build();
    const { doc, sent } = recordingClient((name, input) =>
      name === "Query" && input.TableName === TABLES.auditLog
        ? {
            Items: [
              {
                chain: input.ExpressionAttributeValues && "chain#0",
                seq: 1,
                at: "t",
                srcMax: "t",
                entries: [{ seq: 1, content: {}, prevHash: "0", hash: "h" }],
              },
            ],
          }
        : name === "Query"
          ? { Items: [] }
          : {},
    );
    const deps: AuditDeps = {
      store: new AuditLogStore(doc, TABLES),
      key: async () => "k",
      now: () => new Date(),
    };
    expect(await writeDigest(deps)).toMatchObject({ written: true, seq: 1 });
    const used = actionsOf(sent);
    for (const table of ["audit-log", "audit-digests"] as const)
      expect([...(used.get(table) ?? [])].sort(), table).toEqual(
        roleActions(stack.functions.digester, table),
      );
  });

  it("the digest anchor: an S3 bucket with Object Lock in compliance mode, versioned, private, TLS only, access-logged, retained; the digester may put, list and read digests, the auditor list and read, nobody delete", () => {
    const { stack, template } = build();
    const bucket = template.toJSON().Resources[logicalId(stack.audit.anchor)];
    expect(bucket.DeletionPolicy).toBe("Retain");
    expect(bucket.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: "Enabled",
        Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: DEFAULT_DIGEST_RETENTION_DAYS } },
      },
      VersioningConfiguration: { Status: "Enabled" },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: resolve(stack.audit.anchorLogs.bucketName) },
    });
    const s3Actions = (fn: ComplianceFunction) =>
      statementsOf(logicalId(fn.role))
        .flatMap((s) => s.actions)
        .filter((a) => a.startsWith("s3:"))
        .sort();
    expect(s3Actions(stack.functions.digester)).toEqual(["s3:GetObject", "s3:ListBucket", "s3:PutObject"]);
    expect(s3Actions(stack.functions.auditor)).toEqual(["s3:GetObject", "s3:ListBucket"]);
    expect(s3Actions(stack.functions.auditTrailConsumer)).toEqual([]);
    for (const fn of [stack.functions.digester, stack.functions.auditor])
      expect(template.toJSON().Resources[logicalId(fn.fn)].Properties.Environment.Variables).toMatchObject({
        COMPLIANCE_AUDIT_BUCKET: resolve(stack.audit.anchor.bucketName),
      });
  });

  it("the auditor's audit-trail actions are exactly what GET /v1/audit/verify and listAuditEntries send: Query and BatchGetItem on audit-log (and Query on its byTime index), Query on audit-digests, Scan on records and violations", async () => {
    const { stack } = build();
    const { doc, sent } = recordingClient((name, input) => {
      if (
        name === "Query" &&
        (input.ExpressionAttributeValues as Record<string, unknown>)[":c"] === "chain#0"
      )
        return {
          Items: [
            {
              chain: "chain#0",
              seq: 1,
              at: "t",
              srcMax: "t",
              atMin: "2026-01-02T00:00:00Z",
              atMax: "2026-01-02T00:00:00Z",
              entries: [{ seq: 1, content: {}, prevHash: "", hash: "" }],
            },
          ],
        };
      return name === "Query" || name === "Scan" ? { Items: [] } : {};
    });
    const tables = {
      ...TABLES,
      records: "records",
      recordRevisions: "record-revisions",
      violations: "violations",
    } as const;
    const deps: AuditDeps = {
      store: new AuditLogStore(doc, tables),
      key: async () => "k",
      now: () => new Date(),
      sources: auditSources(doc, tables),
    };
    await verifyAudit(deps);
    expect(sent.filter((c) => c.name === "Query" && c.input.TableName === TABLES.auditLog)).toHaveLength(
      AUDIT_CHAINS,
    );
    await listAuditEntries(deps.store, { from: "2026-01-01T00:00:00Z" }, "k");
    const used = actionsOf(sent);
    for (const table of ["audit-log", "audit-digests"] as const)
      expect([...(used.get(table) ?? [])].sort(), table).toEqual(roleActions(stack.functions.auditor, table));
    for (const table of ["records", "record-revisions", "violations"] as const)
      expect(roleActions(stack.functions.auditor, table)).toEqual(
        expect.arrayContaining([...(used.get(table) ?? [])]),
      );
    expect(used.get("records")).toEqual(new Set(["dynamodb:Scan"]));
    expect(used.get("record-revisions")).toEqual(new Set(["dynamodb:Scan"]));
    // the entry list reads blocks by time from the index (granted on it: test/infra/functions.test.ts)
    expect(used.get("audit-log/index/byTime")).toEqual(new Set(["dynamodb:Query"]));
  });
});
