import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // property and differential tests run thousands of evaluations: generous, not tight
    testTimeout: 60_000,
    reporters: ["default"],
  },
});
