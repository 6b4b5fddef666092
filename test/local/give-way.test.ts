/** The local stream readers give way to a busy webhook and to an evaluator that is behind (functions/local/give-way.ts). */
import { afterEach, describe, expect, it, vi } from "vitest";
import { GiveWay } from "../../functions/local/give-way.ts";

afterEach(() => {
  vi.useRealTimers();
});

/** Whether the promise has settled after the pending microtasks ran. */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe("giving way", () => {
  it("does not wait while the server has no more than `busy` requests in flight", async () => {
    const gate = new GiveWay({ busy: 2, maxWaitMs: 1_000 });
    gate.begin();
    gate.begin();
    expect(await settled(gate.giveWay())).toBe(true);
  });

  it("waits while busy, until enough requests are answered", async () => {
    vi.useFakeTimers();
    const gate = new GiveWay({ busy: 1, holdMs: 0, maxWaitMs: 1_000 });
    const ends = [gate.begin(), gate.begin(), gate.begin()];
    const waiting = gate.giveWay();
    expect(await settled(waiting)).toBe(false);
    ends[0]?.();
    expect(await settled(waiting)).toBe(false);
    ends[0]?.(); // ending the same request twice counts once
    expect(await settled(waiting)).toBe(false);
    ends[1]?.();
    expect(await settled(waiting)).toBe(true);
  });

  it("counts the webhook busy for holdMs after it last had more than `busy` in flight, however few are in flight now", async () => {
    vi.useFakeTimers();
    const gate = new GiveWay({ busy: 1, holdMs: 100, maxWaitMs: 1_000, recheckMs: 20 });
    const ends = [gate.begin(), gate.begin()];
    vi.advanceTimersByTime(10);
    for (const end of ends) end();
    // nothing in flight: a count of this instant would let the reader go
    const waiting = gate.giveWay();
    vi.advanceTimersByTime(80);
    expect(await settled(waiting)).toBe(false);
    vi.advanceTimersByTime(20);
    expect(await settled(waiting)).toBe(true);
    // never more than `busy` in flight: never a wait
    gate.begin()();
    vi.advanceTimersByTime(100);
    gate.begin();
    expect(await settled(gate.giveWay())).toBe(true);
  });

  it("waits at most maxWaitMs, however busy the server stays", async () => {
    vi.useFakeTimers();
    const gate = new GiveWay({ busy: 0, maxWaitMs: 250 });
    gate.begin();
    const waiting = gate.giveWay();
    vi.advanceTimersByTime(249);
    expect(await settled(waiting)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(waiting)).toBe(true);
  });

  it("waits while the consumer that goes first is behind, asking again every recheckMs, at most maxWaitMs", async () => {
    vi.useFakeTimers();
    const gate = new GiveWay({ busy: 4, maxWaitMs: 1_000, recheckMs: 20 });
    let behind = true;
    const waiting = gate.giveWay(() => behind);
    vi.advanceTimersByTime(500);
    expect(await settled(waiting)).toBe(false);
    behind = false;
    vi.advanceTimersByTime(20);
    expect(await settled(waiting)).toBe(true);
    // behind for good: the wait still ends
    const stuck = gate.giveWay(() => true);
    vi.advanceTimersByTime(999);
    expect(await settled(stuck)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(stuck)).toBe(true);
  });

  it("does not wait when nothing goes first: an idle server and a consumer that keeps up", async () => {
    const gate = new GiveWay({ busy: 0 });
    expect(await settled(gate.giveWay(() => false))).toBe(true);
  });

  it("a request answered does not release a reader while the consumer that goes first is still behind", async () => {
    vi.useFakeTimers();
    const gate = new GiveWay({ busy: 0, holdMs: 0, maxWaitMs: 1_000, recheckMs: 20 });
    let behind = true;
    const end = gate.begin();
    const waiting = gate.giveWay(() => behind);
    end();
    expect(await settled(waiting)).toBe(false);
    behind = false;
    vi.advanceTimersByTime(20);
    expect(await settled(waiting)).toBe(true);
  });
});
