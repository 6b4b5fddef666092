/**
 * The audit trail's use cases: what a stored record revision or a violation change puts in the
 * log, appending a stream batch's entries (one block per chain), writing the periodic signed digest
 * (anchored outside the tables), and verifying everything: consistency (verifyChains),
 * completeness against the source tables, and that digests kept up (core/audit-completeness.ts).
 */
import {
  type AuditContent,
  type BadEntry,
  buildDigest,
  type Digest,
  GENESIS_HASH,
  type VerifyResult,
  verifyChains,
} from "../core/audit-chain.ts";
import {
  type AppendedKeys,
  checkCompleteness,
  checkSealing,
  laterIso,
  type SourceEvent,
} from "../core/audit-completeness.ts";
import { historyCount, type StoredViolation } from "../core/lifecycle.ts";
import type { DigestAnchor } from "../store/audit-anchor.ts";
import { auditEventKey, keyOfContent, recordSubject, violationSubject } from "../store/audit-blocks.ts";
import {
  type AppendOutcome,
  AUDIT_CHAINS,
  type AuditEntryInput,
  type AuditLogStore,
  type ChainBlocksRead,
  chainOf,
} from "../store/audit-log.ts";
import type { StoredRevision } from "../store/repositories.ts";

/** The source tables' events, read by verify to prove completeness (store/audit-sources.ts). */
export interface AuditSources {
  events(): AsyncIterable<SourceEvent>;
}

export interface AuditDeps {
  readonly store: AuditLogStore;
  /** The key that signs digests (Secrets Manager on AWS, env locally). */
  readonly key: () => Promise<string>;
  readonly now: () => Date;
  /** Where digests are anchored outside the tables (a local file, an Object Lock bucket). */
  readonly anchor?: DigestAnchor;
  /** The records and violations tables, for completeness; without them verify skips it. */
  readonly sources?: AuditSources;
  /** The digester's interval (default 300 s); a digest seals each entry within two of them. */
  readonly digestEveryMs?: number;
  /** How far one stream shard or stream may lag behind another (default 15 min). */
  readonly pendingSkewMs?: number;
}

const DEFAULT_DIGEST_EVERY_MS = 300_000;
const DEFAULT_PENDING_SKEW_MS = 15 * 60_000;
/** With no progress known: Lambda drops stream records older than 6 h (maxRecordAge), plus retries. */
const MAX_EVENT_AGE_MS = 7 * 3600_000;

/** A stored revision (rev ≥ 1): its subject is the record, its content the body's hash. */
export function auditEntryForRecordRevision(
  revision: Pick<StoredRevision, "pk" | "rev" | "receivedAt" | "clientId" | "bodyHash">,
): AuditEntryInput {
  const content: AuditContent = {
    subject: recordSubject(revision.pk),
    kind: "record.revision",
    at: revision.receivedAt,
    actor: `client:${revision.clientId}`,
    rev: revision.rev,
    bodyHash: revision.bodyHash,
    clientId: revision.clientId,
  };
  return { eventKey: auditEventKey(content.subject, revision.rev), content };
}

/**
 * One entry per history item a violation write added (a status change, a case action, an
 * escalation); none for writes that only refresh evidence, messages or revision numbers. The key
 * is the history position: redelivered writes carry the same positions.
 */
export function auditEntriesForViolationChange(
  before: StoredViolation | undefined,
  after: StoredViolation | undefined,
): AuditEntryInput[] {
  if (!after) return [];
  // positions count every change ever made (historyCount): the item keeps only the newest entries
  const from = before ? historyCount(before) : 0;
  const total = historyCount(after);
  const level = after.escalationLevel ?? 0;
  const escalated = level > (before?.escalationLevel ?? 0);
  const subject = violationSubject(after.id);
  const added = Math.min(Math.max(0, total - from), after.history.length);
  return after.history.slice(after.history.length - added).map((h, i) => {
    const position = total - added + i + 1;
    const last = position === total;
    const content: AuditContent = {
      subject,
      kind:
        last && escalated && before?.status === h.status ? "violation.escalated" : `violation.${h.status}`,
      at: h.at,
      actor: h.by,
      status: h.status,
      reason: h.reason ?? null,
      history: position,
      escalationLevel: last ? level : (before?.escalationLevel ?? 0),
      record: { type: after.record.type, id: after.record.id, revision: after.record.revision },
      policyId: after.policyId,
      ruleId: after.ruleId,
    };
    return { eventKey: auditEventKey(subject, position), content };
  });
}

/** The last entry a violation write adds (undefined when it adds none). */
export function auditEntryForViolationChange(
  before: StoredViolation | undefined,
  after: StoredViolation | undefined,
): AuditEntryInput | undefined {
  return auditEntriesForViolationChange(before, after).at(-1);
}

export interface BatchOutcome {
  readonly chains: readonly AppendOutcome[];
  /** Chains whose block could not be written, with the error: their entries must be retried. */
  readonly failed: ReadonlyMap<number, unknown>;
}

/**
 * Appends a batch's entries, in order, one block (or a few, when large) per chain, the chains in
 * parallel. Entries already in their chain (redelivery) are skipped.
 */
export async function appendAuditBatch(
  deps: Pick<AuditDeps, "store" | "now">,
  entries: readonly AuditEntryInput[],
): Promise<BatchOutcome> {
  const byChain = new Map<number, AuditEntryInput[]>();
  for (const e of entries) {
    const c = chainOf(e.content.subject);
    const list = byChain.get(c);
    if (list) list.push(e);
    else byChain.set(c, [e]);
  }
  const failed = new Map<number, unknown>();
  const outcomes: AppendOutcome[] = [];
  await Promise.all(
    [...byChain].map(async ([chain, list]) => {
      try {
        outcomes.push(await deps.store.appendToChain(chain, list, deps.now));
      } catch (error) {
        failed.set(chain, error);
      }
    }),
  );
  return { chains: outcomes.sort((a, b) => a.chain - b.chain), failed };
}

/** One entry (tests, tools): a batch of one. */
export async function appendAudit(
  deps: Pick<AuditDeps, "store" | "now">,
  entry: AuditEntryInput,
): Promise<AppendOutcome> {
  const { chains, failed } = await appendAuditBatch(deps, [entry]);
  const error = failed.values().next();
  if (!error.done) throw error.value;
  return chains[0] as AppendOutcome;
}

export type DigestOutcome =
  | { readonly written: true; readonly seq: number; readonly at: string; readonly entries: number }
  | { readonly written: false; readonly reason: "unchanged" | "lost_race" };

/**
 * Writes the next digest: every chain's end, the previous digest's hash, the trail's progress,
 * signed; then anchors it outside the tables (and any earlier digest the anchor lacks, e.g. after
 * a crash between the two writes). Skipped when no chain moved since the last digest, unless
 * `start` (the first digest after a start seals what downtime left unsealed).
 */
export async function writeDigest(deps: AuditDeps, opts: { start?: boolean } = {}): Promise<DigestOutcome> {
  const key = await deps.key();
  // the table's newest digest, and the anchor's from there on: the digester never reads all of them
  const last = await deps.store.lastDigest();
  const anchored = deps.anchor ? await deps.anchor.since(last?.seq ?? 1) : [];
  // a crash between the table and the anchor: anchor the table's newest now
  if (deps.anchor && last && !anchored.some((d) => d.seq === last.seq)) await deps.anchor.put(last);
  // the newest digest known anywhere: digests deleted from the table do not restart the count
  const previous = [...(last ? [last] : []), ...anchored].reduce<Digest | undefined>(
    (p, d) => (p === undefined || d.seq > p.seq ? d : p),
    undefined,
  );
  const heads = (await deps.store.readHeads()).map((h) => h ?? { lastSeq: 0, lastHash: GENESIS_HASH });
  const total = heads.reduce((n, h) => n + h.lastSeq, 0);
  if (total === 0 && !previous) return { written: false, reason: "unchanged" };
  if (!opts.start && previous && heads.every((h, n) => h.lastSeq === previous.chains[n]?.lastSeq))
    return { written: false, reason: "unchanged" };
  const at = deps.now().toISOString();
  const through = (await deps.store.progress()) ?? previous?.through;
  const digest = buildDigest(
    previous,
    {
      at,
      chains: heads,
      ...(through ? { through } : {}),
      every: Math.round((deps.digestEveryMs ?? DEFAULT_DIGEST_EVERY_MS) / 1000),
      ...(opts.start ? { start: true } : {}),
    },
    key,
  );
  if (!(await deps.store.putDigest(digest))) return { written: false, reason: "lost_race" };
  await deps.anchor?.put(digest);
  return { written: true, seq: digest.seq, at, entries: total };
}

export interface AuditVerifyAnswer extends VerifyResult {
  readonly verifiedAt: string;
  /** Source events (stored revisions, violation changes) the audit consumer has not reached yet. */
  readonly pending?: number;
  /** Source events without their entry (not pending). */
  readonly missing?: number;
  /** The oldest of them. */
  readonly firstMissing?: { readonly key: string; readonly at: string };
  /** Source events checked for completeness. */
  readonly events?: number;
  /** Digests found in the anchor outside the tables, and where that is. */
  readonly anchored?: number;
  readonly anchor?: string;
}

function appendedKeys(chains: readonly ChainBlocksRead[]): AppendedKeys & { progress?: string } {
  const keys = new Set<string>();
  const lastPosition = new Map<string, number>();
  let progress: string | undefined;
  for (const c of chains)
    for (const e of c.entries) {
      const content = e.content as { subject?: unknown; at?: unknown; rev?: unknown; history?: unknown };
      const k = keyOfContent(content);
      if (k) keys.add(k);
      if (typeof content?.at === "string" && (progress === undefined || content.at > progress))
        progress = content.at;
      // a violation's history positions reach the trail in order (one item, one stream shard); a
      // record's revisions need not (two revisions may be stored in either order), so only the
      // former tell "overtaken, so missing" from "not reached yet"
      const position = content?.history;
      if (typeof content?.subject === "string" && typeof position === "number")
        lastPosition.set(content.subject, Math.max(lastPosition.get(content.subject) ?? 0, position));
    }
  return { keys, lastPosition, ...(progress ? { progress } : {}) };
}

/**
 * Reads the digests (the table's and the anchor's), then every chain, then the source tables, and
 * verifies: the chains and digests (the first bad entry), the anchor against the table, that a
 * digest sealed every entry in time, and that every source event has its entry or is pending.
 */
export async function verifyAudit(deps: AuditDeps): Promise<AuditVerifyAnswer> {
  const key = await deps.key();
  const now = deps.now();
  // digests first: a digest written meanwhile cannot claim entries this read has not seen
  const [inTable, anchored] = await Promise.all([
    deps.store.readDigests(),
    deps.anchor ? deps.anchor.list() : Promise.resolve([] as Digest[]),
  ]);
  const chains = await Promise.all(Array.from({ length: AUDIT_CHAINS }, (_, n) => deps.store.readChain(n)));

  const { digests, anchorBad } = withAnchored(inTable, anchored, deps.anchor?.where);
  const result = verifyChains({ chains, digests, key, chainCount: AUDIT_CHAINS, chainOf: (s) => chainOf(s) });
  let firstBad = result.firstBad ?? anchorBad;

  // every entry sealed by a digest within two intervals (or by the next start's digest)
  const everyMs =
    (digests.at(-1)?.every !== undefined ? (digests.at(-1)?.every as number) * 1000 : undefined) ??
    deps.digestEveryMs ??
    DEFAULT_DIGEST_EVERY_MS;
  if (!firstBad) {
    const unsealed = checkSealing({
      blocks: chains.flatMap((c) => c.blocks.map((b) => ({ chain: c.chain, lastSeq: b.lastSeq, at: b.at }))),
      digests,
      everyMs,
      now,
    });
    if (unsealed)
      firstBad = {
        chain: "digests",
        seq: unsealed.sealedBy?.seq ?? (digests.at(-1)?.seq ?? 0) + 1,
        kind: "missing",
        expected: `a digest sealing chain ${unsealed.chain} seq ${unsealed.lastSeq} (appended ${unsealed.appendedAt}) within ${(2 * everyMs) / 1000} s`,
        found: unsealed.sealedBy ? `digest ${unsealed.sealedBy.seq} at ${unsealed.sealedBy.at}` : "none",
      };
  }

  // completeness: every stored revision and violation change has its entry, or is pending
  let completeness:
    | { events: number; pending: number; missing: number; firstMissing?: { key: string; at: string } }
    | undefined;
  if (deps.sources) {
    const appended = appendedKeys(chains);
    const anchoredThrough = digests.reduce<string | undefined>(
      (m, d) => (d.through && (m === undefined || d.through > m) ? d.through : m),
      undefined,
    );
    const progress = laterIso(appended.progress, anchoredThrough);
    const events = await collect(deps.sources.events());
    const c = checkCompleteness({
      events,
      appended,
      ...(progress ? { progress } : {}),
      now,
      skewMs: deps.pendingSkewMs ?? DEFAULT_PENDING_SKEW_MS,
      maxAgeMs: MAX_EVENT_AGE_MS,
    });
    completeness = {
      events: c.expected,
      pending: c.pending,
      missing: c.missing,
      ...(c.firstMissing ? { firstMissing: { key: c.firstMissing.key, at: c.firstMissing.at } } : {}),
    };
    // an entry about a record or violation that no stored revision or change matches: forged (the
    // platform never deletes revisions or history), e.g. a block put at a chain's end
    if (!firstBad) firstBad = orphanEntry(chains, events);
    if (!firstBad && c.firstMissing)
      firstBad = {
        chain: chainOf(c.firstMissing.subject),
        seq: 0,
        kind: "missing",
        expected: `an entry for ${c.firstMissing.key} (at ${c.firstMissing.at})`,
        found: `none; ${c.missing} source events have no entry`,
      };
  }
  const { firstBad: _ignored, ...rest } = result;
  return {
    ...rest,
    ok: firstBad === undefined,
    digests: digests.length,
    ...(completeness ?? {}),
    ...(deps.anchor ? { anchored: anchored.length, anchor: deps.anchor.where } : {}),
    ...(firstBad ? { firstBad } : {}),
    verifiedAt: now.toISOString(),
  };
}

/**
 * The table's digests with the anchor's laid over them. The anchor is the evidence: a digest it
 * holds must be in the table as it was anchored; the first that is not is `anchorBad`.
 */
function withAnchored(
  inTable: readonly Digest[],
  anchored: readonly Digest[],
  where: string | undefined,
): { digests: Digest[]; anchorBad?: BadEntry } {
  const bySeq = new Map(inTable.map((d) => [d.seq, d]));
  let anchorBad: BadEntry | undefined;
  for (const a of anchored) {
    const t = bySeq.get(a.seq);
    if (!anchorBad && (!t || t.hash !== a.hash))
      anchorBad = {
        chain: "digests",
        seq: a.seq,
        kind: t ? "digest_mismatch" : "missing",
        expected: `digest ${a.seq} as anchored in ${where}`,
        found: t ? `digest ${a.seq} with hash ${t.hash}` : "none in the table",
      };
    bySeq.set(a.seq, a);
  }
  return { digests: [...bySeq.values()].sort((a, b) => a.seq - b.seq), ...(anchorBad ? { anchorBad } : {}) };
}

/**
 * The first entry about a record or violation that no stored revision or change matches: forged
 * (the platform never deletes revisions or history), e.g. a block put at a chain's end.
 */
function orphanEntry(
  chains: readonly ChainBlocksRead[],
  events: readonly { key: string }[],
): BadEntry | undefined {
  const known = new Set(events.map((e) => e.key));
  for (const chain of chains) {
    const orphan = chain.entries.find((e) => {
      const subject = (e.content as { subject?: unknown } | null)?.subject;
      const k = keyOfContent(e.content);
      return (
        typeof subject === "string" &&
        /^(record|violation):/.test(subject) &&
        k !== undefined &&
        !known.has(k)
      );
    });
    if (orphan)
      return {
        chain: chain.chain,
        seq: orphan.seq,
        kind: "inserted",
        expected: "an entry for a stored revision or violation change",
        found: keyOfContent(orphan.content),
      };
  }
  return undefined;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}
