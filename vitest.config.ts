import { configDefaults, defineConfig } from "vitest/config";

/**
 * The unit tests: the pure core and the logic around it, in-process, in seconds, without Java —
 * no DynamoDB Local, no CDK synthesis or Lambda bundling, no child process. `npm run test:unit`
 * runs these alone; `npm test` runs them with the rest. A test file not listed here runs with the
 * integration tests (which start DynamoDB Local), so a new file is never left out: list it here
 * when it needs none of that.
 */
export const UNIT_TESTS = [
  "test/architecture.test.ts",
  "test/core/**/*.test.ts",
  "test/api/router.test.ts",
  "test/audit/audit-chain.test.ts",
  "test/audit/audit-completeness-core.test.ts",
  "test/audit/audit-anchor.test.ts",
  "test/audit/audit-blocks.test.ts",
  "test/cli/explain-cli.test.ts",
  "test/cli/policy-diff.test.ts",
  "test/cli/policy-workflow.test.ts",
  "test/console/console-logic.test.ts",
  "test/docs/docs.test.ts",
  "test/http/oidc.test.ts",
  "test/local/console-files.test.ts",
  "test/local/stream-delivery.test.ts",
  "test/local/give-way.test.ts",
  "test/notify/core.test.ts",
  "test/notify/settings.test.ts",
  "test/security/background-logs.test.ts",
  "test/security/constant-time.test.ts",
  "test/security/csv-cells.test.ts",
  "test/security/storable.test.ts",
  "test/security/violation-history.test.ts",
  "test/security/webhook-secrets.test.ts",
];

export default defineConfig({
  test: {
    // property and differential tests run thousands of evaluations: generous, not tight
    testTimeout: 60_000,
    // handlers log JSON lines; tests assert on behaviour, so keep the output readable
    env: { POWERTOOLS_LOG_LEVEL: "CRITICAL" },
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: UNIT_TESTS,
          // no global setup: nothing starts Java. A unit test that asks for DynamoDB (useTables)
          // fails at once with this reason instead of waiting for one.
          provide: {
            dynamodbEndpoint: null,
            dynamodbUnavailable:
              "this file runs with the unit tests, which have no DynamoDB: take it out of UNIT_TESTS (vitest.config.ts)",
          },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...UNIT_TESTS],
          // one DynamoDB Local for the whole run, shared by every file that calls useTables()
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
    ],
  },
});
