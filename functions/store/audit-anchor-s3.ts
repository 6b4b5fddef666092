/**
 * The AWS digest anchor: an S3 bucket with Object Lock in compliance mode. One object per digest,
 * `digests/<seq, 12 digits>.json`, written once (If-None-Match) and kept for the bucket's default
 * retention by S3 itself: not even the account's root user can delete or overwrite it meanwhile.
 *
 * Three plain S3 REST calls (PutObject, ListObjectsV2, GetObject) signed with the SDK's own SigV4
 * signer (@smithy/signature-v4, which every SDK client already bundles) over fetch: the full S3
 * client would add ~250 KB to the digester's and the auditor's bundles for these three calls.
 */
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Digest } from "../core/audit-chain.ts";
import type { DigestAnchor } from "./audit-anchor.ts";
import { toDigest } from "./audit-log.ts";
import { StoreError } from "./errors.ts";

export const digestObjectKey = (seq: number) => `digests/${String(seq).padStart(12, "0")}.json`;

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface S3AnchorOptions {
  readonly bucket: string;
  readonly region: string;
  readonly credentials: () => Promise<S3Credentials>;
  /** Tests: another endpoint (path-style); default https://<bucket>.s3.<region>.amazonaws.com */
  readonly endpoint?: string;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Buffer =>
  typeof data === "string"
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256 (and HMAC-SHA256 with a secret) as the signer wants it. */
class Sha256 {
  private readonly hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const xmlValues = (xml: string, tag: string) =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) =>
    (m[1] as string).replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">"),
  );

/** An S3 bucket with Object Lock (compliance mode; its default retention applies to each object). */
export function s3Anchor(opts: S3AnchorOptions): DigestAnchor {
  const signer = new SignatureV4({
    service: "s3",
    region: opts.region,
    credentials: opts.credentials,
    sha256: Sha256,
    uriEscapePath: false,
  });
  const base = new URL(opts.endpoint ?? `https://${opts.bucket}.s3.${opts.region}.amazonaws.com`);
  const prefixPath = opts.endpoint ? `/${opts.bucket}` : "";

  async function send(
    method: "GET" | "PUT",
    key: string,
    query: Record<string, string> = {},
    body?: string,
    extra: Record<string, string> = {},
  ): Promise<Response> {
    const payloadHash = createHash("sha256")
      .update(body ?? "")
      .digest("hex");
    const path = `${prefixPath}/${key.split("/").map(encodeURIComponent).join("/")}`;
    const signed = await signer.sign({
      method,
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port ? Number(base.port) : undefined,
      path,
      query,
      headers: { host: base.host, "x-amz-content-sha256": payloadHash, ...extra },
      ...(body === undefined ? {} : { body }),
    });
    const url = new URL(path, base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers = { ...signed.headers } as Record<string, string>;
    delete headers.host;
    return fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  }

  return {
    where: `s3://${opts.bucket}/digests/`,
    async put(digest) {
      const body = JSON.stringify(digest);
      const answer = await send("PUT", digestObjectKey(digest.seq), {}, body, {
        "content-type": "application/json",
        // Object Lock requires an integrity checksum on every upload
        "x-amz-checksum-sha256": createHash("sha256").update(body).digest("base64"),
        // written once: a second digest under the same seq is refused, never a new version
        "if-none-match": "*",
      });
      if (answer.status === 412) return; // already anchored (a retried run): the first one stands
      if (!answer.ok)
        throw new StoreError(
          "audit_anchor_failed",
          `could not anchor digest ${digest.seq} in ${opts.bucket}: S3 answered ${answer.status} ${(await answer.text()).slice(0, 300)}`,
        );
    },
    list() {
      return listFrom(undefined);
    },
    since(seq) {
      return listFrom(seq > 1 ? digestObjectKey(seq - 1) : undefined);
    },
  };

  /** The anchored digests after the key `startAfter` (all without it), oldest first. */
  async function listFrom(startAfter: string | undefined): Promise<Digest[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const answer = await send("GET", "", {
        "list-type": "2",
        prefix: "digests/",
        ...(startAfter ? { "start-after": startAfter } : {}),
        ...(token ? { "continuation-token": token } : {}),
      });
      const xml = await answer.text();
      if (!answer.ok)
        throw new StoreError(
          "audit_anchor_failed",
          `cannot list ${opts.bucket}: S3 answered ${answer.status}`,
        );
      keys.push(...xmlValues(xml, "Key"));
      token =
        xmlValues(xml, "IsTruncated")[0] === "true" ? xmlValues(xml, "NextContinuationToken")[0] : undefined;
    } while (token);
    const digests: Digest[] = await Promise.all(
      keys.map(async (key) => {
        const answer = await send("GET", key);
        if (!answer.ok)
          throw new StoreError("audit_anchor_failed", `cannot read ${key}: S3 answered ${answer.status}`);
        return toDigest(JSON.parse(await answer.text()));
      }),
    );
    return digests.sort((a, b) => a.seq - b.seq);
  }
}
