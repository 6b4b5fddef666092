import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { AuditLogStore } from "../../functions/store/audit-log.ts";
import {
  AUDIT_DIGESTS,
  AUDIT_LOG,
  RECORD_HEADS,
  TABLES,
  type TableDefinition,
} from "../../functions/store/tables.ts";
import { INFRA_TTL_ATTRIBUTES } from "../../infra/constructs/data.ts";
import { build, logicalId } from "./support.ts";

const keyRef = () => ({ "Fn::GetAtt": [logicalId(build().stack.data.key), "Arn"] });

describe("data: KMS key, DynamoDB tables, secrets", () => {
  it("one customer-managed KMS key, rotation on, retained", () => {
    const { template } = build();
    template.resourceCountIs("AWS::KMS::Key", 1);
    template.hasResource("AWS::KMS::Key", {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: "Retain",
    });
  });

  it("tables are built from TABLES: keys, indexes and projections, stream view types, TTL", () => {
    const { stack, template } = build();
    for (const def of TABLES as readonly TableDefinition[]) {
      const table = stack.data.tables[def.name as keyof typeof stack.data.tables];
      const props = template.toJSON().Resources[logicalId(table)].Properties;
      const keys = [
        { AttributeName: def.partitionKey.name, KeyType: "HASH" },
        ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: "RANGE" }] : []),
      ];
      expect(props.KeySchema, def.name).toEqual(keys);
      const attributes = new Map<string, string>();
      for (const k of [def, ...def.indexes]) {
        attributes.set(k.partitionKey.name, k.partitionKey.type);
        if (k.sortKey) attributes.set(k.sortKey.name, k.sortKey.type);
      }
      expect(
        [...props.AttributeDefinitions].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
        def.name,
      ).toEqual(
        [...attributes]
          .map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }))
          .sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
      );
      const indexes = (props.GlobalSecondaryIndexes ?? []) as Record<string, unknown>[];
      expect(indexes.map((i) => i.IndexName)).toEqual(def.indexes.map((i) => i.indexName));
      for (const index of def.indexes) {
        expect(indexes.find((i) => i.IndexName === index.indexName)).toEqual({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: "HASH" },
            ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: "RANGE" }] : []),
          ],
          Projection: index.include?.length
            ? { ProjectionType: "INCLUDE", NonKeyAttributes: [...index.include] }
            : { ProjectionType: "KEYS_ONLY" },
        });
      }
      expect(props.StreamSpecification, def.name).toEqual(
        def.stream ? { StreamViewType: def.stream } : undefined,
      );
      // tables.ts's TTL, else the CDK app's (the audit log's markers: the next test)
      const ttl = def.ttlAttribute;
      expect(props.TimeToLiveSpecification, def.name).toEqual(
        ttl ? { AttributeName: ttl, Enabled: true } : undefined,
      );
    }
    template.resourceCountIs("AWS::DynamoDB::Table", TABLES.length);
  });

  it("the new tables: record-heads (no stream, byNextCheck and byReceived), audit-log and audit-digests (chain/seq, stream/seq, no stream; audit-log's byTime index)", () => {
    const { stack, template } = build();
    const props = (name: keyof typeof stack.data.tables) =>
      template.toJSON().Resources[logicalId(stack.data.tables[name])].Properties;
    expect(props("record-heads").StreamSpecification).toBeUndefined();
    expect(
      props("record-heads").GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName),
    ).toEqual(RECORD_HEADS.indexes.map((i) => i.indexName));
    expect(props("audit-log").KeySchema).toEqual([
      { AttributeName: "chain", KeyType: "HASH" },
      { AttributeName: "seq", KeyType: "RANGE" },
    ]);
    expect(props("audit-digests").KeySchema).toEqual([
      { AttributeName: "stream", KeyType: "HASH" },
      { AttributeName: "seq", KeyType: "RANGE" },
    ]);
    for (const name of ["audit-log", "audit-digests"] as const)
      expect(props(name).StreamSpecification, name).toBeUndefined();
    // audit-log: one index, each chain's blocks by the oldest entry time they hold (the entry list)
    expect(props("audit-log").GlobalSecondaryIndexes).toEqual([
      {
        IndexName: "byTime",
        KeySchema: [
          { AttributeName: "chain", KeyType: "HASH" },
          { AttributeName: "atMin", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["atMax"] },
      },
    ]);
    expect(props("audit-digests").GlobalSecondaryIndexes).toBeUndefined();
    expect(props("audit-digests").TimeToLiveSpecification).toBeUndefined();
    expect(AUDIT_DIGESTS.indexes).toEqual([]);
  });

  it("audit-log has no TTL: its blocks never expire (no de-duplication markers any more); an append is one PutItem without expiresAt", async () => {
    const { stack, template } = build();
    expect(AUDIT_LOG).not.toHaveProperty("ttlAttribute");
    expect(INFRA_TTL_ATTRIBUTES).toEqual({});
    expect(
      template.toJSON().Resources[logicalId(stack.data.tables["audit-log"])].Properties
        .TimeToLiveSpecification,
    ).toBeUndefined();

    // what one append really writes (a client that records the request instead of sending it)
    const sent: { constructor: { name: string }; input: Record<string, unknown> }[] = [];
    const doc = {
      send: async (command: (typeof sent)[number]) => {
        sent.push(command);
        return command.constructor.name === "QueryCommand" ? { Items: [] } : {};
      },
    };
    const store = new AuditLogStore(doc as never, { auditLog: "audit-log", auditDigests: "audit-digests" });
    await store.appendToChain(
      0,
      [
        {
          eventKey: "record:expense#E1@1",
          content: {
            subject: "record:expense#E1",
            kind: "record.revision",
            at: "2026-03-01T00:00:00Z",
            rev: 1,
          },
        },
      ],
      () => new Date("2026-03-01T00:00:01Z"),
    );
    const puts = sent.filter((c) => c.constructor.name === "PutCommand");
    expect(puts).toHaveLength(1);
    expect(sent.some((c) => c.constructor.name.startsWith("Transact"))).toBe(false);
    expect(puts[0]?.input.Item).not.toHaveProperty("expiresAt");
    expect(puts[0]?.input).toMatchObject({ ConditionExpression: "attribute_not_exists(chain)" });
  });

  it("streams where their consumers need them: records NEW_IMAGE (evaluator), violations NEW_AND_OLD_IMAGES (events)", () => {
    const { stack, template } = build();
    const spec = (t: keyof typeof stack.data.tables) =>
      template.toJSON().Resources[logicalId(stack.data.tables[t])].Properties.StreamSpecification;
    expect(spec("records")).toEqual({ StreamViewType: "NEW_IMAGE" });
    expect(spec("violations")).toEqual({ StreamViewType: "NEW_AND_OLD_IMAGES" });
  });

  it("every table: on-demand, point-in-time recovery, deletion protection, CMK encryption, retained", () => {
    const { template } = build();
    const tables = template.findResources("AWS::DynamoDB::Table");
    for (const [id, table] of Object.entries(tables)) {
      expect(table.DeletionPolicy, id).toBe("Retain");
      expect(table.Properties, id).toMatchObject({
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: keyRef() },
      });
    }
  });

  it("secrets: webhook client secrets (JSON object, starts empty), a generated cursor key and a generated audit digest key, all under the CMK", () => {
    const { stack, template } = build();
    // and the notifier's (notifications.test.ts)
    template.resourceCountIs("AWS::SecretsManager::Secret", 4);
    const secret = (c: unknown) => template.toJSON().Resources[logicalId(c as never)].Properties;
    expect(secret(stack.data.webhookSecrets)).toMatchObject({ KmsKeyId: keyRef(), SecretString: "{}" });
    expect(secret(stack.data.cursorKey)).toMatchObject({
      KmsKeyId: keyRef(),
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    expect(secret(stack.data.auditKey)).toMatchObject({
      KmsKeyId: keyRef(),
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    expect(secret(stack.data.auditKey).SecretString).toBeUndefined();
    // retained like the audit tables it verifies (the others go with the stack)
    expect(template.toJSON().Resources[logicalId(stack.data.auditKey)].DeletionPolicy).toBe("Retain");
  });

  it("the CMK also encrypts every log group, queue and the alarm topic", () => {
    const { template } = build();
    for (const [id, group] of Object.entries(template.findResources("AWS::Logs::LogGroup"))) {
      expect(group.Properties.KmsKeyId, id).toEqual(keyRef());
      expect(group.Properties.RetentionInDays, id).toBeGreaterThan(0);
    }
    for (const [id, queue] of Object.entries(template.findResources("AWS::SQS::Queue"))) {
      expect(queue.Properties.KmsMasterKeyId, id).toEqual(keyRef());
    }
    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: keyRef() });
    // CloudWatch Logs may use the key, for this account's log groups only
    template.hasResourceProperties("AWS::KMS::Key", {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: Match.anyValue() },
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": Match.anyValue() } },
          }),
        ]),
      },
    });
  });
});
