/** The middlewares of a signed JSON route (ingest, evaluate): size limit, signature over the raw bytes, JSON. */
import type { MiddlewareObj } from "@middy/core";
import type { HttpEvent, HttpResult } from "../http/api.ts";
import { jsonBody, rawBody } from "../http/body.ts";
import { signedRequest } from "../http/signature.ts";
import type { RuntimeSource } from "./runtime.ts";

export function signedJson(source: RuntimeSource): MiddlewareObj<HttpEvent, HttpResult>[] {
  return [
    rawBody(),
    signedRequest(
      async () => (await source()).credentials,
      async () => (await source()).platform.now(),
    ),
    jsonBody(),
  ];
}
