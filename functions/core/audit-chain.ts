/**
 * The tamper-evident audit trail, as pure functions: entry hashes, signed digests, and the verifier.
 *
 * - Entries live in N chains (the store picks the chain from the subject). Entry `seq` n of a chain
 *   holds `prevHash` (entry n-1's hash; GENESIS_HASH for n = 1) and
 *   `hash = sha256(prevHash + canonicalJson(content))`. The sequence number is NOT hashed: order is
 *   proven by the links alone, so a moved entry is told apart from a changed one.
 * - A chain's head (the store's seq-0 item) holds its `lastSeq` and `lastHash`.
 * - A digest lists every chain's (lastSeq, lastHash) at one moment, links the previous digest's hash
 *   and is signed (HMAC-SHA256 over its hash): entries a digest covers cannot be rewritten, even
 *   consistently with their heads, without the key.
 * - `verifyChains` names the first bad entry: entries first (lowest chain, then lowest seq), then
 *   digests (lowest seq).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { canonicalJson } from "./canonical.ts";

export const GENESIS_HASH = "0".repeat(64);

/** What an entry says happened; hashed as canonical JSON, so attribute order never matters. */
export interface AuditContent {
  /** `record:<type>#<id>` or `violation:<id>`: one subject's entries are in one chain, in order. */
  readonly subject: string;
  /** `record.revision`, `violation.<status>`, `violation.escalated`, … */
  readonly kind: string;
  readonly at: string;
  readonly [field: string]: unknown;
}

export interface ChainEntry {
  readonly seq: number;
  readonly content: unknown;
  readonly prevHash: unknown;
  readonly hash: unknown;
}

export interface ChainHead {
  readonly lastSeq: number;
  readonly lastHash: string;
}

export interface ChainRead {
  readonly chain: number;
  /** Every entry read from the chain (head excluded), in any order. */
  readonly entries: readonly ChainEntry[];
  /** The chain's head item; undefined when the chain has none. */
  readonly head?: ChainHead;
  /**
   * The store keeps no head item (block layout: the chain's tail block is its end, vouched for by
   * the digests and the anchor): an absent head is then no problem.
   */
  readonly headless?: boolean;
}

export interface DigestBody {
  readonly seq: number;
  readonly at: string;
  /** Index = chain number; { lastSeq: 0, lastHash: GENESIS_HASH } for an empty chain. */
  readonly chains: readonly ChainHead[];
  /** The newest source time (an entry's `at`) the trail had reached when sealed. */
  readonly through?: string;
  /** The digester's interval, in seconds: verify expects a digest at least every two of them. */
  readonly every?: number;
  /** Written when the platform started: it covers entries left unsealed by downtime. */
  readonly start?: boolean;
}

export interface Digest extends DigestBody {
  readonly prevHash: string;
  readonly hash: string;
  readonly signature: string;
}

export type BadKind =
  | "modified"
  | "missing"
  | "inserted"
  | "reordered"
  | "digest_mismatch"
  | "signature_invalid";

export interface BadEntry {
  /** The chain number, or "digests" for a problem of the digest chain itself. */
  readonly chain: number | "digests";
  /** The entry's (or digest's) sequence number; 0 = the chain's head item. */
  readonly seq: number;
  readonly kind: BadKind;
  readonly expected?: string;
  readonly found?: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Entries read (heads excluded). */
  readonly entries: number;
  readonly chains: number;
  /** Digests read. */
  readonly digests: number;
  readonly lastDigest?: { readonly seq: number; readonly at: string };
  readonly firstBad?: BadEntry;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function contentJson(content: unknown): string {
  return canonicalJson(content);
}

export function entryHash(prevHash: string, content: unknown): string {
  return sha256(prevHash + contentJson(content));
}

export function digestHash(prevHash: string, body: DigestBody): string {
  return sha256(
    prevHash +
      canonicalJson({
        seq: body.seq,
        at: body.at,
        chains: body.chains.map((c) => ({ lastSeq: c.lastSeq, lastHash: c.lastHash })),
        // optional fields are hashed (so signed) when present; older digests hash as before
        ...(body.through === undefined ? {} : { through: body.through }),
        ...(body.every === undefined ? {} : { every: body.every }),
        ...(body.start === undefined ? {} : { start: body.start }),
      }),
  );
}

export function signDigestHash(key: string, hash: string): string {
  return createHmac("sha256", key).update(hash).digest("hex");
}

/** The next digest after `previous` (undefined: the first one). */
export function buildDigest(
  previous: Digest | undefined,
  body: Omit<DigestBody, "seq">,
  key: string,
): Digest {
  const seq = (previous?.seq ?? 0) + 1;
  const prevHash = previous?.hash ?? GENESIS_HASH;
  const full: DigestBody = { ...body, seq };
  const hash = digestHash(prevHash, full);
  return { ...full, prevHash, hash, signature: signDigestHash(key, hash) };
}

function signatureValid(key: string, digest: Digest): boolean {
  if (typeof digest.signature !== "string" || typeof digest.hash !== "string") return false;
  const expected = Buffer.from(signDigestHash(key, digest.hash), "hex");
  const found = Buffer.from(digest.signature, "hex");
  return found.length === expected.length && timingSafeEqual(found, expected);
}

const isSeq = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 1;

/** The valid prefix of the digest chain, and the first problem after it. */
function verifyDigests(
  digests: readonly Digest[],
  key: string,
  chains: number,
): { valid: Digest[]; bad?: BadEntry } {
  const sorted = [...digests].sort((a, b) => a.seq - b.seq);
  const valid: Digest[] = [];
  let prevHash = GENESIS_HASH;
  const bad = (seq: number, kind: BadKind, expected?: string, found?: string) => ({
    valid,
    bad: { chain: "digests" as const, seq, kind, expected, found },
  });
  for (const [i, d] of sorted.entries()) {
    const expectedSeq = valid.length + 1;
    if (!isSeq(d.seq) || d.seq < expectedSeq || sorted[i + 1]?.seq === d.seq)
      return bad(d.seq, "inserted", `digest ${expectedSeq}`, `digest ${d.seq}`);
    if (d.seq > expectedSeq) return bad(expectedSeq, "missing", `digest ${expectedSeq}`, `digest ${d.seq}`);
    const wellFormed =
      Array.isArray(d.chains) &&
      d.chains.length === chains &&
      d.chains.every((c) => Number.isInteger(c?.lastSeq) && typeof c?.lastHash === "string") &&
      typeof d.at === "string";
    const recomputed = wellFormed ? digestHash(String(d.prevHash), d) : "";
    if (!wellFormed || recomputed !== d.hash)
      return bad(d.seq, "digest_mismatch", String(d.hash), recomputed);
    if (d.prevHash !== prevHash) return bad(d.seq, "digest_mismatch", prevHash, String(d.prevHash));
    if (!signatureValid(key, d)) return bad(d.seq, "signature_invalid");
    const before = valid.at(-1);
    const shrunk = before?.chains.findIndex((c, n) => (d.chains[n]?.lastSeq ?? 0) < c.lastSeq) ?? -1;
    if (before && shrunk !== -1)
      return bad(
        d.seq,
        "digest_mismatch",
        `chain ${shrunk} at seq ≥ ${before.chains[shrunk]?.lastSeq}`,
        `seq ${d.chains[shrunk]?.lastSeq}`,
      );
    valid.push(d);
    prevHash = d.hash;
  }
  return { valid };
}

interface Claim {
  readonly digest: number;
  readonly lastSeq: number;
  readonly lastHash: string;
}

/** The first problem of one chain, or undefined. `claims`: what valid digests say of its head. */
function verifyChain(
  read: ChainRead,
  claims: readonly Claim[],
  chainOf: ((subject: string) => number) | undefined,
): BadEntry | undefined {
  const c = read.chain;
  const bad = (seq: number, kind: BadKind, expected?: unknown, found?: unknown): BadEntry => ({
    chain: c,
    seq,
    kind,
    ...(expected === undefined ? {} : { expected: String(expected) }),
    ...(found === undefined ? {} : { found: String(found) }),
  });
  // entries sorted by seq; ties (only in crafted input: DynamoDB keys are unique) keep input order
  const E = read.entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.seq - b.e.seq || a.i - b.i)
    .map((x) => x.e);
  const head = read.head;
  const claimed = Math.max(0, ...claims.map((x) => x.lastSeq));
  // a head bounds the chain; so do digests, unless the chain has no head (blocks): entries after the
  // last digest are then simply not sealed yet (verify's sealing check sees they are sealed in time)
  const bounded = head !== undefined || (claims.length > 0 && !read.headless);
  const last = Math.max(head?.lastSeq ?? 0, claimed);
  const selfHash = (e: ChainEntry) =>
    typeof e.prevHash === "string" ? entryHash(e.prevHash, e.content) : "";

  // a digest that disagrees with an entry it covers: reported unless an earlier problem explains it
  let digestBad: BadEntry | undefined;
  const earliest = (problem: BadEntry): BadEntry =>
    digestBad && digestBad.seq < problem.seq ? digestBad : problem;

  let P = GENESIS_HASH;
  let expected = 1;
  for (let i = 0; i < E.length; i++) {
    const e = E[i] as ChainEntry;
    const next = E[i + 1];
    if (!isSeq(e.seq) || e.seq < expected || next?.seq === e.seq)
      return earliest(bad(e.seq, "inserted", `seq ${expected}`, `seq ${e.seq}`));
    if (e.seq > expected) return earliest(bad(expected, "missing", `seq ${expected}`, `seq ${e.seq}`));
    if (bounded && e.seq > last)
      return earliest(bad(e.seq, "inserted", `chain ends at seq ${last}`, `seq ${e.seq}`));
    const recomputed = selfHash(e);
    if (recomputed !== e.hash) {
      // this content verifies where another entry stands: entries were moved, not changed
      const belongsElsewhere = E.some(
        (o, j) => j !== i && typeof o.prevHash === "string" && entryHash(o.prevHash, e.content) === o.hash,
      );
      return earliest(bad(e.seq, belongsElsewhere ? "reordered" : "modified", e.hash, recomputed));
    }
    if (e.prevHash !== P) {
      // it links after an entry that comes later: swapped
      if (E.some((o, j) => j > i && o.hash === e.prevHash))
        return earliest(bad(e.seq, "reordered", P, e.prevHash));
      // it follows what the previous entry followed: the previous one is extra
      const before = E[i - 1];
      if (before && e.prevHash === before.prevHash)
        return earliest(bad(before.seq, "inserted", P, e.prevHash));
      // skipping it heals the chain: it is extra
      if (next && next.prevHash === P) return earliest(bad(e.seq, "inserted", P, e.prevHash));
      // linked on neither side: replaced
      if (next && next.prevHash !== e.hash) return earliest(bad(e.seq, "modified", P, e.prevHash));
      if (!next && head && head.lastSeq === e.seq && head.lastHash !== e.hash)
        return earliest(bad(e.seq, "modified", head.lastHash, e.hash));
      // it is genuine (its successor or the head vouches for it): the entry before it was rewritten
      if (before) return earliest(bad(before.seq, "modified", e.prevHash, P));
      return earliest(bad(e.seq, "modified", P, e.prevHash));
    }
    if (chainOf) {
      const subject = (e.content as { subject?: unknown } | null)?.subject;
      if (typeof subject !== "string" || chainOf(subject) !== c)
        return earliest(bad(e.seq, "inserted", `a subject of chain ${c}`, String(subject)));
    }
    for (const claim of claims)
      if (claim.lastSeq === e.seq && claim.lastHash !== e.hash && !digestBad)
        digestBad = bad(e.seq, "digest_mismatch", claim.lastHash, e.hash);
    P = e.hash as string;
    expected++;
  }
  const count = expected - 1;
  if (head === undefined && count > 0 && !read.headless)
    return earliest(bad(0, "missing", "the chain's head", "none"));
  if (last > count) return earliest(bad(count + 1, "missing", `seq ${last}`, `seq ${count}`));
  if (head && head.lastSeq === count && head.lastHash !== P && count > 0)
    return digestBad && digestBad.seq < count ? digestBad : bad(count, "modified", head.lastHash, P);
  return digestBad;
}

/**
 * Verifies every chain against its links, its head and the digests' claims, and the digest chain
 * against its links and signatures. Pure: the caller reads (digests first, then chains).
 */
export function verifyChains(input: {
  readonly chains: readonly ChainRead[];
  readonly digests: readonly Digest[];
  readonly key: string;
  /** Number of chains (digests list exactly this many heads). */
  readonly chainCount: number;
  /** When given, an entry whose subject belongs to another chain counts as inserted. */
  readonly chainOf?: (subject: string) => number;
}): VerifyResult {
  const { valid, bad: digestProblem } = verifyDigests(input.digests, input.key, input.chainCount);
  let firstBad: BadEntry | undefined;
  for (const read of [...input.chains].sort((a, b) => a.chain - b.chain)) {
    const claims = valid.flatMap((d) => {
      const head = d.chains[read.chain];
      return head && head.lastSeq > 0
        ? [{ digest: d.seq, lastSeq: head.lastSeq, lastHash: head.lastHash }]
        : [];
    });
    firstBad = verifyChain(read, claims, input.chainOf);
    if (firstBad) break;
  }
  firstBad ??= digestProblem;
  const entries = input.chains.reduce((n, c) => n + c.entries.length, 0);
  const lastValid = valid.at(-1);
  return {
    ok: firstBad === undefined,
    entries,
    chains: input.chainCount,
    digests: input.digests.length,
    ...(lastValid ? { lastDigest: { seq: lastValid.seq, at: lastValid.at } } : {}),
    ...(firstBad ? { firstBad } : {}),
  };
}
