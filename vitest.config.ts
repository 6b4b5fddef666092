import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // property and differential tests run thousands of evaluations: generous, not tight
    testTimeout: 60_000,
    // handlers log JSON lines; tests assert on behaviour, so keep the output readable
    env: { POWERTOOLS_LOG_LEVEL: "CRITICAL" },
    reporters: ["default"],
    // one DynamoDB Local for the whole run, shared by every file that calls useTables()
    globalSetup: ["test/support/global-setup.ts"],
  },
});
