/**
 * Middleware: the ingest signature (CONTRACT §2).
 *   X-Client-Id: <client>
 *   X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * Several v1 entries are accepted (secret rotation). A request more than 300 s from the server
 * clock, unknown client or bad signature gets 401 and nothing is stored.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { MiddlewareObj } from "@middy/core";
import { type HttpEvent, type HttpResult, header } from "./api.ts";
import type { Credentials } from "./credentials.ts";
import { unauthorized } from "./errors.ts";

export const SIGNATURE_TOLERANCE_S = 300;

/** HMAC over "<t>." and the body's exact bytes (text is taken as UTF-8). */
export function sign(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

export function signatureHeader(
  secret: string,
  body: string | Uint8Array,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${sign(secret, timestamp, body)}`;
}

function parse(value: string): { t?: number; v1: string[] } {
  const out: { t?: number; v1: string[] } = { v1: [] };
  for (const part of value.split(",")) {
    const [k, v] = part.trim().split("=", 2);
    if (k === "t" && v && /^\d{1,12}$/.test(v)) out.t = Number(v);
    else if (k === "v1" && v && /^[0-9a-f]{64}$/i.test(v)) out.v1.push(v.toLowerCase());
  }
  return out;
}

export function verifySignature(opts: {
  secrets: ReadonlyMap<string, string>;
  clientId: string | undefined;
  signature: string | undefined;
  body: string | Uint8Array;
  nowMs: number;
}): { ok: true; clientId: string } | { ok: false; reason: string } {
  const { clientId, signature } = opts;
  if (!clientId || !signature) return { ok: false, reason: "X-Client-Id and X-Signature are required" };
  const secret = opts.secrets.get(clientId);
  const parsed = parse(signature);
  if (parsed.t === undefined || parsed.v1.length === 0)
    return { ok: false, reason: "X-Signature must be t=<unix seconds>,v1=<hex HMAC-SHA256>" };
  if (Math.abs(opts.nowMs / 1000 - parsed.t) > SIGNATURE_TOLERANCE_S)
    return {
      ok: false,
      reason: `signature timestamp is more than ${SIGNATURE_TOLERANCE_S} s from the server clock`,
    };
  // compute even for an unknown client, so timing does not tell which client ids exist
  const expected = Buffer.from(sign(secret ?? "unknown-client", parsed.t, opts.body), "hex");
  const matches = parsed.v1.some((v) => timingSafeEqual(Buffer.from(v, "hex"), expected));
  if (!secret || !matches) return { ok: false, reason: "signature does not match" };
  return { ok: true, clientId };
}

export function signedRequest(
  credentials: () => Credentials | Promise<Credentials>,
  now: () => Date | Promise<Date>,
): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const result = verifySignature({
        secrets: await (await credentials()).webhookSecrets(),
        clientId: header(event, "x-client-id"),
        signature: header(event, "x-signature"),
        body: event.rawBytes ?? Buffer.alloc(0),
        nowMs: (await now()).getTime(),
      });
      if (!result.ok) throw unauthorized(result.reason);
      event.principal = { kind: "ingest", id: result.clientId };
    },
  };
}
