/**
 * The published OpenAPI document (schemas/openapi.json) as a test oracle:
 * - `expectMatchesOpenApi` checks a real answer against the documented response schema (ajv,
 *   draft 2020-12, component refs resolved), so integration tests prove the document tells the truth;
 * - `validateOpenApi` (swagger-parser) and `lintOpenApi` (Redocly, `recommended`) check the document.
 */
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import { createConfig, lintFromString, type NormalizedProblem } from "@redocly/openapi-core";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export const OPENAPI_FILE = new URL("../../schemas/openapi.json", import.meta.url);
/** The base URI the document is registered under in ajv; component refs resolve against it. */
const DOC_ID = "https://compliance.example/schemas/openapi.json";

type Json = { [key: string]: unknown };
type Ajv = InstanceType<typeof Ajv2020.default>;

/** An ajv (draft 2020-12, formats checked) that knows the document, so `#/components/...` refs resolve. */
export function openApiAjv(doc: Json): Ajv {
  // not strict: OpenAPI adds keywords (`example`) that JSON Schema does not know
  const ajv = new Ajv2020.default({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  return ajv;
}

let cached: { doc: Json; ajv: Ajv } | undefined;

/** schemas/openapi.json as committed (test/openapi proves it is what buildOpenApi() generates). */
export function loadOpenApi(): { doc: Json; ajv: Ajv } {
  if (!cached) {
    const doc = JSON.parse(readFileSync(OPENAPI_FILE, "utf8")) as Json;
    cached = { doc, ajv: openApiAjv(doc) };
  }
  return cached;
}

const validators = new WeakMap<Ajv, Map<string, ValidateFunction>>();

/** A compiled validator for the schema at `ref` (a URI into the document), compiled once. */
function validator(ajv: Ajv, ref: string): ValidateFunction {
  const byRef = validators.get(ajv) ?? new Map<string, ValidateFunction>();
  validators.set(ajv, byRef);
  const validate = byRef.get(ref) ?? ajv.compile({ $ref: ref });
  byRef.set(ref, validate);
  return validate;
}

const escapePointer = (s: string) => s.replaceAll("~", "~0").replaceAll("/", "~1");

function at(doc: Json, pointer: string): unknown {
  let node: unknown = doc;
  for (const part of pointer.split("/").slice(1)) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Json)[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  return node;
}

/** Follows a local `$ref` (e.g. to components.responses); returns the node and its JSON pointer. */
function deref(doc: Json, node: unknown, pointer: string): { node: Json | undefined; pointer: string } {
  for (let hops = 0; hops < 10; hops++) {
    if (typeof node !== "object" || node === null) return { node: undefined, pointer };
    const ref = (node as Json).$ref;
    if (typeof ref !== "string") return { node: node as Json, pointer };
    if (!ref.startsWith("#/")) throw new Error(`external $ref ${ref} is not supported`);
    pointer = ref.slice(1);
    node = at(doc, pointer);
  }
  throw new Error(`$ref loop at ${pointer}`);
}

const preview = (body: unknown) => {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text === undefined ? "undefined" : text.length > 400 ? `${text.slice(0, 400)}…` : text;
};

/**
 * Throws unless `body` is what the OpenAPI document says `method pathTemplate` answers with
 * `status` and `contentType` (parameters such as `; charset=utf-8` are ignored). A JSON body may
 * be given parsed or as its text. The error names the operation, the schema and every mismatch.
 *
 *   expectMatchesOpenApi("GET", "/v1/violations/{id}", 200, await res.json());
 */
export function expectMatchesOpenApi(
  method: string,
  pathTemplate: string,
  status: number,
  body: unknown,
  contentType = "application/json",
): void {
  const { doc, ajv } = loadOpenApi();
  const what = `${method.toUpperCase()} ${pathTemplate} → ${status} ${contentType}`;
  const opPointer = `/paths/${escapePointer(pathTemplate)}/${method.toLowerCase()}`;
  const operation = at(doc, opPointer) as Json | undefined;
  if (!operation) {
    const documented = Object.entries((doc.paths ?? {}) as Record<string, Json>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    throw new Error(
      `${what}: no such operation in the OpenAPI document (documented: ${documented.join(", ")})`,
    );
  }
  const responses = (operation.responses ?? {}) as Json;
  const key = [String(status), `${String(status)[0]}XX`, "default"].find((k) => k in responses);
  if (!key)
    throw new Error(
      `${what}: status ${status} is not documented (documented: ${Object.keys(responses).join(", ")})`,
    );
  const response = deref(doc, responses[key], `${opPointer}/responses/${escapePointer(key)}`);
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  const content = (response.node?.content ?? {}) as Json;
  if (!(mediaType in content)) {
    if (Object.keys(content).length === 0 && (body === undefined || body === "")) return;
    throw new Error(
      `${what}: media type ${mediaType} is not documented for ${status} (documented: ${Object.keys(content).join(", ") || "no body"})`,
    );
  }
  const schemaPointer = `${response.pointer}/content/${escapePointer(mediaType)}/schema`;
  let value = body;
  if (/[/+]json$/.test(mediaType) && typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch (error) {
      throw new Error(`${what}: the body is not JSON (${(error as Error).message}): ${preview(body)}`);
    }
  }
  const validate = validator(ajv, `${DOC_ID}#${schemaPointer}`);
  if (validate(value)) return;
  const problems = (validate.errors ?? []).map(
    (e) =>
      `  ${e.instancePath || "(body)"} ${e.message ?? "is invalid"}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`,
  );
  const schema = at(doc, schemaPointer) as Json | undefined;
  const schemaName = typeof schema?.$ref === "string" ? schema.$ref : schemaPointer;
  throw new Error(
    `${what}: the body does not match the documented schema ${schemaName}:\n${problems.join("\n")}\nbody: ${preview(value)}`,
  );
}

/** swagger-parser's validation (OpenAPI 3.1 schema + spec rules); throws with every problem. */
export async function validateOpenApi(doc: Json): Promise<void> {
  // it dereferences in place: give it a copy
  type Document = Awaited<ReturnType<typeof SwaggerParser.validate>>;
  await SwaggerParser.validate(structuredClone(doc) as unknown as Document);
}

/**
 * Redocly's `recommended` ruleset. Every rule applies to this API; none is switched off (a rule
 * that truly could not apply would be configured `off` here, with the reason).
 */
export async function lintOpenApi(doc: Json): Promise<NormalizedProblem[]> {
  const config = await createConfig({ extends: ["recommended"] });
  return lintFromString({ source: JSON.stringify(doc, null, 2), absoluteRef: OPENAPI_FILE.pathname, config });
}

/** One line per problem: `severity rule-id message at pointer`. */
export function formatProblems(problems: readonly NormalizedProblem[]): string {
  return problems
    .map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(", ")}`)
    .join("\n");
}
