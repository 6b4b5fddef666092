/** Published policy versions: immutable; publishing the same content again is a no-op. */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { PolicyVersion } from "../core/policy/model.ts";
import { isConditionFailed, PolicyVersionConflictError, StoreError } from "./errors.ts";
import type { PolicyVersionRepository } from "./repositories.ts";

export class PolicyVersionsStore implements PolicyVersionRepository {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  /** Publishes every version; refuses (PolicyVersionConflictError) a released version whose file changed. */
  async publish(versions: readonly PolicyVersion[], publishedAt: string): Promise<void> {
    for (const v of versions) {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              policyId: v.id,
              version: v.version,
              sha256: v.sha256,
              effectiveFrom: v.effectiveFrom,
              area: v.area,
              appliesTo: v.appliesTo,
              file: v.file,
              definition: JSON.stringify(v),
              publishedAt,
            },
            ConditionExpression: "attribute_not_exists(policyId)",
          }),
        );
      } catch (error) {
        if (isConditionFailed(error)) {
          const stored = await this.get(v.id, v.version);
          if (stored?.sha256 === v.sha256) continue; // already published, unchanged
          throw new PolicyVersionConflictError(v.id, v.version, { cause: error });
        }
        throw new StoreError("policy_publish_failed", `could not publish ${v.id} v${v.version}`, {
          cause: error,
        });
      }
    }
  }

  async get(policyId: string, version: number): Promise<{ sha256: string; publishedAt: string } | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { policyId, version }, ConsistentRead: true }),
    );
    return out.Item as { sha256: string; publishedAt: string } | undefined;
  }
}
