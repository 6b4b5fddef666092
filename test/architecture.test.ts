/**
 * The shape of the code, checked on every test run (pure: reads the sources, no Java):
 * - no import cycle between files of functions/, schemas/, infra/, bin/, scripts/, bench/;
 * - the pure bottom (functions/core/, schemas/) imports only itself and packages, and no layer
 *   imports one above it (LAYERS);
 * - no import reaches inside node_modules by a path (packages are imported by name);
 * - no hand-written .ts file over 500 lines (generated and data files are listed below);
 * - no function over 120 lines (measured by TypeScript's own parser: test/support/function-lengths.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { functionLengths } from "./support/function-lengths.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCANNED = ["functions", "schemas", "infra", "bin", "scripts", "bench"];
const MAX_LINES = 500;
/** Files allowed past MAX_LINES, each with why: generated or data, not hand-written logic. */
const LONG_FILE_EXCEPTIONS: Readonly<Record<string, string>> = {};
/** A function longer than this does several jobs: split it along them. */
const MAX_FUNCTION_LINES = 120;

function sources(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js|mjs)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

const FILES = SCANNED.flatMap((d) => sources(join(ROOT, d))).map((f) => relative(ROOT, f));

/** Every module specifier a file imports or re-exports, static or dynamic, type-only included. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (const m of code.matchAll(/(?:^|[;\s])(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/g))
    out.push(m[1] as string);
  for (const m of code.matchAll(/(?:^|[;\s])import\s*["']([^"']+)["']/g)) out.push(m[1] as string);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1] as string);
  return out;
}

/** The repository file a relative specifier names, or undefined for a package. */
function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  return relative(ROOT, resolve(ROOT, dirname(from), spec));
}

const GRAPH = new Map<string, { specs: string[]; local: string[] }>(
  FILES.map((file) => {
    const specs = specifiers(readFileSync(join(ROOT, file), "utf8"));
    const local = specs
      .map((s) => resolveLocal(file, s))
      .filter((f): f is string => f !== undefined && /\.(ts|js|mjs)$/.test(f));
    return [file, { specs, local }];
  }),
);

/** Import cycles (each as a list of files, first repeated last), by depth-first search. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of GRAPH.get(file)?.local ?? []) {
      if (!GRAPH.has(next)) continue;
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of GRAPH.keys()) if (!state.has(file)) visit(file);
  return found;
}

const BOTTOM = (file: string) => file.startsWith("functions/core/") || file.startsWith("schemas/");

/**
 * The layers, bottom first: a file may import its own layer and those below, never above. The
 * pipeline reads upwards: schemas and the pure core, storage, use cases, process wiring and HTTP
 * mechanics, the route table, Lambda handlers, then the local runtime, the CLI, CDK and scripts.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["schemas/", "functions/core/"],
  ["functions/store/"],
  ["functions/service/"],
  ["functions/runtime/", "functions/http/"],
  ["functions/api/"],
  ["functions/handlers/"],
  ["functions/local/", "functions/cli/"],
  ["infra/", "bin/", "scripts/", "bench/"],
];
/** Known upward imports, each with why it is still there and where it goes; nothing new joins them. */
const UPWARD_EXCEPTIONS: Readonly<Record<string, string>> = {
  "functions/local/lambda-bundles.ts → infra/constructs/function.ts":
    "COMPLIANCE_BUNDLES=1 runs exactly what `cdk synth` builds: it synthesizes the CDK app itself (local only, never deployed)",
  "functions/local/lambda-bundles.ts → infra/policies.ts":
    "COMPLIANCE_BUNDLES=1 runs exactly what `cdk synth` builds: it synthesizes the CDK app itself (local only, never deployed)",
  "functions/local/lambda-bundles.ts → infra/stack.ts":
    "COMPLIANCE_BUNDLES=1 runs exactly what `cdk synth` builds: it synthesizes the CDK app itself (local only, never deployed)",
};
const layerOf = (file: string) => LAYERS.findIndex((folders) => folders.some((f) => file.startsWith(f)));

describe("architecture", () => {
  it("parses imports of every kind", () => {
    expect(
      specifiers(`import a from "./a.ts";\nimport type { B } from "../b.ts";\nexport * from "./c.ts";
import "./d.ts";\nconst e = await import("./e.ts");\n// import x from "./commented.ts";`),
    ).toEqual(["./a.ts", "../b.ts", "./c.ts", "./d.ts", "./e.ts"]);
    expect(FILES.length).toBeGreaterThan(100);
  });

  it("has no import cycle", () => {
    expect(cycles().map((c) => c.join(" → "))).toEqual([]);
  });

  it("keeps functions/core/ and schemas/ at the bottom: they import only each other and packages", () => {
    const outward = [...GRAPH].flatMap(([file, { local }]) =>
      BOTTOM(file) ? local.filter((to) => !BOTTOM(to)).map((to) => `${file} → ${to}`) : [],
    );
    expect(outward).toEqual([]);
  });

  it("imports only its own layer and those below (schemas/core → store → service → runtime/http → api → handlers → local/cli → infra)", () => {
    const upward = [...GRAPH].flatMap(([file, { local }]) =>
      local.filter((to) => layerOf(to) > layerOf(file)).map((to) => `${file} → ${to}`),
    );
    expect(upward.filter((edge) => !(edge in UPWARD_EXCEPTIONS))).toEqual([]);
    expect(FILES.filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it("imports packages by name, never a path inside node_modules", () => {
    const deep = [...GRAPH].flatMap(([file, { specs }]) =>
      specs.filter((s) => s.includes("node_modules")).map((s) => `${file} → ${s}`),
    );
    expect(deep).toEqual([]);
  });

  it(`has no hand-written .ts file over ${MAX_LINES} lines`, () => {
    const long = FILES.filter((f) => f.endsWith(".ts"))
      .filter((f) => !(f in LONG_FILE_EXCEPTIONS))
      .map((f) => [f, readFileSync(join(ROOT, f), "utf8").split("\n").length] as const)
      .filter(([, lines]) => lines > MAX_LINES)
      .map(([f, lines]) => `${f}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it("measures functions as TypeScript parses them: first token to closing brace, doc comment excluded", () => {
    const dir = mkdtempSync(join(tmpdir(), "function-lengths-"));
    try {
      writeFileSync(
        join(dir, "sample.ts"),
        [
          "/** a doc comment",
          " * over lines */",
          "export function outer(): string {",
          "  const inner = (x: number) => {",
          "    return '}' + x + '{'; // braces in strings and comments: } {",
          "  };",
          "  return String(inner(1));",
          "}",
          "class C {",
          "  method() {",
          "    return /}/.test('{');",
          "  }",
          "}",
          "export const short = () => 1;",
        ].join("\n"),
      );
      expect(functionLengths(dir, ["sample.ts"])).toEqual([
        { file: "sample.ts", line: 3, lines: 6, name: "outer" },
        { file: "sample.ts", line: 4, lines: 3, name: "inner" },
        { file: "sample.ts", line: 10, lines: 3, name: "method" },
        { file: "sample.ts", line: 14, lines: 1, name: "short" },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const lengths = functionLengths(
      ROOT,
      FILES.filter((f) => f.endsWith(".ts")),
    );
    expect(lengths.length).toBeGreaterThan(1000);
    const long = lengths.filter((f) => f.lines > MAX_FUNCTION_LINES);
    expect(long.map((f) => `${f.file}:${f.line} ${f.name}: ${f.lines} lines`)).toEqual([]);
  });
});
