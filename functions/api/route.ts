/**
 * What a route of the HTTP API is: one entry of the route table, the single source for the router
 * (functions/api/router.ts), API Gateway (infra/constructs/api.ts), the local server
 * (functions/local/http-server.ts) and the OpenAPI document (functions/api/openapi.ts).
 *
 * An entry says: method and path; the Lambda function it belongs to; who may call it (`access`);
 * the zod schemas of its path parameters, query and body (the router validates with them before
 * `serve` runs, so `serve` gets typed values); the answers it gives (with their schemas, in `doc`);
 * and `serve`, which calls the service that does the work.
 */
import type * as z from "zod";
import type { ResponseName } from "../../schemas/api-responses.ts";
import type { AnySchema } from "../../schemas/zod.ts";
import type { Access } from "../http/access.ts";
import type { HttpEvent } from "../http/api.ts";
import type { PolicyRuntime } from "../runtime/policy-runtime.ts";
import type { Runtime } from "../runtime/runtime.ts";

/** The Lambda functions that serve HTTP routes (each is a handlers/<name>.ts and one CDK function). */
export type FunctionName = "ingest" | "evaluate" | "auditor" | "cases" | "health" | "local";
/** The functions API Gateway routes to (the development issuer runs only under npm start). */
export type DeployedFunctionName = Exclude<FunctionName, "local">;

export type Json = { [key: string]: unknown };
export type SchemaIo = "input" | "output";

/** What `serve` answers: JSON (the default content type), or text or bytes (base64 on the wire) with their own headers. */
export type Answer =
  | { readonly status: number; readonly json: unknown; readonly headers?: Readonly<Record<string, string>> }
  | { readonly status: number; readonly text: string; readonly headers: Readonly<Record<string, string>> }
  | { readonly status: number; readonly bytes: Buffer; readonly headers: Readonly<Record<string, string>> };

/**
 * The runtime a route's work needs: the full Runtime (the stores) by default; the routes of a
 * function without tables (evaluate) need only the PolicyRuntime.
 */
export type AnyRuntime = PolicyRuntime;

export interface ServeInput<P, Q, B, R extends AnyRuntime = Runtime> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly event: HttpEvent;
  /** The process's runtime (built on first use: public routes never need it). */
  readonly runtime: () => Promise<R>;
}

// ---------------------------------------------------------------------------------------------
// The prose of the OpenAPI document, beside each route (functions/api/openapi.ts assembles it)

export interface ResponseDoc {
  readonly description: string;
  readonly content?: Record<string, Json>;
  readonly headers?: Record<string, Json>;
}

export interface ErrorExample {
  readonly code: string;
  readonly message: string;
  readonly issues?: readonly { path: string; message: string }[];
}

/** Helpers the generator hands to each route's `responses`. */
export interface DocContext {
  /**
   * a reference to a named (`.meta({ id })`) schema, in its answered (output) form by default; an
   * answer's shape by its id (schemas/api-responses.ts RESPONSES), so route modules, which Lambda
   * bundles import, never build the response schemas
   */
  readonly ref: (schema: z.core.$ZodType | ResponseName, io?: SchemaIo) => Json;
  readonly json: (description: string, schema: Json, examples?: Record<string, unknown>) => ResponseDoc;
  readonly error: (description: string, example?: ErrorExample) => ResponseDoc;
}

export interface RouteDoc {
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  /** path parameters by name: what each means and an example (their schemas are `params`) */
  readonly params?: Readonly<Record<string, { readonly description: string; readonly example: string }>>;
  /** query parameters without a description in their schema */
  readonly query?: Readonly<Record<string, string>>;
  /** what the body is (its schema is `body`) */
  readonly body?: string;
  /** every answer of this route; those of its access kind and of every route are added */
  readonly responses: (ctx: DocContext) => Record<number, ResponseDoc>;
}

// ---------------------------------------------------------------------------------------------

interface RouteSpec<P extends AnySchema, Q extends AnySchema, B extends AnySchema, R extends AnyRuntime> {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly fn: FunctionName;
  readonly access: Access;
  /** path parameters: a value that does not fit answers 404 `<notFound(raw params)> not found` */
  readonly params?: P;
  readonly notFound?: (params: Readonly<Record<string, string>>) => string;
  /**
   * whether what the path names exists, asked before the query and body are judged: an unknown
   * violation is 404 even with an invalid body (CONTRACT §6's order of checks)
   */
  readonly exists?: (params: z.output<P>, runtime: () => Promise<R>) => Promise<boolean>;
  readonly query?: Q;
  /** the JSON body (read, size-limited and parsed by the access middlewares) */
  readonly body?: B;
  /** what the body is called in a 400's message (`record is invalid: …`; default "request") */
  readonly bodyName?: string;
  /**
   * The query and body schemas in the company's time zone (org.yaml `timeZone`, known only once the
   * runtime is built) for routes that read dates (CONTRACT §8); the router validates with these
   * when given, `query` and `body` stay the documented form (default zone).
   */
  readonly zoned?: {
    readonly query?: (timeZone: string) => AnySchema;
    readonly body?: (timeZone: string) => AnySchema;
  };
  readonly doc: RouteDoc;
  readonly serve: (input: ServeInput<z.output<P>, z.output<Q>, z.output<B>, R>) => Promise<Answer>;
}

/** A route as the table holds it (its schemas' types erased), served with runtime `R`. */
export interface Route<R extends AnyRuntime = Runtime> {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly fn: FunctionName;
  readonly access: Access;
  readonly params?: AnySchema;
  readonly notFound?: (params: Readonly<Record<string, string>>) => string;
  readonly exists?: (params: unknown, runtime: () => Promise<R>) => Promise<boolean>;
  readonly query?: AnySchema;
  readonly body?: AnySchema;
  readonly bodyName?: string;
  /**
   * The query and body schemas in the company's time zone (org.yaml `timeZone`, known only once the
   * runtime is built) for routes that read dates (CONTRACT §8); the router validates with these
   * when given, `query` and `body` stay the documented form (default zone).
   */
  readonly zoned?: {
    readonly query?: (timeZone: string) => AnySchema;
    readonly body?: (timeZone: string) => AnySchema;
  };
  readonly doc: RouteDoc;
  readonly serve: (input: ServeInput<unknown, unknown, unknown, R>) => Promise<Answer>;
}

/**
 * Declares a route; `serve`'s input is typed from the schemas, its runtime from the table the
 * route is in (`Route<PolicyRuntime>[]` for a function without tables; the full Runtime otherwise).
 */
export function route<
  P extends AnySchema = AnySchema<Record<string, never>>,
  Q extends AnySchema = AnySchema<Record<string, never>>,
  B extends AnySchema = AnySchema<undefined>,
  R extends AnyRuntime = Runtime,
>(spec: RouteSpec<P, Q, B, R>): Route<R> {
  return spec as unknown as Route<R>;
}

export function routeKey(route: { readonly method: string; readonly path: string }): string {
  return `${route.method} ${route.path}`;
}

export const ok = (json: unknown): Answer => ({ status: 200, json });
