/**
 * Everything stored: the customer-managed KMS key, the DynamoDB tables built from the shared
 * definitions (functions/store/tables.ts, never restated here), and the Secrets Manager secrets.
 */
import { Aws, Duration, RemovalPolicy, SecretValue } from "aws-cdk-lib";
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { TABLES, type TableDefinition } from "../../functions/store/tables.ts";
import { acknowledge } from "../nag.ts";

export type TableName = (typeof TABLES)[number]["name"];

const ATTRIBUTE_TYPES: Readonly<Record<TableDefinition["partitionKey"]["type"], AttributeType>> = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
};

/** Keyed by string so the mapping compiles whichever view types tables.ts declares. */
const STREAM_VIEWS: Readonly<Record<string, StreamViewType>> = {
  NEW_IMAGE: StreamViewType.NEW_IMAGE,
  NEW_AND_OLD_IMAGES: StreamViewType.NEW_AND_OLD_IMAGES,
  OLD_IMAGE: StreamViewType.OLD_IMAGE,
  KEYS_ONLY: StreamViewType.KEYS_ONLY,
};

/**
 * TTL attributes the CDK app enables where tables.ts declares none. None today: the audit log
 * once kept per-event de-duplication markers that expired; its blocks (functions/store/audit-log.ts)
 * must never expire, so the audit log has no TTL at all.
 */
export const INFRA_TTL_ATTRIBUTES: Readonly<Partial<Record<TableName, string>>> = {};

/** The table's TTL attribute: tables.ts's, else the CDK app's; both set and different is an error. */
export function ttlAttribute(def: TableDefinition): string | undefined {
  const own = def.ttlAttribute;
  const infra = INFRA_TTL_ATTRIBUTES[def.name as TableName];
  if (own !== undefined && infra !== undefined && own !== infra)
    throw new Error(`table ${def.name}: tables.ts sets TTL on ${own}, infra/constructs/data.ts on ${infra}`);
  return own ?? infra;
}

function attribute(key: { readonly name: string; readonly type: "S" | "N" }) {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

function streamView(def: TableDefinition): StreamViewType | undefined {
  if (def.stream === undefined) return undefined;
  const view = STREAM_VIEWS[def.stream];
  if (!view) throw new Error(`table ${def.name}: unknown stream view type ${def.stream}`);
  return view;
}

export class Data extends Construct {
  /** Encrypts the tables (and their streams), secrets, queues, the alarm topic and log groups. */
  readonly key: Key;
  readonly tables: Readonly<Record<TableName, Table>>;
  /** `{"<clientId>": "<secret>"}`: the HMAC secrets of ingest clients. */
  readonly webhookSecrets: Secret;
  /** A generated random string that signs the auditor API's pagination cursors. */
  readonly cursorKey: Secret;
  /** A generated random string that signs the audit trail's digests (HMAC-SHA256). */
  readonly auditKey: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.key = new Key(this, "Key", {
      description: "Compliance platform: tables, streams, secrets, queues, alarm topic, log groups",
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts this stack's log groups (scoped to log groups of this account and region).
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: "CloudWatchLogsEncryptsLogGroups",
        principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        resources: ["*"],
        conditions: {
          ArnLike: {
            "kms:EncryptionContext:aws:logs:arn": `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );
    // CloudWatch alarms publish to the KMS-encrypted alarm topic.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: "CloudWatchAlarmsPublishToEncryptedTopic",
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: ["*"],
        conditions: { StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID } },
      }),
    );

    const tables: Partial<Record<TableName, Table>> = {};
    for (const def of TABLES as readonly (TableDefinition & { name: TableName })[]) {
      tables[def.name] = this.table(def);
    }
    this.tables = tables as Record<TableName, Table>;

    this.webhookSecrets = new Secret(this, "WebhookSecrets", {
      description:
        'Ingest client HMAC secrets as a JSON object {"<clientId>": "<secret>"}; starts empty (no client can sign)',
      encryptionKey: this.key,
      // not a secret: an empty client list, replaced by the operator (infra/README.md)
      secretStringValue: SecretValue.unsafePlainText("{}"),
    });
    this.cursorKey = new Secret(this, "CursorKey", {
      description: "Signs the auditor API's pagination cursors (HMAC-SHA256 key)",
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.auditKey = new Secret(this, "AuditKey", {
      description:
        "Signs the audit trail's chained digests (HMAC-SHA256 key); read by the digester and the auditor only",
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // kept with the retained audit tables: without it no retained digest can ever be verified
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.webhookSecrets, [
      {
        id: "AwsSolutions-SMG4",
        reason:
          "Client HMAC secrets are shared with external systems: rotating one is a coordinated change (add the new secret for the client, the client switches, remove the old), done by the operator as infra/README.md describes; an automatic rotation would break every client.",
      },
    ]);
    acknowledge(this.cursorKey, [
      {
        id: "AwsSolutions-SMG4",
        reason:
          "The cursor key only signs short-lived pagination cursors; rotating it invalidates every cursor in flight, so it is rotated by hand (put a new random value) when needed, not on a schedule.",
      },
    ]);
    acknowledge(this.auditKey, [
      {
        id: "AwsSolutions-SMG4",
        reason:
          "Audit verification checks every digest ever written against the one current key (functions/core/audit-chain.ts verifyDigests): an automatic rotation would make every earlier digest fail as signature_invalid, i.e. report the whole trail as tampered. The key is generated at deploy, readable only by the digester and auditor roles, and never leaves Secrets Manager.",
      },
    ]);
  }

  private table(def: TableDefinition): Table {
    const table = new Table(this, pascal(def.name), {
      partitionKey: attribute(def.partitionKey),
      ...(def.sortKey ? { sortKey: attribute(def.sortKey) } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(streamView(def) ? { stream: streamView(def) } : {}),
      ...(ttlAttribute(def) ? { timeToLiveAttribute: ttlAttribute(def) } : {}),
    });
    for (const index of def.indexes) {
      const include = index.include ?? [];
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        ...(include.length > 0
          ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...include] }
          : { projectionType: ProjectionType.KEYS_ONLY }),
      });
    }
    return table;
  }
}

/** "policy-versions" → "PolicyVersions" (construct ids). */
export function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, _sep: string, c: string) => c.toUpperCase());
}
