/**
 * Where signed digests are anchored OUTSIDE the two audit tables, so that deleting the tables
 * cannot delete the evidence (like CloudTrail's digest files):
 * - locally, a file `audit-digests.jsonl` (one digest per line) in the platform's data folder;
 * - on AWS, an S3 bucket with Object Lock in compliance mode (audit-anchor-s3.ts, apart so that
 *   only the functions that anchor or verify bundle the S3 client).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Digest } from "../core/audit-chain.ts";
import { toDigest } from "./audit-log.ts";

export interface DigestAnchor {
  /** Where the digests are (printed, and named in verify's answer). */
  readonly where: string;
  put(digest: Digest): Promise<void>;
  /** Every anchored digest, oldest first. */
  list(): Promise<Digest[]>;
  /** The anchored digests from `seq` on, oldest first (the digester's cheap look at the end). */
  since(seq: number): Promise<Digest[]>;
}

export const ANCHOR_FILE = "audit-digests.jsonl";

/** A local digest file (appended; one JSON digest per line). */
export function fileAnchor(dir: string): DigestAnchor {
  const file = join(dir, ANCHOR_FILE);
  return {
    where: file,
    async put(digest) {
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, `${JSON.stringify(digest)}\n`);
    },
    async list() {
      if (!existsSync(file)) return [];
      const digests: Digest[] = [];
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        try {
          digests.push(toDigest(JSON.parse(line)));
        } catch {
          // a torn last line (a crash mid-append) is no digest; a forged one fails its signature
        }
      }
      return digests.sort((a, b) => a.seq - b.seq);
    },
    async since(seq) {
      return (await this.list()).filter((d) => d.seq >= seq);
    },
  };
}
