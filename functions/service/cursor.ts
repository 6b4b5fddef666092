/**
 * Opaque pagination cursors that cannot be forged or edited: the position is signed with
 * HMAC-SHA256 together with a digest of the query it belongs to, so a cursor is refused if
 * tampered with or used with other filters.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { canonicalJson } from "../core/canonical.ts";
import { DomainError } from "../core/errors.ts";

const INVALID = "cursor is invalid, tampered with, or belongs to another query";

export class InvalidCursorError extends DomainError<"invalid_cursor"> {
  constructor() {
    super("invalid_cursor", INVALID, { issues: [{ path: "cursor", message: INVALID }] });
  }
}

function digest(query: unknown): string {
  return createHash("sha256").update(canonicalJson(query)).digest("base64url").slice(0, 22);
}

export function signCursor(key: string, query: unknown, position: unknown): string {
  const body = Buffer.from(JSON.stringify({ q: digest(query), p: position })).toString("base64url");
  const mac = createHmac("sha256", key).update(body).digest("base64url");
  return `${body}.${mac}`;
}

export function verifyCursor<T>(key: string, query: unknown, cursor: string): T {
  const [body, mac, extra] = cursor.split(".");
  if (!body || !mac || extra !== undefined) throw new InvalidCursorError();
  const expected = createHmac("sha256", key).update(body).digest();
  const given = Buffer.from(mac, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidCursorError();
  let decoded: { q?: string; p?: T };
  try {
    decoded = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError();
  }
  if (decoded.q !== digest(query) || decoded.p === undefined) throw new InvalidCursorError();
  return decoded.p;
}
