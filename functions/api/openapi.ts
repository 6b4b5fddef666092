/**
 * The OpenAPI 3.1 document of the HTTP API (CONTRACT §2–§3), generated from the route table —
 * never kept by hand:
 * - paths: one operation per route of ROUTES (functions/api/routes.ts), with the route's own
 *   prose, its path parameters, query and body from its zod schemas, and the answers of its
 *   access kind and of every route (functions/api/openapi-prose.ts) added;
 * - components.schemas: every named zod schema (`.meta({ id })`) the operations refer to, through
 *   zod's public `z.toJSONSchema` (draft 2020-12, the dialect of OpenAPI 3.1): bodies in their
 *   input form, answers in their output form (a transform's output is read from
 *   `transformOutputs`, schemas/record.ts);
 * - limits (body size, signature tolerance, CSV rows and columns) come from the code that
 *   enforces them.
 * `npm run schemas` (scripts/generate-schemas.ts) writes schemas/openapi.json; GET /openapi.json
 * serves it; test/openapi checks it is current, valid (swagger-parser), lint-clean (Redocly) and
 * that real answers match it.
 */
import * as z from "zod";
import pkg from "../../package.json" with { type: "json" };
import { errorSchema, RESPONSES } from "../../schemas/api-responses.ts";
import { recordSchema, transformOutputs } from "../../schemas/record.ts";
import type { Access } from "../http/access.ts";
import {
  COMMON_RESPONSES,
  CORRELATION_ID_DESCRIPTION,
  infoDescription,
  KIB,
  PERSONAS,
  RECORD_EXAMPLE,
  SECURITY_SCHEMES,
} from "./openapi-prose.ts";
import type { DocContext, Json, ResponseDoc, Route, SchemaIo } from "./route.ts";
import { ROUTES, routeKey } from "./routes.ts";

// ---------------------------------------------------------------------------------------------
// zod → JSON Schema (draft 2020-12)

const REF_PREFIX = "#/components/schemas/";

/**
 * A transform's output type is unknown to zod ("unrepresentable"). Answers are described by their
 * output, so each transform reachable from one must say what it outputs (`transformOutputs`);
 * anything else fails generation, so the document never silently says "anything" where the API
 * answers something specific. test/openapi checks this against real parsed records.
 */
function toJsonSchema(schema: z.core.$ZodType, io: SchemaIo): Json {
  return z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: ({ zodSchema, path, message }) => {
      const output = transformOutputs.get(zodSchema as z.core.$ZodType)?.();
      if (!output)
        throw new Error(
          `${message} (at ${path.join(".") || "(root)"}, io ${io}): register its output in transformOutputs (schemas/record.ts)`,
        );
      const { $schema: _, ...json } = toJsonSchema(output, io);
      if ("$defs" in json) throw new Error(`transform output at ${path.join(".")} refers to named schemas`);
      return json;
    },
  }) as Json;
}

/** Replaces every `{"$ref": "#/$defs/X"}` with a reference into components.schemas. */
function rewriteRefs(value: unknown, name: (id: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, name));
  if (typeof value !== "object" || value === null) return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "$ref" && typeof v === "string") {
      if (!v.startsWith("#/$defs/")) throw new Error(`unexpected $ref ${v}`);
      out[key] = `${REF_PREFIX}${name(v.slice("#/$defs/".length))}`;
    } else out[key] = rewriteRefs(v, name);
  }
  return out;
}

/** Named schemas (`.meta({id})`) of each io, keyed by id; each named schema converted once. */
function namedSchemas(schemas: Iterable<z.core.$ZodType>, io: SchemaIo): Map<string, Json> {
  const named = new Map<string, Json>();
  for (const schema of schemas) {
    const { $defs, $ref, ...rest } = toJsonSchema(schema, io) as Json & {
      $defs?: Record<string, Json>;
      $ref?: string;
    };
    if (!$ref || !$defs || Object.keys(rest).some((k) => k !== "$schema"))
      throw new Error(`every top-level API schema needs .meta({ id }) (io ${io})`);
    for (const [id, json] of Object.entries($defs)) {
      const before = named.get(id);
      if (before && JSON.stringify(before) !== JSON.stringify(json))
        throw new Error(`two different ${io} schemas share the id ${id}`);
      named.set(id, json);
    }
  }
  return named;
}

interface Components {
  /** components.schemas */
  readonly schemas: Record<string, Json>;
  /** component name of a schema id in the given io (differs only when input and output differ) */
  readonly name: (id: string, io: SchemaIo) => string;
}

/**
 * components.schemas from the request (input) and response (output) schemas. A schema whose two
 * forms differ (Record: callers may send `null` and offsets, the API answers UTC and omits absent
 * fields) appears twice: `X` as sent, `XOutput` as answered.
 */
function buildComponents(used: Readonly<Record<SchemaIo, Set<z.core.$ZodType>>>): Components {
  const input = namedSchemas(used.input, "input");
  const output = namedSchemas(used.output, "output");
  const differs = (id: string) =>
    input.has(id) && output.has(id) && JSON.stringify(input.get(id)) !== JSON.stringify(output.get(id));
  const name = (id: string, io: SchemaIo) => (io === "output" && differs(id) ? `${id}Output` : id);
  const schemas: Record<string, Json> = {};
  for (const [io, named] of [
    ["input", input],
    ["output", output],
  ] as const) {
    for (const [id, json] of named) {
      const rewritten = rewriteRefs(json, (ref) => name(ref, io)) as Json;
      if (name(id, io) !== id)
        rewritten.description = `${json.description ? `${json.description}. ` : ""}As the API answers it (see ${id} for what callers send): timestamps in UTC, absent optional fields omitted, never null.`;
      schemas[name(id, io)] = rewritten;
    }
  }
  const sorted: Record<string, Json> = {};
  for (const key of Object.keys(schemas).sort()) sorted[key] = schemas[key] as Json;
  return { schemas: sorted, name };
}

const idOf = (schema: z.core.$ZodType): string => {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error("schema without .meta({ id })");
  return id;
};

// ---------------------------------------------------------------------------------------------
// The document

interface ParameterDoc {
  readonly name: string;
  readonly in: "path" | "query" | "header";
  readonly required: boolean;
  readonly description?: string;
  readonly schema: Json;
  readonly example?: unknown;
}

function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
}

function inputJson(schema: z.core.$ZodType): Json {
  const { $schema: _, ...json } = toJsonSchema(schema, "input");
  return json;
}

/** The helpers handed to the routes' docs; `refSchema` names a schema, `ref` also an answer's id. */
function docContext(refSchema: (schema: z.core.$ZodType, io?: SchemaIo) => Json): DocContext {
  const ref: DocContext["ref"] = (schema, io) =>
    refSchema(typeof schema === "string" ? RESPONSES[schema] : schema, io);
  return {
    ref,
    json: (description, schema, examples) => ({
      description,
      content: {
        "application/json": {
          schema,
          ...(examples
            ? { examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])) }
            : {}),
        },
      },
    }),
    error: (description, example) => ({
      description,
      content: {
        "application/json": {
          schema: ref(errorSchema),
          ...(example ? { example: { error: example } } : {}),
        },
      },
    }),
  };
}

/** Every answer a route can give: its own, its access kind's, every route's. */
function responsesOf(route: Route, ctx: DocContext): Record<number, ResponseDoc> {
  // a route's own answer for a status wins (e.g. /health's 503 body over the common 503 error)
  return { ...COMMON_RESPONSES(ctx), ...PERSONAS[route.access].responses(ctx), ...route.doc.responses(ctx) };
}

/** The named schemas the operations refer to, by form: bodies as sent, answers as answered. */
function usedSchemas(): Record<SchemaIo, Set<z.core.$ZodType>> {
  const used: Record<SchemaIo, Set<z.core.$ZodType>> = { input: new Set(), output: new Set() };
  const ctx = docContext((schema, io = "output") => {
    used[io].add(schema);
    return {};
  });
  for (const route of ROUTES) {
    if (route.body) used.input.add(route.body);
    responsesOf(route, ctx);
  }
  return used;
}

function parameters(route: Route): ParameterDoc[] {
  const out: ParameterDoc[] = [];
  const key = routeKey(route);
  const pathNames = pathParameterNames(route.path);
  const params = route.params
    ? ((inputJson(route.params).properties ?? {}) as Record<string, Json>)
    : ({} as Record<string, Json>);
  for (const name of pathNames) {
    const p = route.doc.params?.[name];
    const schema = params[name];
    if (!p || !schema)
      throw new Error(
        `${key}: path parameter {${name}} needs a schema (params) and a description (doc.params)`,
      );
    out.push({ name, in: "path", required: true, description: p.description, schema, example: p.example });
  }
  for (const name of new Set([...Object.keys(route.doc.params ?? {}), ...Object.keys(params)]))
    if (!pathNames.includes(name)) throw new Error(`${key}: no path parameter {${name}}`);
  if (route.query) {
    const json = inputJson(route.query) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = schema;
      const text = (description as string | undefined) ?? route.doc.query?.[name];
      out.push({
        name,
        in: "query",
        required: json.required?.includes(name) ?? false,
        ...(text ? { description: text } : {}),
        schema: rest,
      });
    }
  }
  if (route.access === "signed" || route.access === "reader")
    out.push({
      name: "X-Client-Id",
      in: "header",
      // a reader's call (a bearer) has none
      required: route.access === "signed",
      description:
        route.access === "signed"
          ? "the ingest client's id; selects the secret that `X-Signature` is checked with"
          : "a signed call: the ingest client's id, which selects the secret that `X-Signature` is checked with (a reader sends `Authorization` instead)",
      schema: { type: "string", minLength: 1 },
      example: "erp",
    });
  return out;
}

function operation(route: Route, ctx: DocContext): Json {
  const responses = responsesOf(route, ctx);
  const sortedResponses: Record<string, Json> = {};
  for (const status of Object.keys(responses).sort()) {
    const r = responses[Number(status)] as ResponseDoc;
    sortedResponses[status] = {
      description: r.description,
      headers: {
        "X-Correlation-Id": { $ref: "#/components/headers/CorrelationId" },
        ...(status === "401"
          ? {
              "WWW-Authenticate": {
                description: "`Bearer` (the platform's 401 answers always carry it)",
                schema: { type: "string" },
              },
            }
          : {}),
        ...r.headers,
      },
      ...(r.content ? { content: r.content } : {}),
    };
  }
  const persona = PERSONAS[route.access];
  return {
    operationId: route.doc.operationId,
    summary: route.doc.summary,
    description: route.doc.description,
    tags: [persona.tag],
    security: persona.security,
    parameters: [...parameters(route), { $ref: "#/components/parameters/CorrelationId" }],
    ...(route.body
      ? {
          requestBody: {
            required: true,
            description: `${route.doc.body ?? "The request."} At most ${KIB} KiB.`,
            content: {
              "application/json": {
                schema: ctx.ref(route.body, "input"),
                ...(route.body === recordSchema ? { example: RECORD_EXAMPLE } : {}),
              },
            },
          },
        }
      : {}),
    responses: sortedResponses,
  };
}

/** The OpenAPI 3.1.0 document of the HTTP API. */
export function buildOpenApi(): Json {
  const components = buildComponents(usedSchemas());
  const ctx = docContext((schema, io = "output") => ({
    $ref: `${REF_PREFIX}${components.name(idOf(schema), io)}`,
  }));

  const paths: Record<string, Record<string, Json>> = {};
  const usedAccess = new Set<Access>();
  for (const route of ROUTES) {
    usedAccess.add(route.access);
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, Json>)[route.method.toLowerCase()] = operation(route, ctx);
  }

  const usedSchemes = new Set(
    [...usedAccess].flatMap((a) => PERSONAS[a].security.flatMap((s) => Object.keys(s))),
  );
  const tags = (Object.keys(PERSONAS) as Access[])
    .filter((a) => usedAccess.has(a))
    .map((a) => ({ name: PERSONAS[a].tag, description: PERSONAS[a].tagDescription }));

  return {
    openapi: "3.1.0",
    info: {
      title: "Compliance platform API",
      version: pkg.version,
      summary: "Records in, policy violations out: the HTTP API of the compliance platform.",
      description: infoDescription(
        (Object.keys(PERSONAS) as Access[])
          .filter((a) => usedAccess.has(a) && a !== "public")
          .map((a) => `**${PERSONAS[a].tag}**: ${PERSONAS[a].tagDescription}`),
      ),
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    servers: [
      { url: "http://127.0.0.1:3000", description: "Local runtime (`npm start`; `PORT` changes the port)" },
      {
        url: "https://{apiId}.execute-api.{region}.amazonaws.com",
        // the variables' meanings live in the server's description: swagger-parser's OAS 3.1 schema
        // misspells the Server Variable `description` field (`descriptions`) and refuses it
        description:
          "AWS: the API Gateway URL the stack outputs; `apiId` is the HTTP API's id, `region` the region the stack is deployed in",
        variables: { apiId: { default: "abcde12345" }, region: { default: "eu-central-1" } },
      },
    ],
    tags,
    paths,
    components: {
      schemas: components.schemas,
      parameters: {
        CorrelationId: {
          name: "X-Correlation-Id",
          in: "header",
          required: false,
          description: `${CORRELATION_ID_DESCRIPTION} Optional.`,
          schema: { type: "string", maxLength: 128 },
        },
      },
      headers: {
        CorrelationId: {
          description: CORRELATION_ID_DESCRIPTION,
          schema: { type: "string" },
        },
      },
      securitySchemes: Object.fromEntries(
        Object.entries(SECURITY_SCHEMES).filter(([name]) => usedSchemes.has(name)),
      ),
    },
  };
}

/** The JSON text of schemas/openapi.json: stable formatting. */
export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApi(), null, 2)}\n`;
}
