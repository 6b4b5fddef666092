/**
 * The digest anchor of a handler's Runtime (the digester and GET /v1/audit/verify only, so the
 * stream consumer's bundle stays without the S3 client):
 *   COMPLIANCE_AUDIT_BUCKET        the Object Lock bucket digests are anchored in (AWS)
 *   COMPLIANCE_AUDIT_ANCHOR_DIR    a folder for the digest file instead (local tools)
 */

import type { AuditDeps } from "../service/audit.ts";
import { type DigestAnchor, fileAnchor } from "../store/audit-anchor.ts";
// static, not import(): a lazily imported module makes esbuild keep whole packages behind it
// (here every DynamoDB command's schema, ~46 KB); the S3 anchor itself is ~2 KB over the signer
// every SDK client already carries
import { s3Anchor } from "../store/audit-anchor-s3.ts";
import { attachAudit, auditOf } from "./audit-runtime.ts";
import { ConfigurationError, type Runtime } from "./runtime.ts";

/** What the anchor borrows from a DynamoDB client: its credentials and region (same account). */
export interface AwsConfigSource {
  readonly config: {
    credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
    region: () => Promise<string>;
  };
}

/** The anchor the environment names: the Object Lock bucket (AWS) or a folder (local tools). */
export async function anchorFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  aws?: AwsConfigSource,
): Promise<DigestAnchor | undefined> {
  const bucket = env.COMPLIANCE_AUDIT_BUCKET;
  if (bucket) {
    const region = env.AWS_REGION ?? (aws ? await aws.config.region() : undefined);
    if (!region) throw new ConfigurationError("set AWS_REGION for the audit digest bucket");
    return s3Anchor({
      bucket,
      region,
      credentials: async () => {
        if (aws) return aws.config.credentials();
        const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
        if (!accessKeyId || !secretAccessKey)
          throw new ConfigurationError("no AWS credentials for the digest bucket");
        return {
          accessKeyId,
          secretAccessKey,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        };
      },
    });
  }
  if (env.COMPLIANCE_AUDIT_ANCHOR_DIR) return fileAnchor(env.COMPLIANCE_AUDIT_ANCHOR_DIR);
  return undefined;
}

/** auditOf, with the anchor (digester and verify): an attached one, else the environment's. */
export async function auditWithAnchorOf(
  rt: Runtime,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AuditDeps> {
  const deps = auditOf(rt, env);
  if (deps.anchor) return deps;
  const anchor = await anchorFromEnv(env, rt.dynamodb.doc as unknown as AwsConfigSource);
  return anchor ? attachAudit(rt, { ...deps, anchor }) : deps;
}
