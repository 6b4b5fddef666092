/**
 * Playwright's global setup: the console built, `npm start`'s platform running on an ephemeral port
 * (its own DynamoDB Local), the seed records evaluated. The URL reaches the tests through the
 * environment; the teardown stops the platform (Java included).
 */
import { fileURLToPath } from "node:url";
import { startNpmStartPlatform, stopPlatform } from "./platform.ts";
import { seed } from "./seed.ts";

export default async function globalSetup(): Promise<() => Promise<void>> {
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
