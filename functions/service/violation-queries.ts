/**
 * The auditor's violation list (CONTRACT §2 GET /v1/violations): every filter, oldest first
 * (detectedAt, then id), paged with a signed cursor. No Scan anywhere:
 * - with `recordId`, the record's violations are fetched by their derived ids;
 * - otherwise each status partition the repository names is queried (with the other filters as
 *   conditions) and the partitions are merged; the cursor keeps each partition's place (opaque:
 *   how many partitions a status has, and their keys, are the store's).
 */
import { RECORD_TYPES, type RecordType } from "../../schemas/record-types.ts";
import { VIOLATION_STATUSES, type ViolationStatus } from "../core/engine/violation-identity.ts";
import { DomainError } from "../core/errors.ts";
import type { StoredViolation } from "../core/lifecycle.ts";
import type { IndexEntry, IndexFilters, PartitionPlace } from "../store/repositories.ts";
import { signCursor, verifyCursor } from "./cursor.ts";
import { candidateViolationIds, type Platform } from "./platform.ts";

export interface ViolationQuery extends IndexFilters {
  readonly status?: readonly ViolationStatus[];
  readonly recordId?: string;
  /** Open or acknowledged and past dueAt (at the platform's now). */
  readonly overdue?: boolean;
  readonly limit: number;
}

/** Statuses a violation can be overdue in (CONTRACT §2: open or acknowledged, dueAt passed). */
const OVERDUE_STATUSES: readonly ViolationStatus[] = ["open", "acknowledged"];

export interface ViolationPage {
  readonly items: StoredViolation[];
  readonly nextCursor: string | null;
}

type Position = { offset: number } | { parts: Record<string, PartitionPlace | "done"> };

function order(a: { detectedAt: string; id: string }, b: { detectedAt: string; id: string }): number {
  return a.detectedAt < b.detectedAt
    ? -1
    : a.detectedAt > b.detectedAt
      ? 1
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0;
}

const anyOf = (list: readonly string[] | undefined, value: string | null | undefined) =>
  list === undefined || (value !== null && value !== undefined && list.includes(value));
const atLeast = (bound: string | undefined, value: string | null | undefined) =>
  bound === undefined || (value !== null && value !== undefined && value >= bound);
const atMost = (bound: string | undefined, value: string | null | undefined) =>
  bound === undefined || (value !== null && value !== undefined && value <= bound);

/** The same filters as the index query's (ViolationRepository.queryPartition), on a violation. */
function matches(v: StoredViolation, q: ViolationQuery, now: string): boolean {
  return (
    anyOf(q.status, v.status) &&
    anyOf(q.area, v.area) &&
    anyOf(q.policyId, v.policyId) &&
    anyOf(q.ruleId, v.ruleId) &&
    anyOf(q.recordType, v.record.type) &&
    anyOf(q.severity, v.severity) &&
    anyOf(q.department, v.department) &&
    (q.assigneeRole === undefined || v.assignees.some((a) => q.assigneeRole?.includes(a.role))) &&
    (q.assignee === undefined || v.assignees.some((a) => a.people.includes(q.assignee as string))) &&
    (!q.overdue || (OVERDUE_STATUSES.includes(v.status) && v.dueAt < now)) &&
    atLeast(q.from, v.detectedAt) &&
    atMost(q.to, v.detectedAt) &&
    atLeast(q.occurredFrom, v.occurredAt) &&
    atMost(q.occurredTo, v.occurredAt) &&
    atLeast(q.resolvedFrom, v.resolvedAt) &&
    atMost(q.resolvedTo, v.resolvedAt)
  );
}

/** The query a cursor is bound to: every filter, not the page size. */
function boundQuery(q: ViolationQuery): Omit<ViolationQuery, "limit"> {
  const { limit: _, ...filters } = q;
  return filters;
}

async function byRecord(
  platform: Platform,
  q: ViolationQuery & { recordId: string },
  offset: number,
): Promise<ViolationPage & { next?: number }> {
  const types = (q.recordType ?? RECORD_TYPES) as readonly RecordType[];
  const ids = types.flatMap((t) => candidateViolationIds(platform, t, q.recordId));
  const now = platform.now().toISOString();
  const found = [...(await platform.violations.getMany(ids)).values()]
    .filter((v) => matches(v, q, now))
    .sort(order);
  const items = found.slice(offset, offset + q.limit);
  const next = offset + items.length < found.length ? offset + items.length : undefined;
  return { items, nextCursor: null, next };
}

export async function listViolations(
  platform: Platform,
  q: ViolationQuery,
  cursorKey: string,
  cursor?: string,
): Promise<ViolationPage> {
  const bound = boundQuery(q);
  const position = cursor ? verifyCursor<Position>(cursorKey, bound, cursor) : undefined;

  if (q.recordId !== undefined) {
    const offset = position && "offset" in position ? position.offset : 0;
    const page = await byRecord(platform, { ...q, recordId: q.recordId }, offset);
    return {
      items: page.items,
      nextCursor: page.next === undefined ? null : signCursor(cursorKey, bound, { offset: page.next }),
    };
  }

  // overdue: only open and acknowledged partitions, dueAt before now (a filter on the projection)
  const statuses = (q.status ?? VIOLATION_STATUSES).filter((s) => !q.overdue || OVERDUE_STATUSES.includes(s));
  const filters: IndexFilters = q.overdue ? { ...q, dueBefore: platform.now().toISOString() } : q;
  const partitions = platform.violations.statusPartitions(statuses);
  const places = position && "parts" in position ? position.parts : {};
  // fetch up to `limit` matches from every partition still open, then merge
  const fetched = await Promise.all(
    partitions.map(async (partition) => {
      const place = places[partition];
      if (place === "done") return { partition, entries: [] as IndexEntry[], lastKey: undefined, done: true };
      const page = await platform.violations.queryPartition(partition, filters, place, q.limit);
      return { partition, entries: page.entries, lastKey: page.lastKey, done: false };
    }),
  );
  const heads = fetched.map(() => 0);
  const taken: IndexEntry[] = [];
  const lastTaken = new Map<string, IndexEntry>();
  while (taken.length < q.limit) {
    let best = -1;
    for (const [i, f] of fetched.entries()) {
      const entry = f.entries[heads[i] as number];
      if (
        entry &&
        (best < 0 || order(entry, fetched[best]?.entries[heads[best] as number] as IndexEntry) < 0)
      )
        best = i;
    }
    if (best < 0) break;
    const f = fetched[best] as (typeof fetched)[number];
    const entry = f.entries[heads[best] as number] as IndexEntry;
    heads[best] = (heads[best] as number) + 1;
    taken.push(entry);
    lastTaken.set(f.partition, entry);
  }

  // each partition's new place: "done", after the last entry taken from it, or unchanged
  // (absent = from the start)
  const parts: Record<string, PartitionPlace | "done"> = {};
  let more = false;
  for (const [i, f] of fetched.entries()) {
    const consumedAll = (heads[i] as number) >= f.entries.length;
    if (f.done || (consumedAll && f.lastKey === undefined)) {
      parts[f.partition] = "done";
      continue;
    }
    more = true;
    const place = lastTaken.get(f.partition)?.after ?? places[f.partition];
    if (place !== undefined) parts[f.partition] = place;
  }

  const full = await platform.violations.getMany(taken.map((e) => e.id));
  const items = taken.map((e) => full.get(e.id)).filter((v): v is StoredViolation => v !== undefined);
  return { items, nextCursor: more ? signCursor(cursorKey, bound, { parts }) : null };
}

/**
 * The closed sets only the loaded policies and the org directory know (CONTRACT §2): a policyId,
 * ruleId or assigneeRole outside them is a 400 listing what is accepted, never an empty answer.
 */
export function assertKnownFilterValues(
  platform: Platform,
  q: { policyId?: readonly string[]; ruleId?: readonly string[]; assigneeRole?: readonly string[] },
): void {
  const policies = [...new Set(platform.set.versions.map((v) => v.id))].sort();
  const rules = [...new Set(platform.set.versions.flatMap((v) => v.rules.map((r) => r.id)))].sort();
  const roles = Object.keys(platform.set.org.roles).sort();
  const issues: { path: string; message: string }[] = [];
  const check = (name: string, given: readonly string[] | undefined, accepted: readonly string[]) => {
    const unknown = (given ?? []).filter((v) => !accepted.includes(v));
    if (unknown.length > 0)
      issues.push({
        path: name,
        message: `unknown ${name} ${unknown.map((v) => `"${v.slice(0, 100)}"`).join(", ")}; accepted: ${accepted.join(", ")}`,
      });
  };
  check("policyId", q.policyId, policies);
  check("ruleId", q.ruleId, rules);
  check("assigneeRole", q.assigneeRole, roles);
  if (issues.length > 0)
    throw new DomainError(
      "validation_failed",
      `query is invalid: ${issues.map((i) => i.message).join("; ")}`,
      {
        issues,
      },
    );
}
