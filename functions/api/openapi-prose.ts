/**
 * The prose of the OpenAPI document that belongs to no single route: what each access kind's
 * callers are and what they may get back, the security schemes, the answers every route can
 * give, and the document's introduction. Per-route prose sits beside each route (functions/api/).
 */
import * as z from "zod";
import { errorSchema } from "../../schemas/api-responses.ts";
import type { Access } from "../http/access.ts";
import { MAX_BODY_BYTES } from "../http/body.ts";
import { SIGNATURE_TOLERANCE_S } from "../http/signature.ts";
import { CSV_MAX_ROWS } from "../service/violations-csv.ts";
import type { DocContext, Json, ResponseDoc } from "./route.ts";

/** What API Gateway itself answers (a refused JWT, throttling) before any of our functions runs. */
export const gatewayErrorSchema = z
  .object({ message: z.string().meta({ description: 'e.g. "Unauthorized", "Too Many Requests"' }) })
  .meta({
    id: "GatewayError",
    description: "An answer of API Gateway itself (AWS only), not of the platform: it has no `error` object.",
  });

/** The example body of routes that take a record. */
export const RECORD_EXAMPLE = {
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

export const KIB = MAX_BODY_BYTES / 1024;

// ---------------------------------------------------------------------------------------------
// Personas: security and the answers every route of a kind can give

export interface Persona {
  readonly tag: string;
  readonly tagDescription: string;
  readonly security: readonly Record<string, string[]>[];
  readonly responses: (ctx: DocContext) => Record<number, ResponseDoc>;
}

export const PERSONAS: Readonly<Record<Access, Persona>> = {
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
        { code: "unauthorized", message: "v1 signature does not match" },
      ),
      403: error(
        "`not_record_owner`: the record belongs to the ingest client that first stored it; or `record_type_not_allowed`: this client may not send this record type. Nothing is stored.",
        {
          code: "not_record_owner",
          message:
            "expense/EXP-2026-0001 belongs to the ingest client that first stored it; another client's revision is refused",
        },
      ),
      413: error(`\`payload_too_large\`: the body exceeds ${KIB} KiB. Nothing is stored.`),
      415: error(
        "`unsupported_media_type`: the body is not JSON. `Content-Type` must be `application/json` (a UTF-8 `charset` parameter allowed), an `application/*+json` type, or absent. Nothing is stored.",
      ),
    }),
  },
  reader: {
    tag: "Ingest clients and readers",
    tagDescription:
      "A dry run that stores nothing: signed like ingest (`webhookSignature`), or called by a reader (the contract's §6) — a signed-in person (`signIn`) or the machine reader (`machineReader`). A request with `X-Signature` or `X-Client-Id` is judged as signed.",
    security: [{ webhookSignature: [] }, { signIn: [] }, { machineReader: [] }],
    responses: ({ error }) => ({
      401: error(
        `\`unauthorized\`: no credential, a signature that does not hold (missing or malformed headers, an unknown client, a mismatch, a timestamp more than ${SIGNATURE_TOLERANCE_S} s from the server clock), or a bearer that is not a valid sign-in token or the machine reader's.`,
        { code: "unauthorized", message: "signature does not match" },
      ),
      413: error(`\`payload_too_large\`: the body exceeds ${KIB} KiB.`),
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
          "`not_auditor`: a signed-in person who does not hold the `auditor` role; `forbidden`: an ingest signature instead of a bearer.",
        content: { "application/json": { schema: ref(errorSchema) } },
      },
    }),
  },
  person: {
    tag: "People",
    tagDescription:
      "Everyone a violation is assigned to, and auditors: they sign in (OpenID Connect) and send `Authorization: Bearer <ID token>` (`signIn`); what each may read and do is the contract's §6 (auditors read everything, others what is assigned to them; people act only as themselves). The machine reader (`machineReader`) reads what an auditor reads and never acts.",
    security: [{ signIn: [] }, { machineReader: [] }],
    responses: ({ ref, error }) => ({
      401: error(
        "`unauthorized`: no bearer, or a token that is expired, of another issuer or audience, badly signed, of a refused algorithm or unknown key id, or naming nobody in the directory.",
        { code: "unauthorized", message: "the token names nobody in the directory" },
      ),
      403: {
        description:
          "`not_assigned`: the violation (or the queue) is not the caller's; `forbidden`: an ingest signature instead of a bearer.",
        content: { "application/json": { schema: ref(errorSchema) } },
      },
      415: error(
        "`unsupported_media_type`: the body is not JSON. `Content-Type` must be `application/json` (a UTF-8 `charset` parameter allowed), an `application/*+json` type, or absent.",
      ),
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
export const COMMON_RESPONSES = ({ ref, error }: DocContext): Record<number, ResponseDoc> => ({
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
  503: error(
    "`unavailable`: a dependency (DynamoDB, Secrets Manager) is down, unreachable or throttling; nothing was stored. Retry after the `Retry-After` seconds.",
    { code: "unavailable", message: "a dependency is unavailable; retry later" },
  ),
});

export const SECURITY_SCHEMES: Readonly<Record<string, Json>> = {
  webhookSignature: {
    type: "apiKey",
    in: "header",
    name: "X-Signature",
    description: [
      "HMAC signature of ingest clients, sent with the required `X-Client-Id: <client>` header:",
      "",
      "```",
      'X-Signature: t=<unix seconds>,v2=<hex HMAC-SHA256(secret, "<t>\\n<METHOD>\\n<path and query exactly as sent>\\n<raw body>")>',
      'X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>',
      "```",
      "",
      "`v2` (recommended) covers `t`, the method, the path and query exactly as sent (e.g. `/v1/evaluate?at=2026-03-02T00:00:00Z`) and the raw body, separated by newlines: a signed request cannot be replayed to another route or with another query. When any `v2=` entry is present only `v2` entries count; a deployment with `COMPLIANCE_REQUIRE_SIGNATURE_V2=true` refuses `v1`. An unknown `X-Client-Id` is named as such.",
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

export const CORRELATION_ID_DESCRIPTION =
  "Correlation id of the request, on every log line: the caller's `X-Correlation-Id` when it is 1–128 characters of `A–Z a–z 0–9 . _ : -`, else the request id (API Gateway's, or a new UUID locally).";

/** info.description; `personas` are the bullets of the personas that have routes. */
export const infoDescription = (
  personas: readonly string[],
) => `Serverless policy-as-code compliance platform: source systems send business records, versioned YAML policies judge them, the people assigned to violations act on them and auditors follow everything.

## Personas
${personas.map((p) => `- ${p}`).join("\n")}

Credentials do not cross personas: an ingest signature on a person route gets 403; a bearer token on an ingest route gets 401 (it is not a signature). People act only as themselves: \`history[].by\` and the audit trail name the signed-in person, \`by: "system"\` only the platform.

## Errors
Every error the platform answers is JSON, never a stack trace (API Gateway's own 403 and 429 on AWS aside, see below): \`{"error": {"code": "…", "message": "…", "issues": [{"path": "data.amount", "message": "…"}]}}\` (schema \`Error\`). \`code\` is stable and machine-readable (\`validation_failed\`, \`invalid_json\`, \`duplicate_key\`, \`invalid_cursor\`, \`invalid_header\`, \`unauthorized\`, \`forbidden\`, \`actor_mismatch\`, \`separation_of_duties\`, \`not_assigned\`, \`not_auditor\`, \`not_a_person\`, \`not_record_owner\`, \`record_type_not_allowed\`, \`not_found\`, \`revision_conflict\`, \`payload_too_large\`, \`unsupported_media_type\`, \`internal_error\`, \`unavailable\`); \`issues\` lists the problems of a \`validation_failed\` (the first 100; the message gives the total). Unknown query parameters are a 400 on every route. Every answer of a route carries \`X-Correlation-Id\`.

## Idempotency
\`POST /v1/records\` is idempotent per (\`type\`, \`id\`, \`revision\`): sending the same revision again with the same body answers 200 \`duplicate: true\` and changes nothing, so a client may retry freely; a different body for a stored revision is 409 \`revision_conflict\`, and a revision older than the stored one answers 200 \`stale: true\` and never overwrites it.

## On AWS
The same routes and answers, behind API Gateway (HTTP API), with these differences:
- people present ID tokens of the stack's Cognito user pool (or of the company's SSO), machine readers client-credentials access tokens with the scope \`compliance/read\`; API Gateway's JWT authorizer checks signature, issuer, audience and expiry first and **answers 401 itself** \`{"message": "Unauthorized"}\` (schema \`GatewayError\`), and **429** \`{"message": "Too Many Requests"}\` when it throttles (schema \`GatewayError\`), before any function runs;
- answers are capped at 6 MB and not streamed, so a large CSV export of \`GET /v1/violations\` stops after about ${CSV_MAX_ROWS} rows and continues with the cursor in its \`X-Next-Cursor\` header;
- ingest secrets come from Secrets Manager rather than the environment.
`;
