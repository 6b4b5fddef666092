/**
 * The HMAC signatures the platform checks on ingest and puts on its own outgoing webhooks
 * (notifications): one definition for both directions. Pure: the caller gives the time.
 *   v1: HMAC-SHA256(secret, "<t>.<raw body>")
 *   v2: HMAC-SHA256(secret, "<t>\n<METHOD>\n<path and query exactly as sent>\n<raw body>")
 */
import { createHmac } from "node:crypto";

/** v1: HMAC over "<t>." and the body's exact bytes (text is taken as UTF-8). */
export function sign(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/** What a request is, for v2: its method and its path and query exactly as sent. */
export interface SignedTarget {
  readonly method: string;
  /** e.g. `/v1/evaluate?at=2026-03-02T00:00:00Z` */
  readonly pathAndQuery: string;
}

/** v2: HMAC over "<t>\n<METHOD>\n<path and query>\n" and the body's exact bytes. */
export function signV2(
  secret: string,
  timestamp: number,
  target: SignedTarget,
  body: string | Uint8Array,
): string {
  return createHmac("sha256", secret)
    .update(`${timestamp}\n${target.method.toUpperCase()}\n${target.pathAndQuery}\n`)
    .update(body)
    .digest("hex");
}

/** The `X-Signature` header value: `t=<unix seconds>,v1=…`, or `v2=…` when the target is given. */
export function signatureHeader(
  secret: string,
  body: string | Uint8Array,
  timestamp: number,
  target?: SignedTarget,
): string {
  return target
    ? `t=${timestamp},v2=${signV2(secret, timestamp, target, body)}`
    : `t=${timestamp},v1=${sign(secret, timestamp, body)}`;
}
