/**
 * What the use cases may ask of storage: small interfaces, no DynamoDB in them. Services
 * (functions/service/) depend on these alone; the DynamoDB implementations (records.ts,
 * violations.ts, policy-versions.ts, stats.ts, built together by dynamodb-storage.ts) own the item
 * formats, keys, index shards, pagination and stream-image decoding. A process builds them once
 * and hands them to createPlatform (service/platform.ts).
 */
import type { RecordEnvelope } from "../../schemas/record.ts";
import type { StoredViolation } from "../core/lifecycle.ts";
import type { PolicyVersion } from "../core/policy/model.ts";
import type { StatsDelta } from "../core/stats.ts";

/** The name a record goes by in every repository, audit subject and log line: `<type>#<id>`. */
export function recordKey(type: string, id: string): string {
  return `${type}#${id}`;
}

// ---- records ------------------------------------------------------------------------------------

export interface StoredRevision {
  /** recordKey(type, id) */
  readonly pk: string;
  readonly rev: number;
  readonly record: RecordEnvelope;
  /** sha256 of the canonical JSON of the validated record: "the same body" whatever its formatting. */
  readonly bodyHash: string;
  readonly receivedAt: string;
  readonly clientId: string;
}

/** A record's latest evaluated revision and its pending deadline. */
export interface RecordHead {
  readonly pk: string;
  readonly latest: number;
  readonly nextCheckAt?: string;
  readonly evaluatedAt?: string;
}

export type PutOutcome = "created" | "duplicate" | "conflict" | "stale" | "not_owner";

/** What putRevision did; for `not_owner`, which client owns the record. */
export interface PutResult {
  readonly outcome: PutOutcome;
  readonly owner?: string;
}

/** A complaint as the satisfaction report counts it (its latest evaluated revision). */
export interface ComplaintEntry {
  /** The complaint's record id. */
  readonly id: string;
  readonly receivedAt: string;
  readonly category: string;
}

export interface RecordRepository {
  getRevision(pk: string, rev: number): Promise<StoredRevision | undefined>;
  /** Revision numbers stored for a record, ascending. */
  listRevisions(pk: string): Promise<number[]>;
  /** A record's newest revision and the numbers of all its revisions, ascending. */
  recordWithRevisions(pk: string): Promise<{ latest: StoredRevision; revisions: number[] } | undefined>;
  latestRevision(pk: string): Promise<StoredRevision | undefined>;
  /** The number of the newest revision stored after `rev`, if there is one (a consistent read). */
  newestAfter(pk: string, rev: number): Promise<number | undefined>;
  /**
   * Stores a new revision unless it is a duplicate, a conflict or stale, or the record belongs to
   * another ingest client (the client that stored its first revision).
   */
  putRevision(item: Omit<StoredRevision, "pk" | "rev">): Promise<PutResult>;
  getHead(pk: string): Promise<RecordHead | undefined>;
  /**
   * Marks `rev` as the latest evaluated revision and sets (or clears) its pending deadline.
   * Refused (`claimed: false`) when a newer revision was already evaluated: its result must stand.
   * `first` tells that no revision of this record had been evaluated before.
   */
  claimHead(
    pk: string,
    rev: number,
    nextCheckAt: string | null,
    evaluatedAt: string,
    /** Complaints: what the satisfaction report reads. */
    report?: { readonly receivedAt: string; readonly category: string },
  ): Promise<{ claimed: boolean; first: boolean }>;
  /** Heads whose deadline is due at `now`, as several streams to be read in parallel. */
  duePartitions(now: string): AsyncIterable<RecordHead>[];
  /** Complaints received in calendar month `month` (`2026-03`, UTC) within [from, to]. */
  complaintsReceived(month: string, from: string, to: string): AsyncIterable<ComplaintEntry>;
}

// ---- violations ---------------------------------------------------------------------------------

/**
 * What the violation list can filter on within its index: each list means "any of these". Times
 * are ISO 8601 UTC instants (text order is time order).
 */
export interface IndexFilters {
  readonly area?: readonly string[];
  readonly policyId?: readonly string[];
  readonly ruleId?: readonly string[];
  readonly recordType?: readonly string[];
  readonly severity?: readonly string[];
  readonly department?: readonly string[];
  readonly assigneeRole?: readonly string[];
  /** A person id: only violations assigned to them. */
  readonly assignee?: string;
  /** detectedAt bounds. */
  readonly from?: string;
  readonly to?: string;
  readonly occurredFrom?: string;
  readonly occurredTo?: string;
  readonly resolvedFrom?: string;
  readonly resolvedTo?: string;
  /** Only violations whose dueAt is before this instant (overdue). */
  readonly dueBefore?: string;
}

/**
 * Where a partition's reading stopped: opaque to callers, plain JSON (it travels in signed
 * cursors), handed back to queryPartition to continue right after it.
 */
export type PartitionPlace = Readonly<Record<string, unknown>>;

/** One violation found in a status partition, and the place right after it. */
export interface IndexEntry {
  readonly id: string;
  readonly detectedAt: string;
  readonly after: PartitionPlace;
}

export interface ViolationRepository {
  get(id: string): Promise<StoredViolation | undefined>;
  /** Several violations by id (consistent reads), in no particular order. */
  getMany(ids: readonly string[]): Promise<Map<string, StoredViolation>>;
  /**
   * Writes a new state: a create needs the id to be free, an update needs the version it was
   * computed from. False when someone else wrote first (the caller re-reads and recomputes).
   */
  write(next: StoredViolation, expectedVer: number | undefined): Promise<boolean>;
  /** The partitions (opaque names) that hold violations of these statuses, each read on its own. */
  statusPartitions(statuses: readonly string[]): string[];
  /**
   * One page of one status partition, oldest first (detectedAt), filtered: up to `limit` matches
   * and, when there may be more, where to continue.
   */
  queryPartition(
    partition: string,
    filters: IndexFilters,
    startAfter: PartitionPlace | undefined,
    limit: number,
  ): Promise<{ entries: IndexEntry[]; lastKey?: PartitionPlace }>;
  /** How many violations of these statuses are past their dueAt at `now` (only a person's, with `assignee`). */
  countOverdue(statuses: readonly string[], now: string, assignee?: string): Promise<number>;
  /** Ids of violations whose pending action is due at `now`, as several streams to read in parallel. */
  duePartitions(now: string): AsyncIterable<string>[];
  /** Every violation in these statuses with the people assigned to it (eventually consistent): the daily digest. */
  assigned(statuses: readonly string[]): AsyncIterable<{ id: string; people: string[] }>;
  /** Violations in these statuses detected in [from, to] (eventually consistent): reminder candidates. */
  detectedBetween(
    statuses: readonly string[],
    from: string,
    to: string,
  ): AsyncIterable<{ id: string; policyId: string; ruleId: string; detectedAt: string }>;
}

// ---- policy versions, stats ---------------------------------------------------------------------

export interface PolicyVersionRepository {
  /** Publishes every version; refuses (PolicyVersionConflictError) a released version whose file changed. */
  publish(versions: readonly PolicyVersion[], publishedAt: string): Promise<void>;
  get(policyId: string, version: number): Promise<{ sha256: string; publishedAt: string } | undefined>;
}

/** The counters behind GET /v1/stats (core/stats.ts computes what changes them). */
export interface StatsRepository {
  apply(deltas: readonly StatsDelta[]): Promise<void>;
  /** A scope's `open` counters and the counters of the weeks asked for. */
  read(
    scope: string,
    weeks: readonly string[],
  ): Promise<{ open?: Record<string, unknown>; weeks: Map<string, Record<string, unknown>> }>;
}

/** Every repository the use cases reach through the Platform. */
export interface Storage {
  readonly records: RecordRepository;
  readonly violations: ViolationRepository;
  readonly policyVersions: PolicyVersionRepository;
  readonly stats: StatsRepository;
}
