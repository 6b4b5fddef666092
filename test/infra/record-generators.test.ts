/**
 * Each record type's module (schemas/records/) holds its random generator beside its schema and
 * facts; the generators are the tests' and the bench's. Every handler imports the record modules,
 * so this checks that no Lambda bundle carries a generator: built as `cdk synth` builds them (the
 * packages left out, to stay quick, and not minified, so names show), no bundle names a
 * generator or the seeded source, or imports fast-check.
 */
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { esbuildOptions, HANDLERS_DIR } from "../../infra/bundling.ts";
import { RECORD_TYPES } from "../../schemas/record.ts";

const HANDLERS = readdirSync(HANDLERS_DIR)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.slice(0, -3));
/** The generators' names (`randomExpense` …), as each record type's module exports its own. */
const GENERATOR_NAMES = RECORD_TYPES.map((t) => `random${t[0]?.toUpperCase()}${t.slice(1)}`);

async function bundle(handler: string) {
  const result = await build({
    ...esbuildOptions(handler),
    minify: false, // names stay readable, so a generator left in would show by name
    sourcemap: false,
    packages: "external",
    outfile: join(tmpdir(), "record-generators", handler, "index.mjs"),
    write: false,
    metafile: true,
  });
  const output = Object.values(result.metafile.outputs)[0];
  const inputs = Object.entries(output?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path.split(sep).join("/"));
  const text = new TextDecoder().decode(result.outputFiles.find((o) => o.path.endsWith(".mjs"))?.contents);
  return { inputs, text };
}

describe("no Lambda bundle carries a record generator", () => {
  it("knows every handler and every generator's name", () => {
    expect(HANDLERS.length).toBeGreaterThan(10);
    expect(GENERATOR_NAMES).toContain("randomExpense");
  });

  it("checks bundles that do carry the record types' modules (their schemas)", async () => {
    const { inputs, text } = await bundle("ingest");
    for (const type of RECORD_TYPES)
      expect(inputs).toContainEqual(expect.stringMatching(`schemas/records/${type}.ts$`));
    expect(text).toContain("expenseData");
  });

  it.each(HANDLERS)("%s", async (handler) => {
    const { inputs, text } = await bundle(handler);
    expect(inputs.length).toBeGreaterThan(0);
    const named = [...GENERATOR_NAMES, "RECORD_GENERATORS", "seededRandom", "mulberry32"];
    expect(named.filter((name) => new RegExp(`\\b${name}\\b`).test(text))).toEqual([]);
    expect(text).not.toContain('"fast-check"');
  });
});
