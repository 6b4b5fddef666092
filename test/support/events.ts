/** API Gateway (HTTP API v2) events for handler tests, signed like a real ingest client. */
import type { Context } from "aws-lambda";
import type { HttpEvent } from "../../functions/http/api.ts";
import { signatureHeader } from "../../functions/http/signature.ts";
import { AUDITOR_TOKEN, TEST_SECRETS } from "./runtime.ts";

export const lambdaContext = { awsRequestId: "test", functionName: "test" } as unknown as Context;

export function httpEvent(args: {
  method: "GET" | "POST";
  route: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  params?: Record<string, string>;
}): HttpEvent {
  return {
    version: "2.0",
    routeKey: `${args.method} ${args.route}`,
    rawPath: args.path ?? args.route,
    rawQueryString: new URLSearchParams(args.query ?? {}).toString(),
    headers: args.headers ?? {},
    queryStringParameters: args.query,
    pathParameters: args.params,
    body: args.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: "000000000000",
      apiId: "test",
      domainName: "test",
      domainPrefix: "test",
      http: {
        method: args.method,
        path: args.path ?? args.route,
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "test",
      },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: `${args.method} ${args.route}`,
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

/** A POST signed by `client` at `nowMs` (the handler's clock decides whether it is fresh). */
export function signedPost(
  route: string,
  body: string,
  opts: { client?: string; nowMs: number; secret?: string; query?: Record<string, string> },
) {
  const client = opts.client ?? "erp";
  const secret = opts.secret ?? TEST_SECRETS.get(client) ?? "none";
  return httpEvent({
    method: "POST",
    route,
    body,
    query: opts.query,
    headers: {
      "content-type": "application/json",
      "x-client-id": client,
      "x-signature": signatureHeader(secret, body, Math.floor(opts.nowMs / 1000)),
    },
  });
}

export function auditorGet(
  route: string,
  opts: {
    path?: string;
    query?: Record<string, string>;
    params?: Record<string, string>;
    token?: string;
  } = {},
) {
  return httpEvent({
    method: "GET",
    route,
    path: opts.path,
    query: opts.query,
    params: opts.params,
    headers: { authorization: `Bearer ${opts.token ?? AUDITOR_TOKEN}` },
  });
}
