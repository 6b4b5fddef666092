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
      const ttl = def.ttlAttribute ?? (def.name === AUDIT_LOG.name ? "expiresAt" : undefined);
      expect(props.TimeToLiveSpecification, def.name).toEqual(
        ttl ? { AttributeName: ttl, Enabled: true } : undefined,
      );
    }
    template.resourceCountIs("AWS::DynamoDB::Table", TABLES.length);
  });

  it("the new tables: record-heads (no stream, byNextCheck and byReceived), audit-log and audit-digests (chain/seq, stream/seq, no stream)", () => {
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
    for (const name of ["audit-log", "audit-digests"] as const) {
      expect(props(name).StreamSpecification, name).toBeUndefined();
      expect(props(name).GlobalSecondaryIndexes, name).toBeUndefined();
    }
    expect(props("audit-digests").TimeToLiveSpecification).toBeUndefined();
    expect(AUDIT_DIGESTS.indexes).toEqual([]);
  });

  it("audit-log TTL on expiresAt: the de-duplication markers an append writes carry it; heads and entries never do", async () => {
    const { stack, template } = build();
    // set in infra because tables.ts declares none for the audit log
    expect(AUDIT_LOG).not.toHaveProperty("ttlAttribute");
    expect(INFRA_TTL_ATTRIBUTES).toEqual({ "audit-log": "expiresAt" });
    expect(
      template.toJSON().Resources[logicalId(stack.data.tables["audit-log"])].Properties
        .TimeToLiveSpecification,
    ).toEqual({ AttributeName: "expiresAt", Enabled: true });

    // what one append really writes (a client that records the request instead of sending it)
    const sent: { constructor: { name: string }; input: Record<string, unknown> }[] = [];
    const doc = {
      send: async (command: (typeof sent)[number]) => {
        sent.push(command);
        return {};
      },
    };
    const store = new AuditLogStore(doc as never, { auditLog: "audit-log", auditDigests: "audit-digests" });
    const before = Math.floor(Date.now() / 1000);
    await store.append({
      eventKey: "record:expense#E1@1",
      content: { subject: "record:expense#E1", kind: "record.revision", at: "2026-03-01T00:00:00Z" },
    });
    const transaction = sent.find((c) => c.constructor.name === "TransactWriteCommand");
    const items = (transaction?.input.TransactItems ?? []) as Record<
      string,
      { Item?: Record<string, unknown> }
    >[];
    expect(items.map((i) => Object.keys(i)[0])).toEqual(["Update", "Put", "Put"]);
    const [head, entry, marker] = items;
    expect(JSON.stringify(head)).not.toContain("expiresAt");
    expect(entry?.Put?.Item).not.toHaveProperty("expiresAt");
    const expiresAt = marker?.Put?.Item?.expiresAt as number;
    expect(marker?.Put?.Item?.chain).toBe("event#record:expense#E1@1");
    // epoch seconds (what DynamoDB TTL reads), well past the streams' 24 h redelivery window
    expect(Number.isInteger(expiresAt)).toBe(true);
    expect(expiresAt - before).toBeGreaterThan(24 * 3600);
    expect(expiresAt - before).toBeLessThanOrEqual(7 * 24 * 3600 + 5);
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
