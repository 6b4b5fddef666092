/**
 * Browser tests of the web console (issue 14): Playwright driving Debian's Chromium (Playwright
 * cannot download its own browsers here) against `npm start`'s platform, started once by the
 * global setup. `npm test` runs the `console` project; `npm run screenshots` the `screenshots` one.
 */
import { defineConfig } from "@playwright/test";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "test/browser",
  testMatch: "*.spec.ts",
  globalSetup: "./test/browser/global-setup.ts",
  // one platform for all tests; two workers at most on this two-core machine
  workers: 2,
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    locale: "en-GB",
    timezoneId: "UTC",
    viewport: { width: 1280, height: 900 },
    trace: "off",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: CHROMIUM,
      // --no-sandbox: Debian's Chromium as root in a container; the rest keep it off the network
      args: [
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-domain-reliability",
        "--disable-sync",
        "--disable-default-apps",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-client-side-phishing-detection",
        "--metrics-recording-only",
      ],
    },
  },
  projects: [
    { name: "console", testIgnore: "screenshots.spec.ts" },
    { name: "screenshots", testMatch: "screenshots.spec.ts" },
  ],
});
