/**
 * Middleware: the ingest signature (CONTRACT §2).
 *   X-Client-Id: <client>
 *   X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *   X-Signature: t=<unix seconds>,v2=<hex HMAC-SHA256(secret, "<t>\n<METHOD>\n<path?query>\n<raw body>")>
 * v1 covers the body only, so a signed body could be replayed to another route or with another
 * query within the 300 s window; v2 also covers the method and the path and query exactly as
 * sent. When a header carries any v2 entry only v2 entries count (a v1 beside it cannot widen
 * what was signed); `COMPLIANCE_REQUIRE_SIGNATURE_V2` refuses v1 altogether. Several entries of a
 * version are accepted (secret rotation). A request more than 300 s from the server clock, an
 * unknown client or a bad signature gets 401 and nothing is stored.
 */
import { timingSafeEqual } from "node:crypto";
import type { MiddlewareObj } from "@middy/core";
import { type SignedTarget, sign, signV2 } from "../core/hmac-signature.ts";
import { type HttpEvent, type HttpResult, header } from "./api.ts";
import type { Credentials } from "./credentials.ts";
import { unauthorized } from "./errors.ts";

export { type SignedTarget, sign, signatureHeader, signV2 } from "../core/hmac-signature.ts";

export const SIGNATURE_TOLERANCE_S = 300;

function parse(value: string): { t?: number; v1: string[]; v2: string[] } {
  const out: { t?: number; v1: string[]; v2: string[] } = { v1: [], v2: [] };
  for (const part of value.split(",")) {
    const [k, v] = part.trim().split("=", 2);
    if (k === "t" && v && /^\d{1,12}$/.test(v)) out.t = Number(v);
    else if ((k === "v1" || k === "v2") && v && /^[0-9a-f]{64}$/i.test(v)) out[k].push(v.toLowerCase());
  }
  return out;
}

export function verifySignature(opts: {
  secrets: ReadonlyMap<string, string>;
  clientId: string | undefined;
  signature: string | undefined;
  body: string | Uint8Array;
  nowMs: number;
  /** The request, for v2 signatures; without it only v1 can match. */
  target?: SignedTarget;
  /** Refuse v1 signatures (COMPLIANCE_REQUIRE_SIGNATURE_V2). */
  requireV2?: boolean;
}): { ok: true; clientId: string; version: "v1" | "v2" } | { ok: false; reason: string } {
  const { clientId, signature } = opts;
  if (!clientId || !signature) return { ok: false, reason: "X-Client-Id and X-Signature are required" };
  const secret = opts.secrets.get(clientId);
  const parsed = parse(signature);
  const version = parsed.v2.length > 0 ? "v2" : "v1";
  if (parsed.t === undefined || parsed[version].length === 0)
    return {
      ok: false,
      reason: "X-Signature must be t=<unix seconds>,v2=<hex HMAC-SHA256> (or v1=<hex HMAC-SHA256>)",
    };
  if (version === "v1" && opts.requireV2)
    return { ok: false, reason: "v1 signatures are refused here: sign the request with v2= (CONTRACT §2)" };
  if (Math.abs(opts.nowMs / 1000 - parsed.t) > SIGNATURE_TOLERANCE_S)
    return {
      ok: false,
      reason: `signature timestamp is more than ${SIGNATURE_TOLERANCE_S} s from the server clock`,
    };
  // computed even for an unknown client, so the time taken does not depend on it
  const key = secret ?? "unknown-client";
  const expected = Buffer.from(
    version === "v2" && opts.target
      ? signV2(key, parsed.t, opts.target, opts.body)
      : sign(key, parsed.t, opts.body),
    "hex",
  );
  const matches =
    (version === "v1" || opts.target !== undefined) &&
    parsed[version].some((v) => timingSafeEqual(Buffer.from(v, "hex"), expected));
  if (!secret) return { ok: false, reason: `unknown client id "${clientId.slice(0, 64)}" (X-Client-Id)` };
  if (!matches) return { ok: false, reason: `${version} signature does not match` };
  return { ok: true, clientId, version };
}

/** The request line as the caller sent it: path and query exactly, as v2 signs them. */
export function signedTarget(event: HttpEvent): SignedTarget {
  const method = event.requestContext?.http?.method ?? "POST";
  const path = event.rawPath ?? event.requestContext?.http?.path ?? "/";
  const query = event.rawQueryString ?? "";
  return { method, pathAndQuery: query ? `${path}?${query}` : path };
}

export function signedRequest(
  credentials: () => Credentials | Promise<Credentials>,
  now: () => Date | Promise<Date>,
): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const creds = await credentials();
      const result = verifySignature({
        secrets: await creds.webhookSecrets(),
        clientId: header(event, "x-client-id"),
        signature: header(event, "x-signature"),
        body: event.rawBytes ?? Buffer.alloc(0),
        nowMs: (await now()).getTime(),
        target: signedTarget(event),
        requireV2: creds.requireSignatureV2 === true,
      });
      if (!result.ok) throw unauthorized(result.reason);
      event.principal = { kind: "ingest", id: result.clientId };
    },
  };
}
