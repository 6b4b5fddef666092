/**
 * The repository's docs stand alone and never drift: docs/rules.md and docs/api.md are committed
 * exactly as `npm run docs` generates them (from the policies and the OpenAPI document), they
 * cover every rule, route and query parameter, and no doc sends a reader to files a clone lacks.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DOCS_DIR, generatedDocs, README, withFactsTable } from "../../docs/generate.ts";
import { buildOpenApi } from "../../functions/api/openapi.ts";
import { conditionWordsBoth } from "../../functions/core/policy/words.ts";
import { REPO_ROOT } from "../../functions/runtime/policy-files.ts";
import { shippedPolicies } from "../support/policies.ts";

const docs = Object.fromEntries(generatedDocs());
const committed = (name: string) => readFileSync(join(DOCS_DIR, name), "utf8");

describe("generated docs", () => {
  for (const name of Object.keys(docs))
    it(`docs/${name} is committed as generated (run npm run docs after changing policies or the API)`, () => {
      expect(committed(name)).toBe(docs[name]);
    });

  it("README.md's facts table is as generated", () => {
    const readme = readFileSync(README, "utf8");
    expect(readme).toBe(withFactsTable(readme));
    for (const fact of ["elapsed", "approverAuthority", "missingClauses", "escalatedToAllAt"])
      expect(readme).toContain(`| \`${fact}\` |`);
    expect(readme).toContain("`authority` (map of");
  });

  it("rules.md names every policy version, when it is in force, and every rule in words, zh and en", () => {
    const rules = docs["rules.md"] as string;
    for (const v of shippedPolicies().versions) {
      expect(rules).toContain(`### ${v.id} v${v.version}: ${v.title.en}`);
      expect(rules).toContain(`In force from ${v.effectiveFrom}`);
      for (const rule of v.rules) {
        const words = conditionWordsBoth(rule.whenAsWritten);
        expect(rules).toContain(`#### \`${rule.id}\``);
        expect(rules).toContain(`| fires when | ${words.en.replaceAll("|", "\\|")} |`);
        expect(rules).toContain(`| 觸發條件 | ${words.zh.replaceAll("|", "\\|")} |`);
        expect(rules).toContain(`| due | \`${rule.due}\``);
        for (const s of rule.source) expect(rules).toContain(`${s.document} ${s.clause}`);
      }
    }
    expect(rules).toMatch(/^## Facts$/m);
    expect(rules).toContain("| `elapsed` | every type | `from` (string)");
  });

  it("api.md names every route and every one of its parameters, query parameters included", () => {
    const api = docs["api.md"] as string;
    const doc = buildOpenApi() as { paths: Record<string, Record<string, { parameters?: unknown[] }>> };
    let queryParameters = 0;
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        expect(api).toContain(`### ${method.toUpperCase()} ${path}\n`);
        for (const p of op.parameters ?? []) {
          const parameter = p as { name?: string; in?: string };
          if (!parameter.name) continue; // a $ref (the correlation id header), listed resolved
          if (parameter.in === "query") queryParameters++;
          expect(api).toContain(`| \`${parameter.name}\` | ${parameter.in} |`);
        }
      }
    expect(queryParameters).toBeGreaterThan(10);
    expect(api).toContain("| `explain` | query | no | one of `true`, `false` |");
    expect(api).toContain("`not_found`");
  });
});

describe("the docs stand alone", () => {
  const files = [
    "README.md",
    "infra/README.md",
    ...readdirSync(DOCS_DIR)
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];

  it.each(files)(
    "%s neither links nor names files outside the repository (../shared, CONTRACT, CATALOGUE)",
    (file) => {
      const text = readFileSync(join(REPO_ROOT, file), "utf8");
      expect(text).not.toMatch(/\.\.\/shared|\bCONTRACT\b|\bCATALOGUE\b/);
    },
  );

  it("the README opens with the two commands and shows a YAML rule, the facts and the references", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    expect(readme.split("\n").slice(2, 6).join("\n")).toMatch(/^```sh\nnpm start[^\n]*\nnpm test/);
    expect(readme).toMatch(/```yaml\n[\s\S]*?- id: [\s\S]*?when:[\s\S]*?```/);
    expect(readme).toContain("docs/rules.md");
    expect(readme).toContain("docs/api.md");
    expect(readme).toContain("npm run docs");
  });
});
