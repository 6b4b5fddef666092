/**
 * Issue 11 item 12: the bearer comparison must not leak the token's length. A plain
 * timingSafeEqual needs equal lengths, so the old code returned early on a length mismatch; now
 * both sides are hashed and the comparison always runs over 32 bytes.
 */
import { afterEach, describe, expect, it, vi } from "vitest";

const calls: [number, number][] = [];
vi.mock("node:crypto", async (original) => {
  const real = await original<typeof import("node:crypto")>();
  return {
    ...real,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      calls.push([a.byteLength, b.byteLength]);
      return real.timingSafeEqual(a, b);
    },
  };
});

const { constantTimeEqual } = await import("../../functions/http/constant-time.ts");
const { signedIn } = await import("../../functions/http/people-auth.ts");

afterEach(() => {
  calls.length = 0;
});

describe("constant-time secret comparison", () => {
  it("compares equal-length digests whatever the lengths given", () => {
    expect(constantTimeEqual("local-auditor-token", "local-auditor-token")).toBe(true);
    expect(constantTimeEqual("local-auditor-token", "x")).toBe(false);
    expect(constantTimeEqual("local-auditor-token", "local-auditor-token-and-more")).toBe(false);
    expect(constantTimeEqual("a", undefined)).toBe(false);
    expect(calls).toEqual([
      [32, 32],
      [32, 32],
      [32, 32],
    ]);
  });

  it("the sign-in middleware runs the full comparison for a token of another length", async () => {
    // the machine reader's token (CONTRACT §6): the sign-in middleware compares it first
    const middleware = signedIn(() => ({
      credentials: { readerToken: "secret-token", webhookSecrets: async () => new Map() },
      org: { roles: {}, people: [] },
      now: () => new Date(),
    }));
    const event = { headers: { authorization: "Bearer s" }, requestContext: {} };
    await expect(
      middleware.before?.({ event, context: {}, response: null, error: null, internal: {} } as never),
    ).rejects.toMatchObject({ code: "unauthorized" });
    expect(calls.length).toBeGreaterThan(0);
    for (const [a, b] of calls) expect([a, b]).toEqual([32, 32]);
  });
});
