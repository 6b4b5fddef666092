/**
 * `npm run docs`: writes docs/rules.md (from the policies) and docs/api.md (from the OpenAPI
 * document). `npm run docs -- --check`: writes nothing; exits 1 listing every file that differs
 * from what would be generated. test/docs checks the same, so the docs never drift.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatDiagnostic } from "../functions/core/diagnostics.ts";
import { loadPolicies } from "../functions/core/policy/loader.ts";
import { policiesDir, readPolicyFiles } from "../functions/local/policy-files.ts";
import { renderOpenApi } from "../schemas/openapi.ts";
import { renderApiReference } from "./api.ts";
import { renderRulesReference } from "./rules.ts";

const dir = fileURLToPath(new URL(".", import.meta.url));

/** Every generated doc: its file name under docs/ and its text, from the shipped policies. */
export function generatedDocs(policies = policiesDir()): [name: string, text: string][] {
  const loaded = loadPolicies(readPolicyFiles(policies));
  if (!loaded.ok) throw new Error(loaded.diagnostics.map(formatDiagnostic).join("\n"));
  return [
    ["rules.md", renderRulesReference(loaded.set)],
    ["api.md", renderApiReference(JSON.parse(renderOpenApi()))],
  ];
}

export const DOCS_DIR = dir;

if (import.meta.main) {
  const check = process.argv.includes("--check");
  const drifted: string[] = [];
  for (const [name, text] of generatedDocs()) {
    const path = join(dir, name);
    if (!check) {
      writeFileSync(path, text);
      console.log(`wrote docs/${name}`);
      continue;
    }
    let current: string | undefined;
    try {
      current = readFileSync(path, "utf8");
    } catch {
      current = undefined;
    }
    if (current !== text) drifted.push(`docs/${name}`);
  }
  if (check && drifted.length > 0) {
    console.error(`not as generated (run npm run docs):\n${drifted.map((f) => `  ${f}`).join("\n")}`);
    process.exit(1);
  }
  if (check) console.log("docs up to date");
}
