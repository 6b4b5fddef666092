/**
 * `npm run schemas`: writes schemas/*.schema.json and schemas/openapi.json from the zod schemas.
 * `npm run schemas -- --check`: writes nothing; exits 1 listing every file that differs from what
 * would be generated (CI, pre-commit).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderOpenApi } from "../functions/api/openapi.ts";
import { JSON_SCHEMAS, renderJsonSchema } from "../schemas/json-schemas.ts";

const dir = fileURLToPath(new URL("../schemas/", import.meta.url));
const check = process.argv.includes("--check");

const outputs: [name: string, render: () => string][] = [
  ...Object.keys(JSON_SCHEMAS).map((name): [string, () => string] => [name, () => renderJsonSchema(name)]),
  ["openapi.json", renderOpenApi],
];

function current(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

const drifted: string[] = [];
for (const [name, render] of outputs) {
  const path = join(dir, name);
  const text = render();
  if (check) {
    if (current(path) !== text) drifted.push(`schemas/${name}`);
    continue;
  }
  writeFileSync(path, text);
  console.log(`wrote schemas/${name}`);
}

if (check) {
  if (drifted.length > 0) {
    console.error(`not as generated (run npm run schemas):\n${drifted.map((f) => `  ${f}`).join("\n")}`);
    process.exit(1);
  }
  console.log(`schemas up to date (${outputs.length} files)`);
}
