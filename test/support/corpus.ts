/**
 * Loader corpus (OPA-style: inputs and expected errors side by side). Each case folder under
 * test/corpus/loader/ is laid over `_base/`; `delete.txt` lists base files to remove and
 * `expected.txt` holds the exact diagnostics, one `file:line:column: message` per line.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceFile } from "../../functions/core/policy/model.ts";

export const CORPUS = fileURLToPath(new URL("../corpus/loader/", import.meta.url));

function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = join(e.parentPath, e.name);
    out.set(relative(dir, full).split(sep).join("/"), readFileSync(full, "utf8"));
  }
  return out;
}

export function corpusCases(): string[] {
  return readdirSync(CORPUS)
    .filter((name) => !name.startsWith("_"))
    .sort();
}

/** The policies folder of a case, as the loader receives it (display paths under `policies/`). */
export function corpusFiles(name: string): SourceFile[] {
  const files = filesUnder(join(CORPUS, "_base"));
  for (const [path, text] of filesUnder(join(CORPUS, name))) {
    if (path === "expected.txt" || path === "delete.txt") continue;
    files.set(path, text);
  }
  const deleted = join(CORPUS, name, "delete.txt");
  if (existsSync(deleted))
    for (const line of readFileSync(deleted, "utf8").split("\n")) if (line.trim()) files.delete(line.trim());
  return [...files.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, text]) => ({ path, display: `policies/${path}`, text }));
}

export function expectedDiagnostics(name: string): string[] {
  return readFileSync(join(CORPUS, name, "expected.txt"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
}
