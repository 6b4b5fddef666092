/**
 * Completeness of the audit trail, as pure functions (the chains' own consistency is
 * audit-chain.ts's verifyChains):
 *
 * - every source event (a stored record revision, a violation status change) has its entry, or is
 *   still PENDING: the audit consumer has not reached it yet. An event without an entry is
 *   MISSING when a later event of the same subject has one (one subject's events reach the
 *   consumer in order: same partition key, same stream shard, retried in order), or when it is
 *   older than the trail's progress (the newest source time any entry or anchored digest
 *   reached) by more than `skewMs` (other shards and the other stream may lag that much), or — with
 *   no progress known at all — older than `maxAgeMs` (a stream record older than that is never
 *   delivered any more);
 * - every entry is sealed by a digest within two digest intervals of being appended, or by the
 *   first digest of the next start (after downtime); while entries are unsealed, the oldest of
 *   them is younger than two intervals.
 */

/** A source item's event that must have its audit entry. */
export interface SourceEvent {
  /** The entry's natural key: `record:<type>#<id>@<rev>`, `violation:<id>@<history position>`. */
  readonly key: string;
  readonly subject: string;
  /** Its source time: the revision's receivedAt, the history entry's at. */
  readonly at: string;
  /** Order within the subject (revision number, history position). */
  readonly position: number;
}

/** What the trail holds of a subject: the keys appended and the highest position among them. */
export interface AppendedKeys {
  readonly keys: ReadonlySet<string>;
  /** subject → the highest position appended (record revision or history position). */
  readonly lastPosition: ReadonlyMap<string, number>;
}

export interface CompletenessResult {
  readonly expected: number;
  readonly pending: number;
  readonly missing: number;
  /** The oldest missing event (by source time, then key). */
  readonly firstMissing?: SourceEvent;
}

const ms = (iso: string) => Date.parse(iso);

/**
 * The later of two ISO 8601 UTC strings of one format (entry and block times compare as strings,
 * as the store compares them); undefined counts as earliest.
 */
export function laterIso(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (b > a) return b;
  return a;
}

/** The earlier of two ISO 8601 UTC strings of one format. */
export function earlierIso(a: string, b: string): string {
  if (b < a) return b;
  return a;
}

export function checkCompleteness(input: {
  readonly events: Iterable<SourceEvent>;
  readonly appended: AppendedKeys;
  /** Newest source time the trail is known to have reached (entries, anchored digests). */
  readonly progress?: string;
  readonly now: Date;
  readonly skewMs: number;
  readonly maxAgeMs: number;
}): CompletenessResult {
  const { appended } = input;
  const limit =
    input.progress !== undefined ? ms(input.progress) - input.skewMs : input.now.getTime() - input.maxAgeMs;
  let expected = 0;
  let pending = 0;
  let missing = 0;
  let first: SourceEvent | undefined;
  for (const e of input.events) {
    expected++;
    if (appended.keys.has(e.key)) continue;
    const overtaken = (appended.lastPosition.get(e.subject) ?? 0) > e.position;
    if (!overtaken && ms(e.at) > limit) {
      pending++;
      continue;
    }
    missing++;
    if (!first || e.at < first.at || (e.at === first.at && e.key < first.key)) first = e;
  }
  return { expected, pending, missing, ...(first ? { firstMissing: first } : {}) };
}

/** One block's end: the chain, the last entry's seq in it, when it was appended. */
export interface BlockEnd {
  readonly chain: number;
  readonly lastSeq: number;
  readonly at: string;
}

export interface SealingDigest {
  readonly seq: number;
  readonly at: string;
  readonly chains: readonly { readonly lastSeq: number }[];
  readonly start?: boolean;
}

export interface Unsealed {
  readonly chain: number;
  readonly lastSeq: number;
  readonly appendedAt: string;
  /** The digest that sealed it late (undefined: none did). */
  readonly sealedBy?: { readonly seq: number; readonly at: string };
}

/**
 * The first block (by append time) no digest sealed in time: its first sealing digest is later
 * than two intervals after it (and is not a start digest), or there is none and it is older than
 * two intervals. Digests are the valid ones, oldest first.
 */
export function checkSealing(input: {
  readonly blocks: readonly BlockEnd[];
  readonly digests: readonly SealingDigest[];
  readonly everyMs: number;
  readonly now: Date;
}): Unsealed | undefined {
  const allowance = 2 * input.everyMs;
  let worst: Unsealed | undefined;
  for (const b of input.blocks) {
    const sealer = input.digests.find((d) => (d.chains[b.chain]?.lastSeq ?? 0) >= b.lastSeq);
    const due = ms(b.at) + allowance;
    const late = sealer ? ms(sealer.at) > due && !sealer.start : input.now.getTime() > due;
    if (!late) continue;
    if (!worst || b.at < worst.appendedAt)
      worst = {
        chain: b.chain,
        lastSeq: b.lastSeq,
        appendedAt: b.at,
        ...(sealer ? { sealedBy: { seq: sealer.seq, at: sealer.at } } : {}),
      };
  }
  return worst;
}
