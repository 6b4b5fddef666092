/** The local stream readers give way to a busy webhook (functions/local/webhook-first.ts). */
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebhookFirst } from "../../functions/local/webhook-first.ts";

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

describe("webhook first", () => {
  it("does not wait while the server has no more than `busy` requests in flight", async () => {
    const gate = new WebhookFirst({ busy: 2, maxWaitMs: 1_000 });
    gate.begin();
    gate.begin();
    expect(await settled(gate.giveWay())).toBe(true);
  });

  it("waits while busy, until enough requests are answered", async () => {
    vi.useFakeTimers();
    const gate = new WebhookFirst({ busy: 1, maxWaitMs: 1_000 });
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

  it("waits at most maxWaitMs, however busy the server stays", async () => {
    vi.useFakeTimers();
    const gate = new WebhookFirst({ busy: 0, maxWaitMs: 250 });
    gate.begin();
    const waiting = gate.giveWay();
    vi.advanceTimersByTime(249);
    expect(await settled(waiting)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(waiting)).toBe(true);
  });
});
