/**
 * Playwright's global setup: the console built, `npm start`'s platform running on an ephemeral port
 * (its own DynamoDB Local), the seed records evaluated. The URL reaches the tests through the
 * environment; the teardown stops the platform (Java included).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FullConfig } from "@playwright/test";
import { startNpmStartPlatform, stopPlatform } from "./platform.ts";
import { seed } from "./seed.ts";

export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  const chromium = config.projects[0]?.use.launchOptions?.executablePath;
  if (chromium && !existsSync(chromium))
    throw new Error(
      `no Chromium at ${chromium}: apt-get install -y chromium fonts-noto-cjk (or set CHROMIUM_PATH to a Chromium)`,
    );
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const { buildConsole, isStale } = await import("../../console/build.ts");
  if (isStale()) await buildConsole();
  const platform = await startNpmStartPlatform(root);
  try {
    await seed(platform.url);
  } catch (error) {
    await stopPlatform(platform.child);
    throw error;
  }
  process.env.CONSOLE_TEST_BASE_URL = platform.url;
  return () => stopPlatform(platform.child);
}
