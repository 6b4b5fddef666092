/**
 * Middleware: the raw body (decoded from base64 when API Gateway sends it so) with a size limit,
 * then JSON. The bytes are kept as received because signatures cover exactly those bytes; text is
 * decoded strictly (invalid UTF-8 is a 400, never silently replaced).
 */
import type { MiddlewareObj } from "@middy/core";
import { DomainError } from "../core/errors.ts";
import type { HttpEvent, HttpResult } from "./api.ts";

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
    },
  };
}
