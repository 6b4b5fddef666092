import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { TABLES, type TableDefinition } from "../../functions/store/tables.ts";
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
      expect(props.TimeToLiveSpecification, def.name).toEqual(
        def.ttlAttribute ? { AttributeName: def.ttlAttribute, Enabled: true } : undefined,
      );
    }
    template.resourceCountIs("AWS::DynamoDB::Table", TABLES.length);
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

  it("secrets: webhook client secrets (JSON object, starts empty) and a generated cursor key, both under the CMK", () => {
    const { stack, template } = build();
    template.resourceCountIs("AWS::SecretsManager::Secret", 2);
    const secret = (c: unknown) => template.toJSON().Resources[logicalId(c as never)].Properties;
    expect(secret(stack.data.webhookSecrets)).toMatchObject({ KmsKeyId: keyRef(), SecretString: "{}" });
    expect(secret(stack.data.cursorKey)).toMatchObject({
      KmsKeyId: keyRef(),
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
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
