/**
 * The pure verifier on crafted chains: untouched chains verify; each kind of tampering is named,
 * at the right chain and seq; the first bad entry is the lowest chain, then the lowest seq.
 */
import { describe, expect, it } from "vitest";
import {
  type AuditContent,
  buildDigest,
  type ChainEntry,
  type ChainRead,
  type Digest,
  entryHash,
  GENESIS_HASH,
  verifyChains,
} from "../../functions/core/audit-chain.ts";

const KEY = "test-audit-key";
const CHAINS = 4;

/** A subject's chain is its last character here (the verifier is told how). */
const chainOf = (subject: string) => Number(subject.slice(-1));

function content(chain: number, i: number): AuditContent {
  return {
    subject: `record:expense#E${i}-${chain}`,
    kind: "record.revision",
    at: `2026-03-01T08:00:0${i % 10}Z`,
    rev: i,
    bodyHash: `h${i}`,
  };
}

function chainOfLength(chain: number, n: number): ChainRead {
  const entries: ChainEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const c = content(chain, seq);
    const hash = entryHash(prevHash, c);
    entries.push({ seq, content: c, prevHash, hash });
    prevHash = hash;
  }
  return { chain, entries, head: { lastSeq: n, lastHash: prevHash } };
}

interface Log {
  chains: ChainRead[];
  digests: Digest[];
}

/** Chains 0..3 with 6, 0, 8 and 3 entries; one digest after the first 4 of each, one at the end. */
function log(): Log {
  const full = [chainOfLength(0, 6), chainOfLength(1, 0), chainOfLength(2, 8), chainOfLength(3, 3)];
  const headAt = (r: ChainRead, n: number) => {
    const e = r.entries[Math.min(n, r.entries.length) - 1];
    return e ? { lastSeq: e.seq, lastHash: e.hash as string } : { lastSeq: 0, lastHash: GENESIS_HASH };
  };
  const d1 = buildDigest(
    undefined,
    { at: "2026-03-01T09:00:00Z", chains: full.map((r) => headAt(r, 4)) },
    KEY,
  );
  const d2 = buildDigest(
    d1,
    { at: "2026-03-01T10:00:00Z", chains: full.map((r) => r.head ?? headAt(r, 0)) },
    KEY,
  );
  return { chains: full, digests: [d1, d2] };
}

function verify(l: Log, key = KEY) {
  return verifyChains({ chains: l.chains, digests: l.digests, key, chainCount: CHAINS, chainOf });
}

/** Edits chain `n` of a fresh log. */
function tampered(
  n: number,
  edit: (entries: ChainEntry[], read: ChainRead) => Partial<ChainRead> | undefined,
): Log {
  const l = log();
  const read = l.chains[n] as ChainRead;
  const entries = read.entries.map((e) => ({ ...e }));
  const changes = edit(entries, read) ?? {};
  l.chains[n] = { ...read, entries, ...changes };
  return l;
}

const at = (entries: ChainEntry[], seq: number) => entries.findIndex((e) => e.seq === seq);

describe("verifyChains", () => {
  it("verifies untouched chains and digests", () => {
    const result = verify(log());
    expect(result).toMatchObject({ ok: true, entries: 17, chains: CHAINS, digests: 2 });
    expect(result.firstBad).toBeUndefined();
    expect(result.lastDigest).toEqual({ seq: 2, at: "2026-03-01T10:00:00Z" });
  });

  it("verifies chains appended after the last digest (the head vouches for them)", () => {
    const l = log();
    l.digests = l.digests.slice(0, 1);
    expect(verify(l).ok).toBe(true);
    expect(verify({ chains: l.chains, digests: [] }).ok).toBe(true);
  });

  it("names changed content: modified", () => {
    const l = tampered(2, (es) => {
      es[at(es, 5)] = { ...(es[at(es, 5)] as ChainEntry), content: { ...content(2, 5), bodyHash: "forged" } };
      return undefined;
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 2, seq: 5, kind: "modified" });
  });

  it("names changed content with a recomputed hash: modified (its successor's link breaks)", () => {
    const l = tampered(2, (es) => {
      const e = es[at(es, 5)] as ChainEntry;
      const forged = { ...content(2, 5), bodyHash: "forged" };
      es[at(es, 5)] = { ...e, content: forged, hash: entryHash(e.prevHash as string, forged) };
      return undefined;
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 2, seq: 5, kind: "modified" });
  });

  it("names the last entry rewritten with a recomputed hash: modified (the head disagrees)", () => {
    const l = tampered(3, (es) => {
      const e = es[at(es, 3)] as ChainEntry;
      const forged = { ...content(3, 3), bodyHash: "forged" };
      es[at(es, 3)] = { ...e, content: forged, hash: entryHash(e.prevHash as string, forged) };
      return undefined;
    });
    l.digests = [];
    expect(verify(l).firstBad).toMatchObject({ chain: 3, seq: 3, kind: "modified" });
  });

  it("names a rewrite made consistent with the head: digest_mismatch where a digest covers it", () => {
    const l = tampered(0, (es) => {
      // rewrite from seq 3 to the end, every hash and the head recomputed
      let prevHash = (es[at(es, 2)] as ChainEntry).hash as string;
      for (let seq = 3; seq <= 6; seq++) {
        const forged = { ...content(0, seq), bodyHash: `forged${seq}` };
        const hash = entryHash(prevHash, forged);
        es[at(es, seq)] = { seq, content: forged, prevHash, hash };
        prevHash = hash;
      }
      return { head: { lastSeq: 6, lastHash: prevHash } };
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 0, seq: 4, kind: "digest_mismatch" });
  });

  it("names a deleted entry: missing", () => {
    const l = tampered(2, (es) => {
      es.splice(at(es, 4), 1);
      return undefined;
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 2, seq: 4, kind: "missing" });
  });

  it("names a deleted last entry: missing (the chain is shorter than its head says)", () => {
    const l = tampered(2, (es) => {
      es.pop();
      return undefined;
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 2, seq: 8, kind: "missing" });
  });

  it("names deleted last entries whose head was rolled back: missing (shorter than a digest says)", () => {
    const l = tampered(2, (es) => {
      es.splice(3);
      const last = es.at(-1) as ChainEntry;
      return { head: { lastSeq: last.seq, lastHash: last.hash as string } };
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 2, seq: 4, kind: "missing" });
  });

  it("names a deleted head: missing at seq 0", () => {
    const l = tampered(3, () => ({ head: undefined }));
    l.digests = [];
    expect(verify(l).firstBad).toMatchObject({ chain: 3, seq: 0, kind: "missing" });
  });

  it("names an extra entry under a fractional key, even one that links: inserted", () => {
    const l = tampered(0, (es) => {
      const before = es[at(es, 2)] as ChainEntry;
      const forged = { ...content(0, 99) };
      es.push({
        seq: 2.5,
        content: forged,
        prevHash: before.hash,
        hash: entryHash(before.hash as string, forged),
      });
      return undefined;
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 0, seq: 2.5, kind: "inserted" });
  });

  it("names an extra entry past the head: inserted", () => {
    const l = tampered(3, (es) => {
      const last = es.at(-1) as ChainEntry;
      const forged = content(3, 4);
      es.push({ seq: 4, content: forged, prevHash: last.hash, hash: entryHash(last.hash as string, forged) });
      return undefined;
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 3, seq: 4, kind: "inserted" });
  });

  it("names an extra entry spliced in with renumbered successors: inserted", () => {
    const l = tampered(2, (es) => {
      const before = es[at(es, 3)] as ChainEntry;
      const forged = content(2, 42);
      const extra = {
        seq: 4,
        content: forged,
        prevHash: before.hash,
        hash: entryHash(before.hash as string, forged),
      };
      const after = es.splice(3).map((e) => ({ ...e, seq: e.seq + 1 }));
      es.push(extra, ...after);
      return { head: { lastSeq: 9, lastHash: (after.at(-1) as ChainEntry).hash as string } };
    });
    l.digests = [];
    expect(verify(l).firstBad).toMatchObject({ chain: 2, seq: 4, kind: "inserted" });
  });

  it("names a duplicated seq: inserted", () => {
    const l = tampered(0, (es) => {
      es.push({ ...(es[at(es, 3)] as ChainEntry), content: content(0, 77) });
      return undefined;
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 0, seq: 3, kind: "inserted" });
  });

  it("names an entry of another chain's subject: inserted", () => {
    const l = tampered(3, (es) => {
      const last = es.at(-1) as ChainEntry;
      const foreign = content(1, 4);
      es.push({
        seq: 4,
        content: foreign,
        prevHash: last.hash,
        hash: entryHash(last.hash as string, foreign),
      });
      return { head: { lastSeq: 4, lastHash: entryHash(last.hash as string, foreign) } };
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 3, seq: 4, kind: "inserted" });
  });

  it("names two swapped entries: reordered", () => {
    const l = tampered(2, (es) => {
      const a = es[at(es, 5)] as ChainEntry;
      const b = es[at(es, 6)] as ChainEntry;
      es[at(es, 5)] = { ...b, seq: 5 };
      es[at(es, 6)] = { ...a, seq: 6 };
      return undefined;
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 2, seq: 5, kind: "reordered" });
  });

  it("names entries swapped far apart: reordered", () => {
    const l = tampered(2, (es) => {
      const a = es[at(es, 2)] as ChainEntry;
      const b = es[at(es, 7)] as ChainEntry;
      es[at(es, 2)] = { ...b, seq: 2 };
      es[at(es, 7)] = { ...a, seq: 7 };
      return undefined;
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 2, seq: 2, kind: "reordered" });
  });

  it("names swapped contents (hashes left in place): reordered", () => {
    const l = tampered(0, (es) => {
      const a = es[at(es, 3)] as ChainEntry;
      const b = es[at(es, 4)] as ChainEntry;
      es[at(es, 3)] = { ...a, content: b.content };
      es[at(es, 4)] = { ...b, content: a.content };
      return undefined;
    });
    expect(verify(l).firstBad).toMatchObject({ chain: 0, seq: 3, kind: "reordered" });
  });

  it("names the lowest chain, then the lowest seq", () => {
    const l = log();
    const edit = (n: number, seq: number) => {
      const read = l.chains[n] as ChainRead;
      l.chains[n] = {
        ...read,
        entries: read.entries.map((e) =>
          e.seq === seq ? { ...e, content: { ...content(n, seq), bodyHash: "x" } } : e,
        ),
      };
    };
    edit(3, 1);
    edit(2, 7);
    edit(2, 3);
    expect(verify(l).firstBad).toMatchObject({ chain: 2, seq: 3, kind: "modified" });
  });

  it("names a digest edited without re-hashing: digest_mismatch", () => {
    const l = log();
    const d = l.digests[0] as Digest;
    l.digests[0] = { ...d, at: "2026-03-01T09:30:00Z" };
    expect(verify(l).firstBad).toMatchObject({ chain: "digests", seq: 1, kind: "digest_mismatch" });
  });

  it("names a digest re-hashed without the key: signature_invalid", () => {
    const l = log();
    const forged = buildDigest(
      l.digests[0],
      { at: "2026-03-01T10:00:00Z", chains: (l.digests[1] as Digest).chains },
      "wrong-key",
    );
    l.digests[1] = forged;
    expect(verify(l).firstBad).toMatchObject({ chain: "digests", seq: 2, kind: "signature_invalid" });
    expect(verify(log(), "another-key").firstBad).toMatchObject({
      chain: "digests",
      seq: 1,
      kind: "signature_invalid",
    });
  });

  it("names a deleted digest: missing", () => {
    const l = log();
    l.digests = l.digests.slice(1);
    expect(verify(l).firstBad).toMatchObject({ chain: "digests", seq: 1, kind: "missing" });
  });
});
