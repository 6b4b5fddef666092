/**
 * Reads a policies folder from disk for the loader (the core itself does no I/O).
 * `COMPLIANCE_POLICIES_DIR` points every entry point at another folder (CONTRACT §4).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceFile } from "../core/policy/model.ts";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export function policiesDir(explicit?: string): string {
  return resolve(explicit ?? process.env.COMPLIANCE_POLICIES_DIR ?? join(REPO_ROOT, "policies"));
}

/** Every file under `dir` (sorted), named relative to it with '/' separators. */
export function readPolicyFiles(dir: string): SourceFile[] {
  const root = resolve(dir);
  const entries = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const shown = relative(process.cwd(), root) || ".";
  return entries.map((full) => {
    const path = relative(root, full).split(sep).join("/");
    return { path, display: join(shown, path), text: readFileSync(full, "utf8") };
  });
}
