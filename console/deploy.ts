/**
 * `npm run console:deploy -- --bucket <ConsoleBucketName>`: uploads the built console (console/dist,
 * built first when stale) to the bucket the CDK stack created, under console/. The single page and
 * anything unhashed are sent `no-cache` (CloudFront asks S3 again, so a deployment shows at once
 * without an invalidation); hashed assets are immutable. Earlier builds' assets are kept, so a tab
 * opened before the deployment keeps working. Credentials and region: the AWS SDK's usual chain.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { buildConsole, DIST, isStale } from "./build.ts";
import { contentTypeOf } from "./headers.ts";

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const at = process.argv.indexOf("--bucket");
const bucket = at > 0 ? process.argv[at + 1] : undefined;
if (!bucket) {
  console.error("usage: npm run console:deploy -- --bucket <ConsoleBucketName (a stack output)>");
  process.exit(2);
}
if (isStale()) await buildConsole();
const s3 = new S3Client({});
// the page last, so it never names assets that are not there yet
const all = files(DIST).sort((a, b) => Number(a.endsWith("index.html")) - Number(b.endsWith("index.html")));
for (const file of all) {
  const key = `console/${relative(DIST, file).split("\\").join("/")}`;
  const hashed = key.startsWith("console/assets/");
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: readFileSync(file),
      ContentType: contentTypeOf(file),
      CacheControl: hashed ? "public, max-age=31536000, immutable" : "no-cache",
    }),
  );
  console.log(`uploaded s3://${bucket}/${key}`);
}
