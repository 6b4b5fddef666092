/**
 * The OpenAPI document (schemas/openapi.json): generated and committed as generated, valid for
 * swagger-parser, clean for Redocly's recommended rules, complete against ROUTES and CONTRACT §2,
 * and its schemas agree with what zod really produces.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildOpenApi, renderOpenApi } from "../../functions/api/openapi.ts";
import { ROUTES, routeKey } from "../../functions/api/routes.ts";
import { violationQuerySchema } from "../../schemas/api.ts";
import { recordSchema } from "../../schemas/record.ts";
import { record, recordInput } from "../support/arbitraries.ts";
import {
  expectMatchesOpenApi,
  formatProblems,
  lintOpenApi,
  loadOpenApi,
  OPENAPI_FILE,
  openApiAjv,
  validateOpenApi,
} from "../support/openapi.ts";

type Json = { [key: string]: unknown };
type Operation = {
  operationId: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters: Json[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
};

const doc = buildOpenApi() as Json & {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
};
const op = (method: string, path: string) => doc.paths[path]?.[method.toLowerCase()] as Operation;

/**
 * CONTRACT §2, written down independently of functions/api/: every status code each route can
 * answer. 500 (internal_error) is possible everywhere. Routes the contract lists that are not in
 * ROUTES yet are checked as soon as they are added.
 */
const CONTRACT_STATUSES: Readonly<Record<string, readonly number[]>> = {
  "GET /health": [200, 500],
  "GET /openapi.json": [200, 500],
  "POST /v1/records": [200, 202, 400, 401, 409, 413, 500],
  "POST /v1/evaluate": [200, 400, 401, 413, 500],
  "GET /v1/violations": [200, 400, 401, 403, 500],
  "GET /v1/violations/{id}": [200, 401, 403, 404, 500],
  "GET /v1/records/{type}/{id}": [200, 401, 403, 404, 500],
  "GET /v1/records/{type}/{id}/revisions/{n}": [200, 401, 403, 404, 500],
  "GET /v1/policies": [200, 401, 403, 500],
  "GET /v1/policies/{id}/versions/{n}": [200, 401, 403, 404, 500],
  "POST /v1/violations/{id}/acknowledge": [200, 400, 401, 403, 404, 409, 500],
  "POST /v1/violations/{id}/waive": [200, 400, 401, 403, 404, 409, 500],
  "POST /v1/violations/{id}/reopen": [200, 400, 401, 403, 404, 409, 500],
  "GET /v1/audit/verify": [200, 401, 403, 500],
  "GET /v1/audit/entries": [200, 400, 401, 403, 500],
  "GET /v1/stats": [200, 400, 401, 403, 500],
  "GET /v1/reports/complaints": [200, 400, 401, 403, 500],
  "GET /v1/me": [200, 401, 403, 500],
  // the development issuer of npm start (CONTRACT §6)
  "GET /.well-known/openid-configuration": [200, 500],
  "GET /.well-known/jwks.json": [200, 500],
  "GET /local/people": [200, 500],
  "POST /local/sign-in": [200, 400, 500],
};

const SECURITY: Record<string, string[][]> = {
  public: [],
  signed: [["webhookSignature"]],
  // POST /v1/evaluate: signed like ingest, or a reader's bearer (CONTRACT 1.1 §2)
  reader: [["webhookSignature"], ["signIn"], ["machineReader"]],
  // CONTRACT 1.1 §6: people sign in (a JWT); the machine reader has its own read-only credential
  auditor: [["signIn"], ["machineReader"]],
  person: [["signIn"], ["machineReader"]],
  local: [],
};

describe("schemas/openapi.json", () => {
  it("is committed as generated (run npm run schemas after changing a zod schema or a route)", () => {
    expect(readFileSync(OPENAPI_FILE, "utf8")).toBe(renderOpenApi());
  });

  it("npm run schemas -- --check agrees and writes nothing", () => {
    const result = spawnSync(
      process.execPath,
      [fileURLToPath(new URL("../../scripts/generate-schemas.ts", import.meta.url)), "--check"],
      {
        encoding: "utf8",
      },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/up to date/);
  });

  it("is OpenAPI 3.1.0 and valid for swagger-parser", async () => {
    expect(doc.openapi).toBe("3.1.0");
    await expect(validateOpenApi(doc)).resolves.toBeUndefined();
  });

  it("has no error and no warning under Redocly's recommended rules", async () => {
    const problems = await lintOpenApi(doc);
    expect(formatProblems(problems)).toBe("");
  });

  it("takes its version from package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect((doc.info as Json).version).toBe(pkg.version);
  });
});

describe("every route is documented (ROUTES, CONTRACT §2)", () => {
  it("documents exactly the routes of ROUTES", () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  for (const route of ROUTES) {
    const key = routeKey(route);
    describe(key, () => {
      it("has every status code the contract lists, each with a JSON body unless bodiless", () => {
        const wanted = CONTRACT_STATUSES[key];
        expect(wanted, `add ${key}'s status codes from CONTRACT §2 to CONTRACT_STATUSES`).toBeDefined();
        const responses = op(route.method, route.path).responses;
        for (const status of wanted ?? []) {
          expect(Object.keys(responses), `${key} documents ${status}`).toContain(String(status));
          expect(Object.keys(responses[status]?.content ?? {}), `${key} ${status} body`).toContain(
            "application/json",
          );
        }
      });

      it("has an operationId, a persona tag and the persona's security", () => {
        const operation = op(route.method, route.path);
        expect(operation.operationId).toMatch(/^[a-z][A-Za-z]+$/);
        expect(operation.tags).toHaveLength(1);
        expect(operation.security.map((s) => Object.keys(s))).toEqual(SECURITY[route.access]);
      });

      it("documents every path parameter as required", () => {
        const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const params = op(route.method, route.path).parameters.filter((p) => p.in === "path");
        expect(params.map((p) => p.name)).toEqual(names);
        for (const p of params) expect(p.required).toBe(true);
      });

      if (route.method === "POST")
        it("takes a JSON body: a Record (signed routes), a CaseAction (people) or a SignInRequest (local)", () => {
          const body = {
            signed: "Record",
            reader: "Record",
            person: "CaseAction",
            local: "SignInRequest",
          } as Record<string, string>;
          expect(op(route.method, route.path).requestBody?.content["application/json"]?.schema).toEqual({
            $ref: `#/components/schemas/${body[route.access]}`,
          });
        });

      if (route.access === "signed")
        it("requires the X-Client-Id header", () => {
          const header = op(route.method, route.path).parameters.find((p) => p.name === "X-Client-Id");
          expect(header).toMatchObject({ in: "header", required: true });
        });
    });
  }

  const missing = Object.keys(CONTRACT_STATUSES).filter((key) => !ROUTES.some((r) => routeKey(r) === key));
  for (const key of missing) it.todo(`${key} (CONTRACT §2) once it is in ROUTES`);

  it("GET /v1/violations: every filter of violationQuerySchema is a query parameter", () => {
    const query = op("GET", "/v1/violations").parameters.filter((p) => p.in === "query");
    // the documented form is built on first use (z.lazy): its object is the inner schema
    expect(query.map((p) => p.name)).toEqual(Object.keys(violationQuerySchema._zod.innerType.shape));
    expect(query.find((p) => p.name === "limit")?.schema).toMatchObject({
      minimum: 1,
      maximum: 500,
      default: 100,
    });
  });

  it("GET /v1/violations: CSV as an alternative, continued by X-Next-Cursor", () => {
    const ok = op("GET", "/v1/violations").responses["200"];
    expect(Object.keys(ok?.content ?? {})).toEqual(["application/json", "text/csv"]);
    expect(Object.keys(ok?.headers ?? {})).toContain("X-Next-Cursor");
  });

  it("POST /v1/evaluate: the optional ?at evaluation time", () => {
    const at = op("POST", "/v1/evaluate").parameters.find((p) => p.name === "at");
    // CONTRACT 1.1 §8: no longer RFC 3339's format "date-time" (seconds required, no dates) but a
    // date-time with a zone (seconds optional) or a date in the company's time zone
    expect(at).toMatchObject({ in: "query", required: false, schema: { type: "string" } });
    const pattern = new RegExp((at?.schema as { pattern?: string } | undefined)?.pattern ?? "^$");
    for (const ok of ["2026-03-02", "2026-03-02T00:00Z", "2026-03-02T08:00:00.5+08:00"])
      expect(pattern.test(ok), ok).toBe(true);
    for (const bad of ["2026-03-02T00:00", "2026-03-02T00:00:00", "tomorrow"])
      expect(pattern.test(bad), bad).toBe(false);
  });

  it("describes the HMAC construction and its tolerance", () => {
    const scheme = doc.components.securitySchemes.webhookSignature as Json;
    expect(scheme).toMatchObject({ type: "apiKey", in: "header", name: "X-Signature" });
    expect(scheme.description).toContain('t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>');
    expect(scheme.description).toContain("300 s");
  });
});

describe("the document's schemas", () => {
  const ajv = openApiAjv(doc);
  const component = (name: string) =>
    ajv.compile({ $ref: `https://compliance.example/schemas/openapi.json#/components/schemas/${name}` });

  for (const name of Object.keys(doc.components.schemas))
    it(`${name} compiles in ajv (draft 2020-12)`, () => {
      expect(() => component(name)).not.toThrow();
    });

  it("Record accepts what callers may send (nulls, offsets) and refuses unknown fields", () => {
    const validate = component("Record");
    fc.assert(
      fc.property(recordInput, (input) => {
        expect(validate(input), JSON.stringify(validate.errors)).toBe(true);
      }),
      { numRuns: 300 },
    );
    const input = fc.sample(recordInput, { numRuns: 1, seed: 1 })[0] as Json;
    expect(validate({ ...input, ammount: 1 })).toBe(false);
  });

  it("RecordOutput accepts every parsed record (UTC timestamps, no nulls) and refuses unparsed ones", () => {
    const validate = component("RecordOutput");
    fc.assert(
      fc.property(record, (parsed) => {
        expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
      }),
      { numRuns: 300 },
    );
    const parsed = recordSchema.parse(fc.sample(recordInput, { numRuns: 1, seed: 1 })[0]);
    expect(validate({ ...parsed, occurredAt: "2026-03-01T16:00:00+08:00" })).toBe(false);
  });
});

describe("expectMatchesOpenApi", () => {
  it("accepts an answer that matches the documented schema", () => {
    expect(() => expectMatchesOpenApi("GET", "/health", 200, { status: "ok" })).not.toThrow();
    expect(() =>
      expectMatchesOpenApi("get", "/health", 200, '{"status":"ok"}', "application/json; charset=utf-8"),
    ).not.toThrow();
    expect(() =>
      expectMatchesOpenApi("POST", "/v1/records", 200, {
        key: "expense#E-1",
        revision: 2,
        duplicate: false,
        stale: true,
      }),
    ).not.toThrow();
    expect(() =>
      expectMatchesOpenApi(
        "GET",
        "/v1/violations",
        200,
        "id,policyId\r\n",
        "text/csv; charset=utf-8; header=present",
      ),
    ).not.toThrow();
  });

  it("throws a readable error for an answer that does not match", () => {
    expect(() =>
      expectMatchesOpenApi("POST", "/v1/records", 400, {
        error: { code: "validation_failed", issues: [{ path: 1 }] },
      }),
    ).toThrow(
      /POST \/v1\/records → 400 application\/json: the body does not match the documented schema #\/components\/schemas\/Error:\n.*\/error must have required property 'message'/s,
    );
    expect(() => expectMatchesOpenApi("GET", "/health", 200, { status: "down" })).toThrow(
      /\/status must be equal to constant/,
    );
  });

  it("throws for an undocumented operation, status or media type", () => {
    expect(() => expectMatchesOpenApi("DELETE", "/health", 200, {})).toThrow(/no such operation/);
    expect(() => expectMatchesOpenApi("GET", "/health", 418, {})).toThrow(/status 418 is not documented/);
    expect(() => expectMatchesOpenApi("GET", "/health", 200, "ok", "text/plain")).toThrow(
      /text\/plain is not documented/,
    );
  });

  it("checks against the committed document", () => {
    expect(loadOpenApi().doc).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
