/**
 * A Runtime for handler tests: the shipped policies, this test file's own tables on the shared
 * DynamoDB Local, known credentials, and a clock the test can move.
 */

import { createEvaluator } from "../../functions/core/engine/evaluate.ts";
import { createClients } from "../../functions/local/aws-clients.ts";
import type { Runtime } from "../../functions/runtime/runtime.ts";
import { logger } from "../../functions/runtime/runtime.ts";
import { evaluateStoredRevision } from "../../functions/service/evaluate-revision.ts";
import { ingestRecord } from "../../functions/service/ingest.ts";
import { createPlatform, type Platform } from "../../functions/service/platform.ts";
import { dynamoDbStorage } from "../../functions/store/dynamodb-storage.ts";
import { recordKey } from "../../functions/store/repositories.ts";
import type { TableNames } from "../../functions/store/tables.ts";
import { recordSchema } from "../../schemas/record.ts";
import { shippedPolicies } from "./policies.ts";
import { TEST_ISSUER } from "./tokens.ts";

export const TEST_SECRETS = new Map([
  ["erp", "erp-test-secret"],
  ["crm", "crm-test-secret"],
]);
/** The machine reader's static token (COMPLIANCE_AUDITOR_TOKEN): reads everything, never acts. */
export const AUDITOR_TOKEN = "test-auditor-token";

export class TestClock {
  private ms: number;
  constructor(iso: string) {
    this.ms = Date.parse(iso);
  }
  now = (): Date => new Date(this.ms);
  set(iso: string) {
    this.ms = Date.parse(iso);
  }
  advance(ms: number) {
    this.ms += ms;
  }
}

export function testRuntime(endpoint: string, tables: TableNames, clock: TestClock): Runtime {
  const { doc } = createClients(endpoint);
  return {
    platform: createPlatform({
      set: shippedPolicies(),
      storage: dynamoDbStorage(doc, tables),
      now: clock.now,
      compile: createEvaluator,
    }),
    dynamodb: { doc, tables },
    credentials: {
      readerToken: AUDITOR_TOKEN,
      verifyToken: TEST_ISSUER.verify,
      webhookSecrets: async () => TEST_SECRETS,
    },
    logger,
    cursorKey: async () => "test-cursor-key",
  };
}

/**
 * Stores a record and evaluates it at once, as ingest and then the evaluator would, with no stream
 * in between: for tests about what happens after evaluation.
 */
export async function storeAndEvaluate(platform: Platform, input: unknown, clientId = "erp"): Promise<void> {
  const record = recordSchema.parse(input);
  await ingestRecord(platform, record, clientId);
  const stored = await platform.records.getRevision(recordKey(record.type, record.id), record.revision);
  if (!stored) throw new Error(`${record.type}/${record.id} revision ${record.revision} was not stored`);
  await evaluateStoredRevision(platform, stored);
}
