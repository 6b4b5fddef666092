/**
 * The AWS digest anchor: an S3 bucket with Object Lock in compliance mode. One object per digest,
 * `digests/<seq, 12 digits>.json`, written once (If-None-Match) and kept for the bucket's default
 * retention by S3 itself: not even the account's root user can delete or overwrite it meanwhile.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { DigestAnchor } from "./audit-anchor.ts";
import { toDigest } from "./audit-log.ts";
import { StoreError } from "./errors.ts";

export const digestObjectKey = (seq: number) => `digests/${String(seq).padStart(12, "0")}.json`;

/** An S3 bucket with Object Lock (compliance mode; its default retention applies to each object). */
export function s3Anchor(s3: S3Client, bucket: string): DigestAnchor {
  return {
    where: `s3://${bucket}/digests/`,
    async put(digest) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: digestObjectKey(digest.seq),
            Body: JSON.stringify(digest),
            ContentType: "application/json",
            // Object Lock requires an integrity checksum on every upload
            ChecksumAlgorithm: "SHA256",
            // written once: a second digest under the same seq is refused, never a new version
            IfNoneMatch: "*",
          }),
        );
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 412) return; // already anchored (a retried run): the first one stands
        throw new StoreError("audit_anchor_failed", `could not anchor digest ${digest.seq} in ${bucket}`, {
          cause: error,
        });
      }
    },
    async list() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const out: ListObjectsV2CommandOutput = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: "digests/", ContinuationToken: token }),
        );
        for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
      const digests = await Promise.all(
        keys.map(async (Key) => {
          const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
          return toDigest(JSON.parse((await out.Body?.transformToString()) ?? "{}"));
        }),
      );
      return digests.sort((a, b) => a.seq - b.seq);
    },
  };
}
