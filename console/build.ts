/**
 * Builds the web console (Vite) into console/dist. `--if-stale` builds only when dist is missing
 * or older than any source file: `npm start` and the browser tests call it so the console they
 * serve is always the current one, without a rebuild on every start.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));
export const DIST = join(root, "dist");
const SOURCES = ["src", "index.html", "vite.config.ts", "tsconfig.json"];

function newest(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** True when console/dist is missing or older than a source file. */
export function isStale(): boolean {
  const built = statSync(join(DIST, "index.html"), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return SOURCES.some((s) => newest(join(root, s)) > built);
}

export async function buildConsole(): Promise<void> {
  const { build } = await import("vite");
  await build({ configFile: join(root, "vite.config.ts") });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--if-stale") && !isStale()) {
    console.log("console: console/dist is up to date");
  } else {
    const started = performance.now();
    await buildConsole();
    console.log(`console: built console/dist in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}
