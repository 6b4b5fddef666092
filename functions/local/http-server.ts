/**
 * The local stand-in for API Gateway (HTTP API, payload format 2.0): turns each request into the
 * event API Gateway would send, calls the same handler Lambda runs, and writes its answer back.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Context } from "aws-lambda";
import { type FunctionName, matchPath, ROUTES, routeKey } from "../api/routes.ts";
import { DomainError, type ErrorCode, httpOutcome } from "../core/errors.ts";
import type { HttpEvent, HttpResult } from "../http/api.ts";
import { errorBody } from "../http/errors.ts";
import { type ConsoleFiles, isConsolePath, serveConsole } from "./console-files.ts";
import type { GiveWay } from "./give-way.ts";

export type Handlers = Record<FunctionName, (event: HttpEvent, context: Context) => Promise<HttpResult>>;

/** API Gateway refuses payloads over 10 MB before any function runs; so do we (with less). */
const MAX_REQUEST_BYTES = 1024 * 1024;

/** The server's own refusals (no route, too large, its own failure), shaped and mapped as the handlers' are. */
function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  issues?: readonly { path: string; message: string }[],
) {
  const { status, headers } = httpOutcome(code);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(errorBody(new DomainError(code, message, issues ? { issues } : {}))));
}

function context(requestId: string): Context {
  return {
    awsRequestId: requestId,
    functionName: "local",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:local:000000000000:function:local",
    memoryLimitInMB: "512",
    logGroupName: "local",
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Past this much, a too-large body is no longer drained: the connection is dropped instead. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer | "too_large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  // read to the end even when too large (discarding), so the 413 reaches the client and the
  // kept-alive connection stays usable; leaving the loop early would destroy the socket
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk as Buffer);
    else if (size > MAX_DRAIN_BYTES) break;
  }
  return size > MAX_REQUEST_BYTES ? "too_large" : Buffer.concat(chunks);
}

export function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  key: string,
  params: Record<string, string>,
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  // a plain map: `?__proto__=1` must be a parameter like any other (then refused), never the
  // object's prototype (silently dropped)
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of url.searchParams)
    query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
  const requestId = randomUUID();
  const now = new Date();
  // path and query exactly as sent (v2 signatures cover them), as API Gateway's rawPath/rawQueryString
  const sent = req.url?.startsWith("/") ? req.url : `${url.pathname}${url.search}`;
  const q = sent.indexOf("?");
  return {
    version: "2.0",
    routeKey: key,
    rawPath: q < 0 ? sent : sent.slice(0, q),
    rawQueryString: q < 0 ? "" : sent.slice(q + 1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(params).length ? params : undefined,
    body: body.length ? body.toString("base64") : undefined,
    isBase64Encoded: body.length > 0,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: url.host,
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId,
      routeKey: key,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

/** A Host header as RFC 9110 allows it: a name or address, and an optional port. */
const VALID_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export function startHttpServer(
  handlers: Handlers,
  port: number,
  host = "127.0.0.1",
  consoleFiles?: ConsoleFiles,
  /** Counts the requests in flight, for the stream readers to give way to (give-way.ts). */
  giveWay?: GiveWay,
): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (giveWay) res.once("close", giveWay.begin());
    try {
      // the caller's Host is data, never trusted to parse the path with (an invalid one was a 500)
      const given = req.headers.host;
      if (given !== undefined && !VALID_HOST.test(given))
        return sendError(res, "invalid_header", "the Host header is not a valid host name or address", [
          { path: "Host", message: "must be a host name or address, optionally with :port" },
        ]);
      const url = new URL(req.url ?? "/", `http://${given ?? host}`);
      // the web console's static files (not an API route: CloudFront serves them from S3 on AWS)
      if (consoleFiles && isConsolePath(url.pathname)) return serveConsole(consoleFiles, req, res, url);
      const candidates = ROUTES.filter((r) => matchPath(r.path, url.pathname) !== undefined);
      const route = candidates.find((r) => r.method === req.method);
      if (!route) {
        if (candidates.length > 0)
          return sendError(res, "method_not_allowed", `${req.method} is not allowed here`);
        return sendError(res, "not_found", `no route ${req.method} ${url.pathname}`);
      }
      const body = await readBody(req);
      if (body === "too_large") return sendError(res, "payload_too_large", "request body too large");
      const event = toEvent(req, url, body, routeKey(route), matchPath(route.path, url.pathname) ?? {});
      const result = await handlers[route.fn](event, context(event.requestContext.requestId));
      const responseBody = result.body ?? "";
      res.writeHead(result.statusCode, result.headers as Record<string, string>);
      res.end(result.isBase64Encoded ? Buffer.from(responseBody, "base64") : responseBody);
    } catch {
      // the handlers answer their own errors; this is the server failing, never internals
      if (!res.headersSent) sendError(res, "internal_error", "internal error");
      else res.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
