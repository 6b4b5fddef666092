/**
 * Secret comparison that leaks neither content nor length: both sides are hashed (SHA-256) first,
 * so `timingSafeEqual` always compares 32 bytes, whatever the caller sent. (Comparing lengths
 * first, as a plain `timingSafeEqual` requires, tells an attacker the secret's length.)
 */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

export function constantTimeEqual(expected: string | undefined, given: string | undefined): boolean {
  if (expected === undefined || given === undefined) return false;
  return timingSafeEqual(digest(expected), digest(given));
}
