/**
 * The OpenAPI 3.1 document of the HTTP API (CONTRACT §2–§3), generated — never kept by hand:
 * - components.schemas come from the zod schemas (schemas/api.ts, schemas/record.ts) through
 *   `z.toJSONSchema` (draft 2020-12, the dialect of OpenAPI 3.1): request bodies in their input
 *   form, responses in their output form;
 * - paths come from ROUTES (functions/http/routes.ts), so a route added there without a
 *   description here fails generation instead of going undocumented;
 * - limits (body size, signature tolerance, CSV rows and columns) are imported from the code that
 *   enforces them.
 * `npm run schemas` writes schemas/openapi.json; GET /openapi.json serves it; test/openapi checks it
 * is current, valid (swagger-parser), lint-clean (Redocly) and that real answers match it.
 */
import * as z from "#zod";
import { CSV_COLUMNS, CSV_MAX_ROWS } from "../functions/handlers/violations-csv.ts";
import { MAX_BODY_BYTES } from "../functions/http/body.ts";
import { type Access, ROUTES, type RouteDefinition, routeKey } from "../functions/http/routes.ts";
import { SIGNATURE_TOLERANCE_S } from "../functions/http/signature.ts";
import pkg from "../package.json" with { type: "json" };
import {
  auditVerifySchema,
  caseActionSchema,
  complaintReportQuerySchema,
  complaintReportSchema,
  errorSchema,
  evaluateQuerySchema,
  evaluationSchema,
  healthSchema,
  ingestAcceptedSchema,
  ingestStaleSchema,
  peopleListSchema,
  personViewSchema,
  policyListSchema,
  recordResponseSchema,
  signInRequestSchema,
  signInSchema,
  storedViolationSchema,
  violationListSchema,
  violationQuerySchema,
} from "./api.ts";
import { RECORD_ID_PATTERN, RECORD_TYPES, recordSchema, timestamp } from "./record.ts";

export type Json = { [key: string]: unknown };
type Io = "input" | "output";

// ---------------------------------------------------------------------------------------------
// Shapes that are not ours but are answered on AWS, and the document itself.

/** What API Gateway itself answers (a refused JWT, throttling) before any of our functions runs. */
export const gatewayErrorSchema = z
  .object({ message: z.string().meta({ description: 'e.g. "Unauthorized", "Too Many Requests"' }) })
  .meta({
    id: "GatewayError",
    description: "An answer of API Gateway itself (AWS only), not of the platform: it has no `error` object.",
  });

export const openApiDocumentSchema = z
  .looseObject({
    openapi: z.literal("3.1.0"),
    info: z.looseObject({ title: z.string(), version: z.string() }),
  })
  .meta({ id: "OpenApiDocument", description: "This document (OpenAPI 3.1)." });

/** Schemas that describe what callers send (converted with io "input"). */
const REQUEST_SCHEMAS: readonly z.ZodType[] = [recordSchema, caseActionSchema, signInRequestSchema];
/** Schemas that describe what the API answers (converted with io "output"). */
const RESPONSE_SCHEMAS: readonly z.ZodType[] = [
  errorSchema,
  gatewayErrorSchema,
  healthSchema,
  openApiDocumentSchema,
  ingestAcceptedSchema,
  ingestStaleSchema,
  evaluationSchema,
  violationListSchema,
  storedViolationSchema,
  recordResponseSchema,
  policyListSchema,
  auditVerifySchema,
  complaintReportSchema,
  personViewSchema,
  peopleListSchema,
  signInSchema,
];

// ---------------------------------------------------------------------------------------------
// zod → JSON Schema (draft 2020-12)

const REF_PREFIX = "#/components/schemas/";

type AnyZod = z.core.$ZodType;
const def = (s: AnyZod) => s._zod.def as unknown as Record<string, unknown> & { type: string };
const isZod = (v: unknown): v is AnyZod => typeof v === "object" && v !== null && "_zod" in v;

/** Every zod schema reachable from `root` (object shapes, unions, wrappers, pipes, …). */
function walk(root: AnyZod, visit: (s: AnyZod) => void, seen = new Set<AnyZod>()): void {
  if (seen.has(root)) return;
  seen.add(root);
  visit(root);
  for (const value of Object.values(def(root))) {
    const children = Array.isArray(value)
      ? value
      : isZod(value)
        ? [value]
        : typeof value === "object" && value !== null
          ? Object.values(value)
          : [];
    for (const child of children) if (isZod(child)) walk(child, visit, seen);
  }
}

/** The transform inside `timestamp` (record.ts): `new Date(s).toISOString()`. */
const timestampTransform = def(timestamp).out;

/**
 * A transform's output type is unknown to zod ("unrepresentable"). Responses are described by
 * their output, so each transform reachable from a response must be one whose output we know:
 * - `timestamp`: `toISOString()`, i.e. a UTC date-time with milliseconds;
 * - a nullish field piped into a transform (record.ts `optional()`: `null` → absent): the inner
 *   schema's output (absence is the enclosing `.optional()`'s business).
 * test/openapi checks this against real parsed records. Anything else fails generation, so the
 * document never silently says "anything" where the API answers something specific.
 */
function knownTransformOutputs(root: AnyZod): Map<AnyZod, AnyZod> {
  const known = new Map<AnyZod, AnyZod>();
  walk(root, (s) => {
    const d = def(s);
    if (d.type !== "pipe" || !isZod(d.out) || def(d.out).type !== "transform" || !isZod(d.in)) return;
    if (d.out === timestampTransform) {
      known.set(d.out, z.iso.datetime({ precision: 3 }));
      return;
    }
    let inner: AnyZod = d.in;
    let nullable = false;
    while (def(inner).type === "optional" || def(inner).type === "nullable") {
      nullable ||= def(inner).type === "nullable";
      inner = def(inner).innerType as AnyZod;
    }
    if (nullable) known.set(d.out, inner);
  });
  return known;
}

function toJsonSchema(schema: AnyZod, io: Io): Json {
  const known = io === "output" ? knownTransformOutputs(schema) : new Map<AnyZod, AnyZod>();
  return z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: ({ zodSchema, path, message }) => {
      const output = known.get(zodSchema);
      if (!output)
        throw new Error(
          `${message} (at ${path.join(".") || "(root)"}, io ${io}): describe its output in schemas/openapi.ts`,
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
function namedSchemas(schemas: readonly AnyZod[], io: Io): Map<string, Json> {
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

export interface Components {
  /** components.schemas */
  readonly schemas: Record<string, Json>;
  /** component name of a schema id in the given io (differs only when input and output differ) */
  readonly name: (id: string, io: Io) => string;
}

/**
 * components.schemas from the request (input) and response (output) schemas. A schema whose two
 * forms differ (Record: callers may send `null` and offsets, the API answers UTC and omits absent
 * fields) appears twice: `X` as sent, `XOutput` as answered.
 */
export function buildComponents(): Components {
  const input = namedSchemas(REQUEST_SCHEMAS, "input");
  const output = namedSchemas(RESPONSE_SCHEMAS, "output");
  const differs = (id: string) =>
    input.has(id) && output.has(id) && JSON.stringify(input.get(id)) !== JSON.stringify(output.get(id));
  const name = (id: string, io: Io) => (io === "output" && differs(id) ? `${id}Output` : id);
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

const idOf = (schema: z.ZodType): string => {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error("schema without .meta({ id })");
  return id;
};

// ---------------------------------------------------------------------------------------------
// Operations

interface ResponseDoc {
  readonly description: string;
  readonly content?: Record<string, Json>;
  readonly headers?: Record<string, Json>;
}

interface ParameterDoc {
  readonly name: string;
  readonly in: "path" | "query" | "header";
  readonly required: boolean;
  readonly description?: string;
  readonly schema: Json;
  readonly example?: unknown;
}

interface OperationDoc {
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  /** path parameters by name: a zod schema (converted, input form) and what it means */
  readonly pathParameters?: Record<string, { schema: z.ZodType; description: string; example: string }>;
  /** query parameters: a strict zod object, one parameter per property */
  readonly query?: z.ZodObject;
  readonly queryDescriptions?: Record<string, string>;
  /** the request body (application/json), in its input form */
  readonly body?: { schema: z.ZodType; description: string };
  readonly responses: (ctx: DocContext) => Record<number, ResponseDoc>;
}

interface DocContext {
  readonly ref: (schema: z.ZodType, io?: Io) => Json;
  readonly json: (description: string, schema: Json, examples?: Record<string, unknown>) => ResponseDoc;
  readonly error: (
    description: string,
    example?: { code: string; message: string; issues?: { path: string; message: string }[] },
  ) => ResponseDoc;
}

/** A validation failure exactly as the API answers it (zod's message for `amount: 0`). */
const ISSUES_EXAMPLE = [{ path: "data.amount", message: "Too small: expected number to be >0" }];

const RECORD_EXAMPLE = {
  type: "expense",
  id: "EXP-2026-0001",
  revision: 3,
  occurredAt: "2026-03-01T08:00:00Z",
  source: "erp",
  data: {
    department: "marketing",
    applicant: "a.wu",
    category: "travel",
    amount: 12000,
    currency: "CNY",
    budget: { lineId: "MKT-2026-TRAVEL", remaining: 8000 },
    attachments: 1,
    status: "submitted",
    submittedAt: "2026-03-01T08:00:00Z",
    approvals: [],
  },
};

const KIB = MAX_BODY_BYTES / 1024;

const OPERATIONS: Readonly<Record<string, OperationDoc>> = {
  "GET /health": {
    operationId: "getHealth",
    summary: "Liveness check",
    description: "Answers 200 while the function can serve; it does not touch DynamoDB.",
    responses: ({ ref, json }) => ({ 200: json("The platform serves requests.", ref(healthSchema)) }),
  },
  "GET /openapi.json": {
    operationId: "getOpenApi",
    summary: "This OpenAPI document",
    description: "The published description of the API (generated from the code's own schemas).",
    responses: ({ ref, json }) => ({ 200: json("The OpenAPI 3.1 document.", ref(openApiDocumentSchema)) }),
  },
  "POST /v1/records": {
    operationId: "ingestRecord",
    summary: "Send a record revision (signed webhook)",
    description: [
      "Stores one revision of a business record; evaluation against the policies in force at its `occurredAt` follows asynchronously and its violations appear under `/v1/violations`.",
      "",
      "**Idempotent**: the key is (`type`, `id`, `revision`). Re-sending the same revision with the same body answers 200 `duplicate: true` and changes nothing, so retries after a timeout are safe. The same revision with a different body is a 409 `revision_conflict` (send a new revision). A revision lower than the latest stored one is stale: 200 `stale: true`, not stored, never overwrites. Bodies are compared after parsing (key order, whitespace, timestamp offsets and `null` optional fields do not make a difference).",
      "",
      `Nothing is stored on any refusal (400, 401, 409, 413). The signature covers the raw body bytes exactly as sent.`,
    ].join("\n"),
    body: { schema: recordSchema, description: "One revision of a business record (CONTRACT §1)." },
    responses: ({ ref, json, error }) => ({
      202: json("Accepted: a new revision, stored; evaluation follows.", ref(ingestAcceptedSchema), {
        accepted: { key: "expense/EXP-2026-0001", revision: 3, duplicate: false },
      }),
      200: json(
        "Already known: the same revision with the same body (`duplicate: true`), or an older revision than the stored one (`stale: true`). Nothing changes.",
        { oneOf: [ref(ingestAcceptedSchema), ref(ingestStaleSchema)] },
        {
          duplicate: { key: "expense/EXP-2026-0001", revision: 3, duplicate: true },
          stale: { key: "expense/EXP-2026-0001", revision: 2, duplicate: false, stale: true },
        },
      ),
      400: error(
        "`validation_failed` (the record breaks CONTRACT §1; every problem in `issues`) or `invalid_json`.",
        {
          code: "validation_failed",
          message: "record is invalid: 1 issue(s)",
          issues: ISSUES_EXAMPLE,
        },
      ),
      409: error("`revision_conflict`: this revision is already stored with a different body.", {
        code: "revision_conflict",
        message:
          "expense/EXP-2026-0001 revision 3 is already stored with a different body; send a new revision",
      }),
    }),
  },
  "POST /v1/evaluate": {
    operationId: "evaluateRecord",
    summary: "Dry run: evaluate a record without storing it",
    description:
      "The same validation and evaluation as `POST /v1/records`, with nothing stored: which policy versions apply and which violations the record would raise at the evaluation time. Signed like ingest, or called by a reader (CONTRACT §6): a signed-in person (`Authorization: Bearer <ID token>`) or the machine reader; a request with `X-Signature` or `X-Client-Id` is judged as signed.",
    query: evaluateQuerySchema,
    body: { schema: recordSchema, description: "The record to evaluate (CONTRACT §1)." },
    responses: ({ ref, json, error }) => ({
      200: json("The evaluation.", ref(evaluationSchema)),
      400: error(
        "`validation_failed` (the record or `at` is invalid; every problem in `issues`) or `invalid_json`.",
      ),
    }),
  },
  "GET /v1/violations": {
    operationId: "listViolations",
    summary: "List violations (JSON pages or a CSV export)",
    description: [
      "Violations matching every given filter, oldest first (by `detectedAt`, then `id`). JSON answers are pages of at most `limit` items; pass `nextCursor` back as `cursor` for the next page (`null`: no more).",
      "",
      `With \`format=csv\`, or \`Accept: text/csv\` and no \`format\`, the same query is answered as CSV (RFC 4180, CRLF, a header row, one row per violation) stopping after the page that reaches ${CSV_MAX_ROWS} rows; when more match, the \`X-Next-Cursor\` header carries the cursor that continues the export.`,
      "",
      "Unknown query parameters are refused (400), so a misspelt filter never silently widens the result.",
      "",
      "Who sees what (CONTRACT §6): auditors and the machine reader list every violation; for any other person a list without `assignee` is their queue (`assignee=me`), and another person's queue is 403 `not_assigned`. `assignee=me` needs a signed-in person (the machine reader: 400).",
    ].join("\n"),
    query: violationQuerySchema,
    queryDescriptions: {
      status: "only violations in this status",
      area: "policy area, e.g. approval-limits",
      policyId: "only violations of this policy",
      ruleId: "only violations of this rule",
      recordType: "only violations of records of this type",
      recordId: "only violations of this record (caller's id)",
      assigneeRole: "only violations assigned to this role",
      assignee: "only violations assigned to this person (escalations included); `me`: the signed-in person",
      limit: "page size (JSON); ignored by CSV exports, which return every match up to the row cap",
      cursor: "`nextCursor` of the previous page, or `X-Next-Cursor` of the previous CSV answer",
      format: "`csv` for a CSV export (same as `Accept: text/csv`); default JSON",
    },
    responses: ({ ref, json, error }) => ({
      200: {
        ...json("One page of violations (JSON), or the CSV export.", ref(violationListSchema)),
        content: {
          "application/json": { schema: ref(violationListSchema) },
          "text/csv": {
            schema: {
              type: "string",
              description: `RFC 4180 CSV with the header row \`${CSV_COLUMNS.join(",")}\`; \`assignees\` as \`role:person|person;…\`, \`evidence\` as JSON.`,
            },
            example: `${CSV_COLUMNS.join(",")}\r\n`,
          },
        },
        headers: {
          "X-Next-Cursor": {
            description: `CSV only, when more rows match than one answer holds (about ${CSV_MAX_ROWS}): send it as \`cursor\` with the same query to continue the export.`,
            schema: { type: "string" },
          },
          "Content-Disposition": {
            description: 'CSV only: `attachment; filename="violations.csv"`.',
            schema: { type: "string" },
          },
        },
      },
      400: error(
        "`validation_failed` (an unknown or invalid filter) or `invalid_cursor` (a cursor that was altered, or belongs to another query).",
        {
          code: "invalid_cursor",
          message: "the cursor is invalid",
        },
      ),
    }),
  },
  "GET /v1/violations/{id}": {
    operationId: "getViolation",
    summary: "One violation with its history",
    description:
      "The violation and every status change it went through (`history`: `status`, `at`, `by`, `reason`). Auditors and the machine reader read any violation; another person only one assigned to them (else 403 `not_assigned`).",
    pathParameters: {
      id: {
        schema: z.string(),
        description:
          "violation id: 32 lowercase hex digits derived from record type, record id, policyId and ruleId",
        example: "3f6b0c9e2d4a4b1c8e7f6a5b4c3d2e1f",
      },
    },
    responses: ({ ref, json, error }) => ({
      200: json("The violation.", ref(storedViolationSchema)),
      404: error("`not_found`: no violation has this id.", {
        code: "not_found",
        message: "violation 3f6b… not found",
      }),
    }),
  },
  "GET /v1/records/{type}/{id}": {
    operationId: "getRecord",
    summary: "The latest stored revision of a record",
    description:
      "The latest stored envelope (normalised: timestamps in UTC, `null` optional fields dropped) and every stored revision number.",
    pathParameters: {
      type: {
        schema: z.enum(RECORD_TYPES),
        description: "record type (another value: 404)",
        example: "expense",
      },
      id: {
        schema: z.string().regex(RECORD_ID_PATTERN),
        description: "the caller's record id",
        example: "EXP-2026-0001",
      },
    },
    responses: ({ ref, json, error }) => ({
      200: json("The record and its revisions.", ref(recordResponseSchema)),
      404: error("`not_found`: no record of this type and id is stored."),
    }),
  },
  "GET /v1/policies": {
    operationId: "listPolicies",
    summary: "Every loaded policy version",
    description: "Every policy version the platform has loaded, with the SHA-256 of its file's bytes.",
    responses: ({ ref, json }) => ({ 200: json("The loaded policy versions.", ref(policyListSchema)) }),
  },
  "GET /v1/audit/verify": {
    operationId: "verifyAuditTrail",
    summary: "Verify the tamper-evident audit trail",
    description:
      "Re-reads every hash-chained audit entry and every signed digest and checks them. `ok: true` when the trail is intact; otherwise `firstBad` names the first modified, missing (deleted), inserted or reordered entry (lowest chain, then sequence). Both answers are 200: the check itself succeeded.",
    responses: ({ ref, json }) => ({ 200: json("The verification result.", ref(auditVerifySchema)) }),
  },
  "GET /v1/reports/complaints": {
    operationId: "complaintReport",
    summary: "Complaints received in a period, by category, with the satisfaction deduction",
    description:
      "Counts the complaints received in [from, to] (each once, as its latest revision describes it) by category, and the satisfaction deduction in percentage points: 0.2 per full 10 ordinary complaints (general, service, quality) plus 50 per legal or media complaint (seed 003, 4.1.3), in exact decimal arithmetic.",
    query: complaintReportQuerySchema,
    responses: ({ ref, json, error }) => ({
      200: json("The report.", ref(complaintReportSchema)),
      400: error("`validation_failed`: `from` or `to` missing or not a timestamp, or `from` after `to`."),
    }),
  },
  "GET /v1/me": {
    operationId: "getMe",
    summary: "Who is signed in",
    description:
      "The signed-in person as the directory (`policies/org.yaml`) knows them, with every role they hold. The machine reader is nobody: 403 `not_a_person`.",
    responses: ({ ref, json, error }) => ({
      200: json("The signed-in person.", ref(personViewSchema)),
      403: error("`not_a_person`: the machine reader asked."),
    }),
  },
  "GET /.well-known/openid-configuration": {
    operationId: "getOpenIdConfiguration",
    summary: "The development issuer's discovery document",
    description: "OpenID Connect discovery: `issuer` (this server's URL) and `jwks_uri`. Local runtime only.",
    responses: ({ json }) => ({ 200: json("The discovery document.", { type: "object" }) }),
  },
  "GET /.well-known/jwks.json": {
    operationId: "getJwks",
    summary: "The development issuer's public keys",
    description:
      "The JWKS its ID tokens are verified against (a key pair made at each start). Local runtime only.",
    responses: ({ json }) => ({ 200: json("The JSON Web Key Set.", { type: "object" }) }),
  },
  "GET /local/people": {
    operationId: "listLocalPeople",
    summary: "The directory, for a sign-in picker",
    description: "Every person of `policies/org.yaml`, with their roles. Local runtime only.",
    responses: ({ ref, json }) => ({ 200: json("The people.", ref(peopleListSchema)) }),
  },
  "POST /local/sign-in": {
    operationId: "localSignIn",
    summary: "Sign in as anyone of the directory (development only)",
    description:
      "An ID token for the person, without a password: `npm start` is its own development issuer and is never deployed. Send it as `Authorization: Bearer <token>`.",
    body: { schema: signInRequestSchema, description: "the person to sign in as." },
    responses: ({ ref, json, error }) => ({
      200: json("The token and who it names.", ref(signInSchema)),
      400: error("`validation_failed`: no `person`, or nobody of the directory has this id."),
    }),
  },
  ...Object.fromEntries(
    (
      [
        ["acknowledge", "acknowledgeViolation", "open → acknowledged", ""],
        [
          "waive",
          "waiveViolation",
          "open or acknowledged → waived, until `until` (in the future), when the sweeper reopens it",
          " The person whose action the record reports (its applicant, salesperson or actor) cannot waive it, assigned or not: 403 `separation_of_duties`.",
        ],
        ["reopen", "reopenViolation", "acknowledged, waived or resolved → open, with a new dueAt", ""],
      ] as const
    ).map(([action, operationId, transition, extra]): [string, OperationDoc] => [
      `POST /v1/violations/{id}/${action}`,
      {
        operationId,
        summary: `${action[0]?.toUpperCase()}${action.slice(1)} a violation`,
        description: `${transition}. The change is appended to \`history\` with \`by\` = the signed-in person and the \`reason\`. Checked in this order (CONTRACT §6): 401, 404, 400, 403 \`actor_mismatch\` (a \`by\` that is not the caller), 403 \`separation_of_duties\`, 403 \`not_assigned\` (acknowledge and waive: the caller is not among the assignees' people, escalated roles included; reopen: neither assigned nor an auditor; the machine reader never acts), 409.${extra}`,
        pathParameters: {
          id: {
            schema: z.string(),
            description: "violation id (32 lowercase hex digits)",
            example: "3f6b0c9e2d4a4b1c8e7f6a5b4c3d2e1f",
          },
        },
        body: {
          schema: caseActionSchema,
          description: "why (`until`: waive only; `by`: optional, the caller)",
        },
        responses: ({ ref, json, error }) => ({
          200: json("The updated violation.", ref(storedViolationSchema)),
          400: error(
            "`validation_failed`: no `reason`, or (waive) no `until` in the future; `invalid_json`.",
            {
              code: "validation_failed",
              message: "request is invalid: 1 issue(s)",
              issues: [{ path: "reason", message: "a reason is required" }],
            },
          ),
          403: error(
            "`actor_mismatch`: `by` is not the signed-in person; `separation_of_duties`: the record names the caller as the one who acted (waive); `not_assigned`: the caller may not act on this violation; `forbidden`: an ingest signature instead of a bearer.",
            {
              code: "not_assigned",
              message: 'this violation is not assigned to "cs.liu", who may not acknowledge it',
            },
          ),
          404: error("`not_found`: no violation has this id."),
          409: error("`transition_not_allowed`: the violation's status does not allow this action.", {
            code: "transition_not_allowed",
            message: "cannot reopen a violation that is open",
          }),
        }),
      },
    ]),
  ),
};

// ---------------------------------------------------------------------------------------------
// Personas: security and the answers every route of a kind can give

interface Persona {
  readonly tag: string;
  readonly tagDescription: string;
  readonly security: readonly Record<string, string[]>[];
  readonly responses: (ctx: DocContext) => Record<number, ResponseDoc>;
}

const PERSONAS: Readonly<Record<Access, Persona>> = {
  public: {
    tag: "Public",
    tagDescription: "No credentials needed.",
    security: [],
    responses: () => ({}),
  },
  signed: {
    tag: "Ingest clients",
    tagDescription:
      "Source systems (ERP, CRM, ticketing) that send records. Each request is signed with the client's secret (`webhookSignature`).",
    security: [{ webhookSignature: [] }],
    responses: ({ error }) => ({
      401: error(
        `\`unauthorized\`: \`X-Client-Id\` or \`X-Signature\` missing or malformed, an unknown client, a signature that does not match the raw body, or a timestamp more than ${SIGNATURE_TOLERANCE_S} s from the server clock. Nothing is stored.`,
        { code: "unauthorized", message: "signature does not match" },
      ),
      413: error(`\`payload_too_large\`: the body exceeds ${KIB} KiB. Nothing is stored.`),
    }),
  },
  auditor: {
    tag: "Auditors",
    tagDescription:
      "Reading what only auditors read (stored records, policies, the audit trail, reports): a signed-in person of the `auditor` role (`signIn`), or the machine reader (`machineReader`).",
    security: [{ signIn: [] }, { machineReader: [] }],
    responses: ({ ref, error }) => ({
      401: error(
        "`unauthorized`: no bearer, or a token that is expired, of another issuer or audience, badly signed, of a refused algorithm or unknown key id, or naming nobody in the directory.",
        { code: "unauthorized", message: "the token has expired" },
      ),
      403: {
        description:
          "`not_auditor`: a signed-in person who does not hold the `auditor` role; `forbidden`: an ingest signature instead of a bearer. On AWS, API Gateway's own 401/403 when its JWT authorizer refuses the token.",
        content: { "application/json": { schema: { oneOf: [ref(errorSchema), ref(gatewayErrorSchema)] } } },
      },
    }),
  },
  person: {
    tag: "People",
    tagDescription:
      "Everyone a violation is assigned to, and auditors: they sign in (OpenID Connect) and send `Authorization: Bearer <ID token>` (`signIn`); what each may read and do is CONTRACT §6 (auditors read everything, others what is assigned to them; people act only as themselves). The machine reader (`machineReader`) reads what an auditor reads and never acts.",
    security: [{ signIn: [] }, { machineReader: [] }],
    responses: ({ ref, error }) => ({
      401: error(
        "`unauthorized`: no bearer, or a token that is expired, of another issuer or audience, badly signed, of a refused algorithm or unknown key id, or naming nobody in the directory.",
        { code: "unauthorized", message: "the token names nobody in the directory" },
      ),
      403: {
        description:
          "`not_assigned`: the violation (or the queue) is not the caller's; `forbidden`: an ingest signature instead of a bearer. On AWS, API Gateway's own 401/403 when its JWT authorizer refuses the token.",
        content: { "application/json": { schema: { oneOf: [ref(errorSchema), ref(gatewayErrorSchema)] } } },
      },
    }),
  },
  local: {
    tag: "Local development issuer",
    tagDescription:
      "`npm start` only, never deployed: the local runtime is its own OpenID Connect issuer, and signs anyone of the directory in without a password.",
    security: [],
    responses: () => ({}),
  },
};

/** Every route can get these. */
const COMMON_RESPONSES = ({ ref, error }: DocContext): Record<number, ResponseDoc> => ({
  429: {
    description:
      "AWS only: API Gateway throttled the request (its own answer, before any function runs). Retry later with backoff.",
    content: { "application/json": { schema: ref(gatewayErrorSchema) } },
  },
  500: error(
    "`internal_error`: an unexpected failure; the answer carries no internals. Quote `X-Correlation-Id` when reporting it.",
    {
      code: "internal_error",
      message: "internal error",
    },
  ),
});

const SECURITY_SCHEMES: Readonly<Record<string, Json>> = {
  webhookSignature: {
    type: "apiKey",
    in: "header",
    name: "X-Signature",
    description: [
      "HMAC signature of ingest clients, sent with the required `X-Client-Id: <client>` header:",
      "",
      "```",
      'X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>',
      "```",
      "",
      "`t` is the signing time in Unix seconds; `v1` is the lowercase hex HMAC-SHA256, keyed with the client's secret, of the ASCII `t`, a dot, and the raw request body exactly as sent (UTF-8 bytes; no re-serialisation). Several `v1=` entries may be sent (secret rotation); one match suffices.",
      "",
      `A request whose \`t\` is more than ${SIGNATURE_TOLERANCE_S} s from the server clock, or with a bad or missing signature, gets 401 and nothing is stored.`,
      "",
      "Secrets: environment `COMPLIANCE_WEBHOOK_SECRETS` = `client=secret,client2=secret2`; on AWS from Secrets Manager. Only the local runtime falls back to `local=local-dev-secret`, and says so at start.",
    ].join("\n"),
  },
  signIn: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A person's OpenID Connect ID token: its `email`, or its `preferred_username` equal to a person id, names a person of the directory (`policies/org.yaml` `people:`). Checked: signature against the issuer's JWKS (RS/PS/ES/EdDSA only; `alg: none`, HS* and unknown key ids refused), issuer, audience, expiry (60 s clock skew). Locally `npm start` is the issuer: `POST /local/sign-in` `{\"person\": \"<id>\"}` or `npx compliance login <id>`; on AWS the stack's Cognito user pool or the company's SSO.",
  },
  machineReader: {
    type: "http",
    scheme: "bearer",
    description:
      "A read-only machine credential (a SIEM, a BI export): locally `Authorization: Bearer $COMPLIANCE_AUDITOR_TOKEN` (local fallback `local-auditor-token`); on AWS an OAuth2 client-credentials access token with the scope `compliance/read`. It reads what an auditor reads and never acts (403 `not_assigned`).",
  },
};

const CORRELATION_ID_DESCRIPTION =
  "Correlation id of the request, on every log line: the caller's `X-Correlation-Id` when it is 1–128 characters of `A–Z a–z 0–9 . _ : -`, else the request id (API Gateway's, or a new UUID locally).";

/** info.description; `personas` are the bullets of the personas that have routes. */
const infoDescription = (
  personas: readonly string[],
) => `Serverless policy-as-code compliance platform: source systems send business records, versioned YAML policies judge them, the people assigned to violations act on them and auditors follow everything.

## Personas
${personas.map((p) => `- ${p}`).join("\n")}

Credentials do not cross personas: an ingest signature on a person route gets 403; a bearer token on an ingest route gets 401 (it is not a signature). People act only as themselves: \`history[].by\` and the audit trail name the signed-in person, \`by: "system"\` only the platform.

## Errors
Every error the platform answers is JSON, never a stack trace (API Gateway's own 403 and 429 on AWS aside, see below): \`{"error": {"code": "…", "message": "…", "issues": [{"path": "data.amount", "message": "…"}]}}\` (schema \`Error\`). \`code\` is stable and machine-readable (\`validation_failed\`, \`invalid_json\`, \`invalid_cursor\`, \`unauthorized\`, \`forbidden\`, \`not_found\`, \`revision_conflict\`, \`payload_too_large\`, \`internal_error\`); \`issues\` lists every problem of a \`validation_failed\`. Every answer of a route carries \`X-Correlation-Id\`.

## Idempotency
\`POST /v1/records\` is idempotent per (\`type\`, \`id\`, \`revision\`): sending the same revision again with the same body answers 200 \`duplicate: true\` and changes nothing, so a client may retry freely; a different body for a stored revision is 409 \`revision_conflict\`, and a revision older than the stored one answers 200 \`stale: true\` and never overwrites it.

## On AWS
The same routes and answers, behind API Gateway (HTTP API), with these differences:
- people present ID tokens of the stack's Cognito user pool (or of the company's SSO), machine readers client-credentials access tokens with the scope \`compliance/read\`; API Gateway's JWT authorizer checks signature, issuer, audience and expiry first and **answers 401 itself** \`{"message": "Unauthorized"}\` (schema \`GatewayError\`), and **429** \`{"message": "Too Many Requests"}\` when it throttles (schema \`GatewayError\`), before any function runs;
- answers are capped at 6 MB and not streamed, so a large CSV export of \`GET /v1/violations\` stops after about ${CSV_MAX_ROWS} rows and continues with the cursor in its \`X-Next-Cursor\` header;
- ingest secrets come from Secrets Manager rather than the environment.
`;

// ---------------------------------------------------------------------------------------------
// The document

function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
}

/** The OpenAPI 3.1.0 document of the HTTP API. */
export function buildOpenApi(): Json {
  const components = buildComponents();
  const ref = (schema: z.ZodType, io: Io = "output"): Json => ({
    $ref: `${REF_PREFIX}${components.name(idOf(schema), io)}`,
  });
  const headerRef = { "X-Correlation-Id": { $ref: "#/components/headers/CorrelationId" } };
  const ctx: DocContext = {
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
  const inputJson = (schema: z.ZodType): Json => {
    const { $schema: _, ...json } = toJsonSchema(schema, "input");
    return json;
  };

  const paths: Record<string, Record<string, Json>> = {};
  const usedAccess = new Set<Access>();
  for (const route of ROUTES) {
    const key = routeKey(route);
    const op = OPERATIONS[key];
    if (!op) throw new Error(`${key} is in ROUTES but has no description in schemas/openapi.ts (OPERATIONS)`);
    usedAccess.add(route.access);
    const persona = PERSONAS[route.access];
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, Json>)[route.method.toLowerCase()] = operation(route, op, persona);
  }
  for (const key of Object.keys(OPERATIONS))
    if (!ROUTES.some((r) => routeKey(r) === key))
      throw new Error(`OPERATIONS describes ${key}, which is not in ROUTES`);

  function operation(route: RouteDefinition, op: OperationDoc, persona: Persona): Json {
    const parameters: ParameterDoc[] = [];
    const pathNames = pathParameterNames(route.path);
    for (const name of pathNames) {
      const p = op.pathParameters?.[name];
      if (!p) throw new Error(`${routeKey(route)}: path parameter {${name}} is not described`);
      parameters.push({
        name,
        in: "path",
        required: true,
        description: p.description,
        schema: inputJson(p.schema),
        example: p.example,
      });
    }
    for (const name of Object.keys(op.pathParameters ?? {}))
      if (!pathNames.includes(name)) throw new Error(`${routeKey(route)}: no path parameter {${name}}`);
    if (op.query) {
      const json = inputJson(op.query) as { properties?: Record<string, Json>; required?: string[] };
      for (const [name, schema] of Object.entries(json.properties ?? {})) {
        const { description, ...rest } = schema;
        const text = (description as string | undefined) ?? op.queryDescriptions?.[name];
        parameters.push({
          name,
          in: "query",
          required: json.required?.includes(name) ?? false,
          ...(text ? { description: text } : {}),
          schema: rest,
        });
      }
    }
    if (route.access === "signed")
      parameters.push({
        name: "X-Client-Id",
        in: "header",
        required: true,
        description: "the ingest client's id; selects the secret that `X-Signature` is checked with",
        schema: { type: "string", minLength: 1 },
        example: "erp",
      });
    // a route's own description of a status (e.g. its 403 codes) is more precise than its persona's
    const responses: Record<number, ResponseDoc> = {
      ...persona.responses(ctx),
      ...op.responses(ctx),
      ...COMMON_RESPONSES(ctx),
    };
    const sortedResponses: Record<string, Json> = {};
    for (const status of Object.keys(responses).sort()) {
      const r = responses[Number(status)] as ResponseDoc;
      sortedResponses[status] = {
        description: r.description,
        headers: {
          ...headerRef,
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
    return {
      operationId: op.operationId,
      summary: op.summary,
      description: op.description,
      tags: [persona.tag],
      security: persona.security,
      parameters: [...parameters, { $ref: "#/components/parameters/CorrelationId" }],
      ...(op.body
        ? {
            requestBody: {
              required: true,
              description: `${op.body.description} At most ${KIB} KiB.`,
              content: {
                "application/json": {
                  schema: ref(op.body.schema, "input"),
                  ...(op.body.schema === recordSchema ? { example: RECORD_EXAMPLE } : {}),
                },
              },
            },
          }
        : {}),
      responses: sortedResponses,
    };
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
