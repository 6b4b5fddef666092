import { describe, expect, it } from "vitest";
import { AGAIN, exponentialBackoff, retry } from "../../functions/core/retry.ts";

describe("retry", () => {
  it("returns the first value a step gives, after as many goes as it takes", async () => {
    const seen: number[] = [];
    const value = await retry(
      { attempts: 5 },
      async (attempt) => {
        seen.push(attempt);
        return attempt < 3 ? AGAIN : `done at ${attempt}`;
      },
      () => new Error("exhausted"),
    );
    expect(value).toBe("done at 3");
    expect(seen).toEqual([1, 2, 3]);
  });

  it("throws what exhausted() makes after the last go, and never goes beyond it", async () => {
    let goes = 0;
    await expect(
      retry(
        { attempts: 4 },
        async () => {
          goes++;
          return AGAIN;
        },
        () => new Error("kept failing"),
      ),
    ).rejects.toThrow("kept failing");
    expect(goes).toBe(4);
  });

  it("passes a step's error through at once", async () => {
    let goes = 0;
    await expect(
      retry(
        { attempts: 4 },
        async () => {
          goes++;
          throw new Error("boom");
        },
        () => new Error("exhausted"),
      ),
    ).rejects.toThrow("boom");
    expect(goes).toBe(1);
  });

  it("sleeps the backoff before every go but the first", async () => {
    const slept: number[] = [];
    await retry(
      { attempts: 5, backoffMs: exponentialBackoff(50, 150), sleep: async (ms) => slept.push(ms) },
      async (attempt) => (attempt < 5 ? AGAIN : undefined),
      () => new Error("exhausted"),
    );
    expect(slept).toEqual([50, 100, 150, 150]);
  });

  it("gives up when keepGoing says so, asked before each wait, and goes on without a cap on attempts", async () => {
    const asked: number[] = [];
    const slept: number[] = [];
    let goes = 0;
    await expect(
      retry(
        {
          attempts: Number.POSITIVE_INFINITY,
          backoffMs: () => 10,
          sleep: async (ms) => slept.push(ms),
          keepGoing: () => asked.push(goes) < 3,
        },
        async () => {
          goes++;
          return AGAIN;
        },
        () => new Error("deadline passed"),
      ),
    ).rejects.toThrow("deadline passed");
    // three goes: keepGoing was asked after the first and the second (yes) and after the third (no),
    // and no wait came after the last no
    expect(goes).toBe(3);
    expect(asked).toEqual([1, 2, 3]);
    expect(slept).toEqual([10, 10]);
  });

  it("exponentialBackoff doubles from the base and stops at the cap", () => {
    const backoff = exponentialBackoff(25, 1000);
    expect([2, 3, 4, 5, 6, 7, 8].map(backoff)).toEqual([25, 50, 100, 200, 400, 800, 1000]);
  });
});
