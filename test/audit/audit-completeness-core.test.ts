/**
 * The pure completeness and sealing checks (core/audit-completeness.ts), and the headless chains of
 * the block layout in verifyChains: no DynamoDB.
 */
import { describe, expect, it } from "vitest";
import {
  buildDigest,
  type ChainEntry,
  type ChainRead,
  entryHash,
  GENESIS_HASH,
  verifyChains,
} from "../../functions/core/audit-chain.ts";
import {
  checkCompleteness,
  checkSealing,
  type SourceEvent,
} from "../../functions/core/audit-completeness.ts";

const ev = (subject: string, position: number, at: string): SourceEvent => ({
  key: `${subject}@${position}`,
  subject,
  position,
  at,
});
const NOW = new Date("2026-03-02T12:00:00Z");
const SKEW = 15 * 60_000;
const MAX_AGE = 7 * 3600_000;

describe("checkCompleteness", () => {
  const events = [
    ev("record:expense#A", 1, "2026-03-02T10:00:00Z"),
    ev("violation:v1", 1, "2026-03-02T10:00:01Z"),
    ev("violation:v1", 2, "2026-03-02T11:58:00Z"),
    ev("record:expense#B", 1, "2026-03-02T11:59:00Z"),
  ];

  it("counts every event with its entry as complete", () => {
    const appended = {
      keys: new Set(events.map((e) => e.key)),
      lastPosition: new Map([["violation:v1", 2]]),
    };
    expect(
      checkCompleteness({
        events,
        appended,
        progress: "2026-03-02T11:59:00Z",
        now: NOW,
        skewMs: SKEW,
        maxAgeMs: MAX_AGE,
      }),
    ).toEqual({ expected: 4, pending: 0, missing: 0 });
  });

  it("counts events newer than the trail's progress minus the skew as pending, older ones as missing", () => {
    const appended = {
      keys: new Set([events[1]?.key as string]),
      lastPosition: new Map([["violation:v1", 1]]),
    };
    const result = checkCompleteness({
      events,
      appended,
      progress: "2026-03-02T10:00:01Z",
      now: NOW,
      skewMs: SKEW,
      maxAgeMs: MAX_AGE,
    });
    // A@1 (10:00:00) is within 15 min of the progress: pending; so are the later ones
    expect(result).toEqual({ expected: 4, pending: 3, missing: 0 });
    const later = checkCompleteness({
      events,
      appended,
      progress: "2026-03-02T11:00:00Z",
      now: NOW,
      skewMs: SKEW,
      maxAgeMs: MAX_AGE,
    });
    expect(later).toMatchObject({ pending: 2, missing: 1, firstMissing: events[0] });
  });

  it("counts a violation change as missing when a later change of the same violation is in the trail", () => {
    const appended = {
      keys: new Set([events[0]?.key as string, "violation:v1@2"]),
      lastPosition: new Map([["violation:v1", 2]]),
    };
    const result = checkCompleteness({
      events: events.slice(0, 3),
      appended,
      progress: "2026-03-02T11:58:00Z",
      now: NOW,
      skewMs: SKEW * 100,
      maxAgeMs: MAX_AGE,
    });
    expect(result).toMatchObject({ missing: 1, pending: 0, firstMissing: events[1] });
  });

  it("with no progress at all, counts events older than the stream's age limit as missing", () => {
    const appended = { keys: new Set<string>(), lastPosition: new Map<string, number>() };
    const old = ev("record:expense#OLD", 1, "2026-03-01T00:00:00Z");
    expect(
      checkCompleteness({ events: [old, ...events], appended, now: NOW, skewMs: SKEW, maxAgeMs: MAX_AGE }),
    ).toMatchObject({ expected: 5, missing: 1, pending: 4, firstMissing: old });
  });
});

describe("checkSealing", () => {
  const EVERY = 300_000;
  const digest = (seq: number, at: string, lastSeq: number, start?: boolean) => ({
    seq,
    at,
    chains: [{ lastSeq }],
    ...(start ? { start } : {}),
  });

  it("accepts blocks sealed within two intervals, and unsealed ones younger than two intervals", () => {
    const blocks = [
      { chain: 0, lastSeq: 3, at: "2026-03-02T11:40:00Z" },
      { chain: 0, lastSeq: 5, at: "2026-03-02T11:57:00Z" },
    ];
    expect(
      checkSealing({ blocks, digests: [digest(1, "2026-03-02T11:45:00Z", 3)], everyMs: EVERY, now: NOW }),
    ).toBeUndefined();
  });

  it("names the oldest block sealed late, or not at all after two intervals", () => {
    const blocks = [{ chain: 0, lastSeq: 3, at: "2026-03-02T11:00:00Z" }];
    expect(
      checkSealing({ blocks, digests: [digest(1, "2026-03-02T11:30:00Z", 3)], everyMs: EVERY, now: NOW }),
    ).toEqual({
      chain: 0,
      lastSeq: 3,
      appendedAt: "2026-03-02T11:00:00Z",
      sealedBy: { seq: 1, at: "2026-03-02T11:30:00Z" },
    });
    expect(checkSealing({ blocks, digests: [], everyMs: EVERY, now: NOW })).toEqual({
      chain: 0,
      lastSeq: 3,
      appendedAt: "2026-03-02T11:00:00Z",
    });
  });

  it("accepts a start digest sealing what downtime left unsealed", () => {
    const blocks = [{ chain: 0, lastSeq: 3, at: "2026-03-01T11:00:00Z" }];
    expect(
      checkSealing({
        blocks,
        digests: [digest(1, "2026-03-02T11:30:00Z", 3, true)],
        everyMs: EVERY,
        now: NOW,
      }),
    ).toBeUndefined();
  });
});

describe("verifyChains on headless chains (blocks)", () => {
  const chain = (n: number): ChainRead => {
    const entries: ChainEntry[] = [];
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= n; seq++) {
      const content = { subject: "s", kind: "k", at: `2026-03-01T00:00:0${seq}Z`, seq };
      const hash = entryHash(prevHash, content);
      entries.push({ seq, content, prevHash, hash });
      prevHash = hash;
    }
    return { chain: 0, entries, headless: true };
  };

  it("accepts entries past the last digest (not sealed yet) and names entries a digest sealed that are gone", () => {
    const full = chain(5);
    const sealedAt3 = buildDigest(
      undefined,
      { at: "t", chains: [{ lastSeq: 3, lastHash: (full.entries[2] as ChainEntry).hash as string }] },
      "k",
    );
    expect(verifyChains({ chains: [full], digests: [sealedAt3], key: "k", chainCount: 1 }).ok).toBe(true);
    const cut = { ...full, entries: full.entries.slice(0, 2) };
    expect(
      verifyChains({ chains: [cut], digests: [sealedAt3], key: "k", chainCount: 1 }).firstBad,
    ).toMatchObject({
      chain: 0,
      seq: 3,
      kind: "missing",
    });
    // no head item is no problem for a headless chain
    expect(verifyChains({ chains: [full], digests: [], key: "k", chainCount: 1 }).ok).toBe(true);
  });
});
