/**
 * CloudFormation custom resource: publishes the bundled policy versions into the policy-versions
 * table at deploy time. A released version whose content changed fails the deployment (released
 * versions never change; a change is a new version file).
 */
import type { CloudFormationCustomResourceEvent } from "aws-lambda";
import { logger } from "../runtime/logger.ts";
import { loadPolicySetForProcess } from "../runtime/policy-set.ts";
import { createTableClients } from "../store/clients.ts";
import { PolicyVersionsStore } from "../store/policy-versions.ts";
import { tablesFromEnv } from "../store/tables.ts";

/** For the CDK Provider framework: return the physical id; throwing fails the deployment. */
export async function handler(event: CloudFormationCustomResourceEvent) {
  const physicalId = "policy-versions";
  if (event.RequestType === "Delete") return { PhysicalResourceId: physicalId };
  const set = await loadPolicySetForProcess();
  const { doc } = createTableClients(process.env.COMPLIANCE_DYNAMODB_ENDPOINT);
  await new PolicyVersionsStore(doc, tablesFromEnv(process.env).policyVersions).publish(
    set.versions,
    new Date().toISOString(),
  );
  logger.info("policy versions published", {
    versions: set.versions.map((v) => `${v.id}@${v.version}`).join(", "),
  });
  return {
    PhysicalResourceId: physicalId,
    Data: {
      versions: set.versions.length,
      digest: set.versions
        .map((v) => v.sha256)
        .join("")
        .slice(0, 64),
    },
  };
}
