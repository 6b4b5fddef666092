/**
 * docs/api.md, generated from the OpenAPI document (schemas/openapi.json) by `npm run docs`:
 * every route with who may call it, its parameters (path, query — every filter — and headers),
 * its body, its answers and the error codes each can carry, then the shapes it names. Pure.
 */

type Json = Record<string, unknown>;

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const REF = "#/components/";

function obj(v: unknown): Json {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll(/\s*\n\s*/g, " ");
}

function anchor(text: string): string {
  return text
    .toLowerCase()
    .replaceAll(/[^a-z0-9 _-]/g, "")
    .replaceAll(" ", "-");
}

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

/** A JSON Schema as a short type: `string (open, resolved)`, `array of [Violation](#violation)`. */
export function typeWords(schema: unknown): string {
  const s = obj(schema);
  if (typeof s.$ref === "string") {
    const name = refName(s.$ref);
    return `[${name}](#${anchor(name)})`;
  }
  for (const key of ["oneOf", "anyOf"] as const)
    if (Array.isArray(s[key])) return (s[key] as unknown[]).map(typeWords).join(" or ");
  if (Array.isArray(s.enum))
    return `one of ${(s.enum as unknown[]).map((e) => `\`${String(e)}\``).join(", ")}`;
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  const type = Array.isArray(s.type) ? (s.type as string[]).join(" or ") : (s.type as string | undefined);
  if (type === "array") return `array of ${typeWords(s.items)}`;
  if (type === "object" && s.additionalProperties && typeof s.additionalProperties === "object")
    return `map of ${typeWords(s.additionalProperties)}`;
  const limits: string[] = [];
  if (typeof s.minimum === "number" && Math.abs(s.minimum) < 1e15) limits.push(`≥ ${s.minimum}`);
  if (typeof s.maximum === "number" && Math.abs(s.maximum) < 1e15) limits.push(`≤ ${s.maximum}`);
  if (typeof s.maxLength === "number") limits.push(`≤ ${s.maxLength} chars`);
  if (typeof s.format === "string") limits.push(s.format);
  return `${type ?? "any"}${limits.length > 0 ? ` (${limits.join(", ")})` : ""}`;
}

/**
 * The platform's error codes, as the document's introduction lists them ("`code` is stable and
 * machine-readable (`validation_failed`, …)"), plus every example's `error.code`.
 */
function knownErrorCodes(doc: Json): Set<string> {
  const codes = new Set<string>();
  const list = /machine-readable \(([^)]*)\)/.exec(String(obj(doc.info).description ?? ""));
  for (const m of (list?.[1] ?? "").matchAll(/`([a-z_]+)`/g)) codes.add(m[1] as string);
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (typeof v === "object" && v !== null) {
      const error = obj(obj(obj(v).example).error);
      if (typeof error.code === "string") codes.add(error.code);
      for (const x of Object.values(v)) visit(x);
    }
  };
  visit(doc.paths);
  return codes;
}

/** Error codes an answer names: its example's `error.code` and every known code its text mentions. */
function errorCodes(response: Json, known: ReadonlySet<string>): string[] {
  const codes = new Set<string>();
  for (const m of String(response.description ?? "").matchAll(/`([a-z_]+)`/g))
    if (known.has(m[1] as string)) codes.add(m[1] as string);
  for (const media of Object.values(obj(response.content))) {
    const example = obj(obj(obj(media).example).error);
    if (typeof example.code === "string") codes.add(example.code);
  }
  return [...codes];
}

/** A `$ref` to `#/components/<kind>/<name>` replaced by what it names. */
function resolve(doc: Json, value: unknown): Json {
  const v = obj(value);
  if (typeof v.$ref !== "string" || !v.$ref.startsWith(REF)) return v;
  const [kind = "", name = ""] = v.$ref.slice(REF.length).split("/");
  return obj(obj(obj(doc.components)[kind])[name]);
}

function operationSection(
  doc: Json,
  known: ReadonlySet<string>,
  method: string,
  path: string,
  op: Json,
): string[] {
  const security = (op.security as Json[] | undefined) ?? [];
  const who = [
    ...((op.tags as string[] | undefined) ?? []),
    ...(security.length > 0
      ? [`credentials: ${security.map((s) => Object.keys(s).join(" + ")).join(" or ")}`]
      : []),
  ].join("; ");
  const lines = [
    `### ${method.toUpperCase()} ${path}`,
    "",
    `**${String(op.summary ?? "")}** (${who || "anyone"}; operationId \`${String(op.operationId ?? "")}\`)`,
    "",
  ];
  if (op.description) lines.push(String(op.description).replaceAll(/^#+ /gm, "#### "), "");
  const parameters = ((op.parameters as unknown[] | undefined) ?? []).map((p) => resolve(doc, p));
  if (parameters.length > 0) {
    lines.push("| parameter | in | required | type | meaning |", "|---|---|---|---|---|");
    for (const p of parameters)
      lines.push(
        `| \`${String(p.name)}\` | ${String(p.in)} | ${p.required ? "yes" : "no"} | ${cell(typeWords(p.schema))} | ${cell(String(p.description ?? ""))} |`,
      );
    lines.push("");
  }
  const body = obj(op.requestBody);
  if (Object.keys(body).length > 0) {
    const content = Object.entries(obj(body.content))
      .map(([type, media]) => `\`${type}\`: ${typeWords(obj(media).schema)}`)
      .join("; ");
    lines.push(
      `Body (${body.required ? "required" : "optional"}): ${content}. ${String(body.description ?? "")}`.trim(),
      "",
    );
  }
  lines.push("| answer | meaning | body | error codes |", "|---|---|---|---|");
  for (const [status, value] of Object.entries(obj(op.responses))) {
    const response = resolve(doc, value);
    const content = Object.entries(obj(response.content))
      .map(([type, media]) => `${typeWords(obj(media).schema)} (\`${type}\`)`)
      .join("; ");
    const codes =
      Number(status) >= 400
        ? errorCodes(response, known)
            .map((c) => `\`${c}\``)
            .join(", ")
        : "";
    lines.push(
      `| ${status} | ${cell(String(response.description ?? ""))} | ${cell(content || "none")} | ${codes} |`,
    );
  }
  return [...lines, ""];
}

function schemaSection(name: string, schema: Json): string[] {
  const lines = [`### ${name}`, ""];
  if (schema.description) lines.push(cell(String(schema.description)), "");
  const properties = Object.entries(obj(schema.properties));
  if (properties.length > 0) {
    const required = new Set((schema.required as string[] | undefined) ?? []);
    lines.push("| field | type | required | meaning |", "|---|---|---|---|");
    for (const [field, p] of properties)
      lines.push(
        `| \`${field}\` | ${cell(typeWords(p))} | ${required.has(field) ? "yes" : "no"} | ${cell(String(obj(p).description ?? ""))} |`,
      );
    lines.push("");
  } else lines.push(`Type: ${typeWords(schema)}.`, "");
  return lines;
}

export function renderApiReference(doc: Json): string {
  const info = obj(doc.info);
  const paths = obj(doc.paths);
  const operations: [method: string, path: string, op: Json][] = [];
  for (const [path, item] of Object.entries(paths))
    for (const method of METHODS) {
      const op = obj(obj(item)[method]);
      if (Object.keys(op).length > 0) operations.push([method, path, op]);
    }
  const lines: string[] = [
    "# API reference",
    "",
    "<!-- Generated from schemas/openapi.json by `npm run docs` (docs/api.ts): do not edit by hand. -->",
    "",
    `${String(info.title ?? "")} ${String(info.version ?? "")}: ${String(info.summary ?? "")}`,
    `The same document is served at \`GET /openapi.json\` (OpenAPI ${String(doc.openapi)}).`,
    "",
    String(info.description ?? "").replaceAll(/^## /gm, "### "),
    "",
    "## Routes",
    "",
    "| route | summary | who |",
    "|---|---|---|",
  ];
  for (const [method, path, op] of operations) {
    const title = `${method.toUpperCase()} ${path}`;
    lines.push(
      `| [\`${title}\`](#${anchor(title)}) | ${cell(String(op.summary ?? ""))} | ${cell(((op.tags as string[] | undefined) ?? []).join(", "))} |`,
    );
  }
  lines.push("", "## Credentials", "");
  for (const [name, scheme] of Object.entries(obj(obj(doc.components).securitySchemes)))
    lines.push(`### ${name}`, "", String(obj(scheme).description ?? ""), "");
  lines.push("## Operations", "");
  const known = knownErrorCodes(doc);
  for (const [method, path, op] of operations) lines.push(...operationSection(doc, known, method, path, op));
  lines.push("## Shapes", "");
  for (const [name, schema] of Object.entries(obj(obj(doc.components).schemas)))
    lines.push(...schemaSection(name, obj(schema)));
  return `${lines
    .join("\n")
    .replaceAll(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}
