/**
 * What the use cases need from storage, as small interfaces: the services depend on these, not on
 * DynamoDB. The DynamoDB implementations (functions/store/*.ts) own keys, index shards and
 * pagination; createPlatform (platform.ts) plugs them in. Tests run them for real, on DynamoDB
 * Local (no mocks).
 */

import type { StoredViolation } from "../core/lifecycle.ts";
import type { PolicyVersion } from "../core/policy/model.ts";
import type { PutOutcome, RecordHead, ReportEntry, StoredRevision } from "../store/records.ts";
import type { IndexEntry, IndexFilters } from "../store/violations.ts";

export interface RecordRepository {
  getRevision(pk: string, rev: number): Promise<StoredRevision | undefined>;
  latestRevision(pk: string): Promise<StoredRevision | undefined>;
  /** revision numbers stored for a record, ascending */
  listRevisions(pk: string): Promise<number[]>;
  /** stores a revision once: created, the same body again, a different body, or older than stored */
  putRevision(item: Omit<StoredRevision, "pk" | "rev">): Promise<PutOutcome>;
  getHead(pk: string): Promise<RecordHead | undefined>;
  /** claims the head for `rev` unless a newer revision was evaluated; `first`: no head before */
  claimHead(
    pk: string,
    rev: number,
    nextCheckAt: string | null,
    evaluatedAt: string,
    report?: { readonly receivedAt: string; readonly category: string },
  ): Promise<{ claimed: boolean; first: boolean }>;
  /** heads whose deadline is due, as streams to read in parallel */
  duePartitions(now: string): AsyncIterable<RecordHead>[];
  complaintsReceived(month: string, from: string, to: string): AsyncIterable<ReportEntry>;
}

export interface ViolationRepository {
  get(id: string): Promise<StoredViolation | undefined>;
  getMany(ids: readonly string[]): Promise<Map<string, StoredViolation>>;
  /** false when someone else wrote first (`expectedVer` is the version the change was computed from) */
  write(next: StoredViolation, expectedVer: number | undefined): Promise<boolean>;
  /** the partitions of the status index that hold these statuses; each paged with queryPartition */
  statusPartitions(statuses: readonly string[]): string[];
  queryPartition(
    partition: string,
    filters: IndexFilters,
    startKey: Record<string, unknown> | undefined,
    limit: number,
  ): Promise<{ entries: IndexEntry[]; lastKey?: Record<string, unknown> }>;
  /** ids of violations whose pending action is due, as streams to read in parallel */
  duePartitions(now: string): AsyncIterable<string>[];
}

export interface PolicyVersionRepository {
  publish(versions: readonly PolicyVersion[], publishedAt: string): Promise<void>;
  get(policyId: string, version: number): Promise<{ sha256: string; publishedAt: string } | undefined>;
}
