/**
 * The DynamoDB tables, defined once: the CDK app (infra/) and the local runtime both create them
 * from these descriptions. Key design and the reasons for it: docs/data-model.md.
 */

export type AttributeType = "S" | "N";

export interface KeySchema {
  readonly partitionKey: { readonly name: string; readonly type: AttributeType };
  readonly sortKey?: { readonly name: string; readonly type: AttributeType };
}

export interface IndexDefinition extends KeySchema {
  readonly indexName: string;
  /** Attributes copied into the index besides the keys (`undefined` = keys only). */
  readonly include?: readonly string[];
}

export interface TableDefinition extends KeySchema {
  /** Logical name; the physical name is `${prefix}${name}`. */
  readonly name: string;
  readonly indexes: readonly IndexDefinition[];
  /** A change stream: records → the evaluator (new images); violations → the event publisher (both images). */
  readonly stream?: "NEW_IMAGE" | "NEW_AND_OLD_IMAGES";
  /** Attribute DynamoDB deletes items by (epoch seconds). */
  readonly ttlAttribute?: string;
}

/** Partitions that spread "all due records" and "all open violations" over several keys. */
export const DEADLINE_SHARDS = 8;
export const VIOLATION_SHARDS = 8;

/**
 * Records: one item per record, its newest stored revision (`rev`, the body, its hash and the
 * client that stored it). Ingest stores a new record with one conditional put, and the put that
 * fails returns the stored item, which is everything a duplicate, a conflict, a stale revision or
 * another client's record is judged on: one request for a new record, where a query for the
 * newest revision then a put took two (and DynamoDB Local's query is its dearest request).
 * Its stream feeds the evaluator and the audit trail (new images: an INSERT for a new record, a
 * MODIFY for a newer revision), so nothing else is written here: every write to a streamed table
 * costs a stream record its consumers must read.
 */
export const RECORDS = {
  name: "records",
  partitionKey: { name: "pk", type: "S" }, // `${type}#${id}`
  stream: "NEW_IMAGE",
  indexes: [],
} as const satisfies TableDefinition;

/**
 * Record revisions: every revision a newer one replaced in `records` (sk = revision ≥ 1), copied
 * here before it is replaced, so a record's history is this table plus its `records` item. No
 * stream: its revisions were judged (and entered in the audit trail) when they were the newest.
 */
export const RECORD_REVISIONS = {
  name: "record-revisions",
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "rev", type: "N" },
  indexes: [],
} as const satisfies TableDefinition;

/**
 * Record heads: one item per record with the latest evaluated revision, its pending deadline
 * (`nextCheckAt`, the sparse `byNextCheck` index the sweeper queries) and, for complaints, what the
 * satisfaction report reads (`byReceived`). No stream: claiming a head is the evaluator's hot write.
 */
export const RECORD_HEADS = {
  name: "record-heads",
  partitionKey: { name: "pk", type: "S" },
  indexes: [
    {
      indexName: "byNextCheck",
      partitionKey: { name: "dueShard", type: "S" }, // "0".."7", from a hash of pk
      sortKey: { name: "nextCheckAt", type: "S" }, // ISO 8601 UTC: sorts as time
    },
    {
      // complaints by receipt month, for the satisfaction report: only complaint heads carry
      // `reportMonth` (`complaint#2026-03`), set from the latest evaluated revision. Only what the
      // report reads is projected: a head update that leaves month, time and category as they were
      // (a complaint's later revisions, most often) writes nothing to the index
      indexName: "byReceived",
      partitionKey: { name: "reportMonth", type: "S" },
      sortKey: { name: "receivedAt", type: "S" },
      include: ["category"],
    },
  ],
} as const satisfies TableDefinition;

/**
 * Violations: one item per (record type, record id, policyId, ruleId), keyed by its derived id.
 * `byStatus` serves the auditor's list: partition `${status}#${shard}`, sorted by detectedAt;
 * every other filter is a condition on the projected attributes. A record's violations need no
 * index: their ids are derived from (type, id, policy, rule), so they are fetched by key.
 */
export const VIOLATIONS = {
  name: "violations",
  partitionKey: { name: "id", type: "S" },
  // status changes become ViolationOpened / ViolationResolved events (an outbox with no second write)
  stream: "NEW_AND_OLD_IMAGES",
  indexes: [
    {
      indexName: "byStatus",
      partitionKey: { name: "statusShard", type: "S" },
      sortKey: { name: "detectedAt", type: "S" },
      // every attribute a list filter reads (docs/data-model.md: which filter, what it costs)
      include: [
        "status",
        "area",
        "policyId",
        "ruleId",
        "recordType",
        "recordId",
        "roles",
        "people",
        "severity",
        "department",
        "occurredAt",
        "resolvedAt",
        "dueAt",
      ],
    },
    {
      // violations with a time-driven action pending: a waiver that expires, or an open violation
      // past its dueAt with a role left to escalate to (sparse, like record-heads.byNextCheck)
      indexName: "byNextAction",
      partitionKey: { name: "actionShard", type: "S" },
      sortKey: { name: "nextActionAt", type: "S" },
    },
  ],
} as const satisfies TableDefinition;

/** Policy versions as published: immutable, a conditional put refuses other content for a version. */
export const POLICY_VERSIONS = {
  name: "policy-versions",
  partitionKey: { name: "policyId", type: "S" },
  sortKey: { name: "version", type: "N" },
  indexes: [],
} as const satisfies TableDefinition;

/** Audit chains: N hash-chained logs (pk `chain#<n>`, sk block number), appended from both streams. */
export const AUDIT_LOG = {
  name: "audit-log",
  partitionKey: { name: "chain", type: "S" },
  sortKey: { name: "seq", type: "N" },
  indexes: [
    {
      // each chain's blocks by the oldest entry time they hold (`atMin`, with `atMax`): the audit
      // entry list (GET /v1/audit/entries) merges the chains in entry-time order from it, opening
      // a block only when its entries can come next. Entries of two streams meet in one chain, so
      // a chain's append order is not time order; this index is what makes "oldest first" exact.
      indexName: "byTime",
      partitionKey: { name: "chain", type: "S" },
      sortKey: { name: "atMin", type: "S" },
      include: ["atMax"],
    },
  ],
} as const satisfies TableDefinition;

/** Signed, chained digests of every audit chain's head (like CloudTrail's digest files). */
export const AUDIT_DIGESTS = {
  name: "audit-digests",
  partitionKey: { name: "stream", type: "S" },
  sortKey: { name: "seq", type: "N" },
  indexes: [],
} as const satisfies TableDefinition;

/**
 * Notifications (CONTRACT §7), one table for everything the notifier remembers, keyed by `id`:
 * - `n#<notification id>`: one notification (a violation's change, a reminder, a person's day's
 *   digest), claimed by a conditional put before any of its messages is sent, so redelivery,
 *   re-evaluation and restarts send nothing twice; the item of a change that began a later due
 *   period (reopened, escalated, waiver expired) also holds its reminder (`remindAt`, sparse
 *   `byRemindAt`, like record-heads.byNextCheck) until the sweep handles it (a first due period's
 *   reminder is found from the detection time: service/notify/first-reminders.ts);
 * - `digest-cursor`, `reminder-cursor`: the last digest slot handled, how far first due periods'
 *   reminders were looked for.
 * Notification items carry `expiresAt` (TTL, epoch seconds): they only need to outlive redelivery.
 * A person's digest reads the violations' byStatus index (it projects `people`): no queue items.
 */
export const NOTIFICATIONS = {
  name: "notifications",
  partitionKey: { name: "id", type: "S" },
  ttlAttribute: "expiresAt",
  indexes: [
    {
      indexName: "byRemindAt",
      partitionKey: { name: "remindShard", type: "S" }, // "0".."7", from a hash of the violation id
      sortKey: { name: "remindAt", type: "S" },
      include: ["violationId", "dueAt"],
    },
  ],
} as const satisfies TableDefinition;

/**
 * Counters behind GET /v1/stats (core/stats.ts): pk `scope` (`all`, `person:<id>`), sk `key`
 * (`open`, `week#2026-W10`). Written only with ADD by the violations stream's events consumer; no
 * stream and no index (a week range is a Query on the sort key).
 */
export const STATS = {
  name: "stats",
  partitionKey: { name: "scope", type: "S" },
  sortKey: { name: "key", type: "S" },
  indexes: [],
} as const satisfies TableDefinition;

export const TABLES = [
  RECORDS,
  RECORD_REVISIONS,
  RECORD_HEADS,
  VIOLATIONS,
  POLICY_VERSIONS,
  AUDIT_LOG,
  AUDIT_DIGESTS,
  NOTIFICATIONS,
  STATS,
] as const;

export interface TableNames {
  readonly records: string;
  readonly recordRevisions: string;
  readonly recordHeads: string;
  readonly violations: string;
  readonly policyVersions: string;
  readonly auditLog: string;
  readonly auditDigests: string;
  readonly notifications: string;
  readonly stats: string;
}

export function tableNames(prefix: string): TableNames {
  return {
    records: `${prefix}${RECORDS.name}`,
    recordRevisions: `${prefix}${RECORD_REVISIONS.name}`,
    recordHeads: `${prefix}${RECORD_HEADS.name}`,
    violations: `${prefix}${VIOLATIONS.name}`,
    policyVersions: `${prefix}${POLICY_VERSIONS.name}`,
    auditLog: `${prefix}${AUDIT_LOG.name}`,
    auditDigests: `${prefix}${AUDIT_DIGESTS.name}`,
    notifications: `${prefix}${NOTIFICATIONS.name}`,
    stats: `${prefix}${STATS.name}`,
  };
}

/** The physical table names a process uses: one variable per table (AWS), else the prefix + logical name. */
export function tablesFromEnv(env: NodeJS.ProcessEnv): TableNames {
  const byPrefix = tableNames(env.COMPLIANCE_TABLE_PREFIX ?? "");
  // an empty variable is an unset one (no table is named "")
  return {
    records: env.COMPLIANCE_RECORDS_TABLE || byPrefix.records,
    recordRevisions: env.COMPLIANCE_RECORD_REVISIONS_TABLE || byPrefix.recordRevisions,
    recordHeads: env.COMPLIANCE_RECORD_HEADS_TABLE || byPrefix.recordHeads,
    violations: env.COMPLIANCE_VIOLATIONS_TABLE || byPrefix.violations,
    policyVersions: env.COMPLIANCE_POLICY_VERSIONS_TABLE || byPrefix.policyVersions,
    auditLog: env.COMPLIANCE_AUDIT_LOG_TABLE || byPrefix.auditLog,
    auditDigests: env.COMPLIANCE_AUDIT_DIGESTS_TABLE || byPrefix.auditDigests,
    notifications: env.COMPLIANCE_NOTIFICATIONS_TABLE || byPrefix.notifications,
    stats: env.COMPLIANCE_STATS_TABLE || byPrefix.stats,
  };
}
