/**
 * The audit trail's use cases: what a stored record revision or a violation change puts in the
 * log, appending it, writing the periodic signed digest, and verifying everything.
 */
import {
  type AuditContent,
  buildDigest,
  GENESIS_HASH,
  type VerifyResult,
  verifyChains,
} from "../core/audit-chain.ts";
import { historyCount, type StoredViolation } from "../core/lifecycle.ts";
import {
  type AppendOutcome,
  AUDIT_CHAINS,
  type AuditEntryInput,
  type AuditLogStore,
  chainOf,
} from "../store/audit-log.ts";
import type { StoredRevision } from "../store/records.ts";

export interface AuditDeps {
  readonly store: AuditLogStore;
  /** The key that signs digests (Secrets Manager on AWS, env locally). */
  readonly key: () => Promise<string>;
  readonly now: () => Date;
}

/** A stored revision (rev ≥ 1): its subject is the record, its content the body's hash. */
export function auditEntryForRecordRevision(revision: StoredRevision): AuditEntryInput {
  const content: AuditContent = {
    subject: `record:${revision.pk}`,
    kind: "record.revision",
    at: revision.receivedAt,
    rev: revision.rev,
    bodyHash: revision.bodyHash,
    clientId: revision.clientId,
  };
  return { eventKey: `record:${revision.pk}@${revision.rev}`, content };
}

/**
 * A violation write that changed its status or was escalated (its history grew); undefined for
 * writes that only refresh evidence, messages or revision numbers.
 */
export function auditEntryForViolationChange(
  before: StoredViolation | undefined,
  after: StoredViolation | undefined,
): AuditEntryInput | undefined {
  if (!after) return undefined;
  const level = after.escalationLevel ?? 0;
  const statusChanged = before?.status !== after.status;
  const historyGrew = historyCount(after) > (before ? historyCount(before) : 0);
  const escalated = level > (before?.escalationLevel ?? 0);
  if (!statusChanged && !historyGrew && !escalated) return undefined;
  const last = after.history.at(-1);
  const content: AuditContent = {
    subject: `violation:${after.id}`,
    kind: escalated && !statusChanged ? "violation.escalated" : `violation.${after.status}`,
    at: last?.at ?? after.updatedAt,
    status: after.status,
    by: last?.by ?? null,
    reason: last?.reason ?? null,
    history: historyCount(after),
    escalationLevel: level,
    record: { type: after.record.type, id: after.record.id, revision: after.record.revision },
    policyId: after.policyId,
    ruleId: after.ruleId,
  };
  return { eventKey: `violation:${after.id}@${historyCount(after)}.${level}`, content };
}

export function appendAudit(deps: Pick<AuditDeps, "store">, entry: AuditEntryInput): Promise<AppendOutcome> {
  return deps.store.append(entry);
}

export type DigestOutcome =
  | { readonly written: true; readonly seq: number; readonly at: string; readonly entries: number }
  | { readonly written: false; readonly reason: "unchanged" | "lost_race" };

/**
 * Writes the next digest: every chain's head, the previous digest's hash, signed. Skipped when no
 * chain moved since the last digest (nothing new to seal).
 */
export async function writeDigest(deps: AuditDeps): Promise<DigestOutcome> {
  const key = await deps.key();
  const previous = await deps.store.lastDigest();
  const heads = (await deps.store.readHeads()).map((h) => h ?? { lastSeq: 0, lastHash: GENESIS_HASH });
  if (previous && heads.every((h, n) => h.lastSeq === previous.chains[n]?.lastSeq))
    return { written: false, reason: "unchanged" };
  const at = deps.now().toISOString();
  const digest = buildDigest(previous, { at, chains: heads }, key);
  if (!(await deps.store.putDigest(digest))) return { written: false, reason: "lost_race" };
  return { written: true, seq: digest.seq, at, entries: heads.reduce((n, h) => n + h.lastSeq, 0) };
}

export interface AuditVerifyAnswer extends VerifyResult {
  readonly verifiedAt: string;
}

/** Reads the digests, then every chain (in parallel), and verifies them. */
export async function verifyAudit(deps: AuditDeps): Promise<AuditVerifyAnswer> {
  const key = await deps.key();
  // digests first: a digest written meanwhile cannot claim entries this read has not seen
  const digests = await deps.store.readDigests();
  const chains = await Promise.all(Array.from({ length: AUDIT_CHAINS }, (_, n) => deps.store.readChain(n)));
  const result = verifyChains({ chains, digests, key, chainCount: AUDIT_CHAINS, chainOf: (s) => chainOf(s) });
  return { ...result, verifiedAt: deps.now().toISOString() };
}
