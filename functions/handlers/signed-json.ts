/** The middlewares of a signed JSON route (ingest, evaluate): size limit, signature over the raw bytes, JSON. */
import type { MiddlewareObj } from "@middy/core";
import type { HttpEvent, HttpResult } from "../http/api.ts";
import { jsonBody, rawBody } from "../http/body.ts";
import { signedRequest } from "../http/signature.ts";
import type { RuntimeSource } from "./runtime.ts";
import { signedOrSignedIn } from "./signed-in.ts";

export function signedJson(
  source: RuntimeSource,
  opts: { orSignedIn?: boolean } = {},
): MiddlewareObj<HttpEvent, HttpResult>[] {
  const signed = signedRequest(
    async () => (await source()).credentials,
    async () => (await source()).platform.now(),
  );
  // POST /v1/evaluate also takes a reader's bearer (CONTRACT §2); ingest never does
  return [rawBody(), opts.orSignedIn ? signedOrSignedIn(source, signed) : signed, jsonBody()];
}
