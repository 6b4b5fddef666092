/** The repositories on DynamoDB: what createPlatform is given by Lambda, `npm start` and the tests. */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { PolicyVersionsStore } from "./policy-versions.ts";
import { RecordsStore } from "./records.ts";
import type { Storage } from "./repositories.ts";
import { StatsStore } from "./stats.ts";
import type { TableNames } from "./tables.ts";
import { ViolationsStore } from "./violations.ts";

export function dynamoDbStorage(doc: DynamoDBDocumentClient, tables: TableNames): Storage {
  return {
    records: new RecordsStore(doc, tables),
    violations: new ViolationsStore(doc, tables.violations),
    policyVersions: new PolicyVersionsStore(doc, tables.policyVersions),
    stats: new StatsStore(doc, tables.stats),
  };
}
