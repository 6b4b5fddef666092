/**
 * The digest anchors: the local file (append, read back, a torn last line ignored) and the S3 one
 * against a small S3 stand-in that checks what the Object Lock bucket needs: SigV4-signed requests
 * for service s3, an integrity checksum on every upload, written once (If-None-Match), listing in
 * pages.
 */
import { createHash } from "node:crypto";
import { appendFileSync, mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDigest, type Digest } from "../../functions/core/audit-chain.ts";
import { ANCHOR_FILE, fileAnchor } from "../../functions/store/audit-anchor.ts";
import { digestObjectKey, s3Anchor } from "../../functions/store/audit-anchor-s3.ts";

const digests = (n: number): Digest[] => {
  const out: Digest[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      buildDigest(
        out.at(-1),
        { at: `2026-03-02T00:0${i}:00Z`, chains: [{ lastSeq: i, lastHash: "0".repeat(64) }] },
        "k",
      ),
    );
  return out;
};

describe("file anchor", () => {
  it("appends digests and reads them back in order; a torn last line is no digest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "anchor-"));
    const anchor = fileAnchor(dir);
    expect(anchor.where).toBe(join(dir, ANCHOR_FILE));
    expect(await anchor.list()).toEqual([]);
    const [d1, d2] = digests(2) as [Digest, Digest];
    await anchor.put(d2);
    await anchor.put(d1);
    appendFileSync(join(dir, ANCHOR_FILE), '{"seq": 3, "at"');
    expect(await anchor.list()).toEqual([d1, d2]);
    expect(await anchor.since(2)).toEqual([d2]);
  });
});

describe("S3 anchor (against an S3 stand-in)", () => {
  const objects = new Map<string, string>();
  const seen: { method: string; url: string; headers: IncomingMessage["headers"] }[] = [];
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
        const auth = String(req.headers.authorization ?? "");
        if (
          !/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/.test(
            auth,
          )
        ) {
          res.writeHead(403).end("unsigned");
          return;
        }
        const url = new URL(req.url ?? "/", "http://x");
        const [, bucket, ...rest] = url.pathname.split("/");
        if (bucket !== "anchor-bucket") return void res.writeHead(404).end();
        const key = rest.join("/");
        const body = Buffer.concat(chunks).toString();
        if (req.method === "PUT") {
          const checksum = createHash("sha256").update(body).digest("base64");
          if (req.headers["x-amz-checksum-sha256"] !== checksum)
            return void res.writeHead(400).end("checksum");
          if (req.headers["if-none-match"] !== "*") return void res.writeHead(400).end("overwrite");
          if (objects.has(key)) return void res.writeHead(412).end();
          objects.set(key, body);
          return void res.writeHead(200).end();
        }
        if (key === "" && url.searchParams.get("list-type") === "2") {
          const after = url.searchParams.get("start-after") ?? "";
          const keys = [...objects.keys()]
            .filter((k) => k.startsWith(url.searchParams.get("prefix") ?? "") && k > after)
            .sort();
          const from = Number(url.searchParams.get("continuation-token") ?? 0);
          const page = keys.slice(from, from + 2);
          const more = from + 2 < keys.length;
          res.writeHead(200, { "content-type": "application/xml" });
          return void res.end(
            `<ListBucketResult>${page.map((k) => `<Contents><Key>${k}</Key></Contents>`).join("")}<IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>${from + 2}</NextContinuationToken>` : ""}</ListBucketResult>`,
          );
        }
        const found = objects.get(key);
        if (found === undefined) return void res.writeHead(404).end();
        res.writeHead(200, { "content-type": "application/json" }).end(found);
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it("puts each digest once, signed and checksummed, and lists them back across pages", async () => {
    const anchor = s3Anchor({
      bucket: "anchor-bucket",
      region: "eu-west-1",
      endpoint,
      credentials: async () => ({
        accessKeyId: "AKIDTEST",
        secretAccessKey: "secret",
        sessionToken: "token",
      }),
    });
    expect(anchor.where).toBe("s3://anchor-bucket/digests/");
    const all = digests(5);
    for (const d of all) await anchor.put(d);
    await anchor.put(all[0] as Digest); // a retried run: the first one stands (412)
    expect([...objects.keys()]).toEqual(all.map((d) => digestObjectKey(d.seq)));
    expect(digestObjectKey(12)).toBe("digests/000000000012.json");
    expect(await anchor.list()).toEqual(all);
    expect(await anchor.since(3)).toEqual(all.slice(2));
    const put = seen.find((r) => r.method === "PUT");
    expect(put?.headers["x-amz-security-token"]).toBe("token");
    expect(put?.headers["x-amz-content-sha256"]).toMatch(/^[0-9a-f]{64}$/);
  });
});
