/** The HTTP contract between API Gateway (HTTP API, payload v2) or the local server and our handlers. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { Caller } from "../core/authorization.ts";

/** Who a request can come from, once authenticated (see access.ts for who may call what). */
export type PrincipalKind = "ingest" | "person" | "reader";

export type HttpEvent = APIGatewayProxyEventV2 & {
  /** Set by the body middleware: the body's bytes exactly as received (what signatures cover). */
  rawBytes?: Buffer;
  /** Set by the JSON middleware. */
  jsonBody?: unknown;
  /** Set by the correlation middleware. */
  correlationId?: string;
  /** Set by the auth middlewares: who is calling. */
  principal?: { kind: PrincipalKind; id: string };
  /** Set by the sign-in middleware (people-auth.ts): the caller authorization judges. */
  caller?: Caller;
};

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(body),
  };
}

/** Header lookup that does not depend on the caller's capitalisation. */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === wanted) return value;
  return undefined;
}
