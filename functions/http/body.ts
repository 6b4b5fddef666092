/**
 * Middleware: the raw body (decoded from base64 when API Gateway sends it so) with a size limit,
 * then JSON. The bytes are kept as received because signatures cover exactly those bytes; text is
 * decoded strictly (invalid UTF-8 is a 400, never silently replaced).
 */
import type { MiddlewareObj } from "@middy/core";
import { firstDuplicateKey } from "../core/duplicate-keys.ts";
import { DomainError } from "../core/errors.ts";
import { formatPath } from "../core/issues.ts";
import { type HttpEvent, type HttpResult, header } from "./api.ts";

/**
 * CONTRACT §2: a body is `application/json` (a UTF-8 `charset` parameter allowed), an
 * `application/*+json` type, or sent without `Content-Type`; anything else is a 415 — a form,
 * text or XML body is never read as a record. The reason is undefined when the type is accepted.
 */
export function unsupportedMediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined || contentType.trim() === "") return undefined;
  const [type = "", ...params] = contentType.split(";").map((p) => p.trim().toLowerCase());
  if (type !== "application/json" && !/^application\/[a-z0-9!#$&^_.+-]+\+json$/.test(type))
    return `Content-Type ${type || "(empty)"} is not JSON: send application/json`;
  for (const param of params) {
    const [name, value = ""] = param.split("=", 2).map((x) => x.trim());
    if (name === "charset" && !/^"?utf-?8"?$/.test(value))
      return `charset ${value} is not accepted: JSON bodies are UTF-8`;
  }
  return undefined;
}

export const MAX_BODY_BYTES = 256 * 1024;

export function rawBody(maxBytes = MAX_BODY_BYTES): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const body = event.body ?? "";
      const bytes = event.isBase64Encoded ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
      if (bytes.length > maxBytes)
        throw new DomainError(
          "payload_too_large",
          `body is ${bytes.length} bytes; the limit is ${maxBytes} (256 KiB)`,
        );
      event.rawBytes = bytes;
    },
  };
}

export function jsonBody(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const mediaProblem = unsupportedMediaType(header(request.event, "content-type"));
      if (mediaProblem)
        throw new DomainError("unsupported_media_type", mediaProblem, {
          issues: [{ path: "Content-Type", message: mediaProblem }],
        });
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(request.event.rawBytes ?? Buffer.alloc(0));
      } catch (cause) {
        throw new DomainError("invalid_encoding", "the body is not valid UTF-8", { cause });
      }
      if (text.trim() === "") throw new DomainError("invalid_json", "the body is empty: send a JSON record");
      try {
        request.event.jsonBody = JSON.parse(text);
      } catch (cause) {
        throw new DomainError("invalid_json", `the body is not JSON: ${(cause as Error).message}`, {
          cause,
        });
      }
      const duplicate = firstDuplicateKey(text);
      if (duplicate) {
        const path = formatPath(duplicate);
        throw new DomainError("duplicate_key", `the key ${path} appears more than once`, {
          issues: [{ path, message: `duplicate key "${String(duplicate.at(-1))}": send each field once` }],
        });
      }
    },
  };
}
