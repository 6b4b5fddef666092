/**
 * One function bundled for real (the others are template tests with bundling skipped): esbuild
 * output is minified ESM with the createRequire banner and a linked source map, carries the
 * compiled policy set, and bundles the AWS SDK clients instead of importing the runtime's copy
 * (without the profile-based credential sources, which no Lambda uses).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Duration, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { Key } from "aws-cdk-lib/aws-kms";
import { afterAll, describe, expect, it } from "vitest";
import { LOCAL_ONLY_MODULES, NON_LAMBDA_CREDENTIAL_SOURCES } from "../../infra/bundling.ts";
import { ComplianceFunction, HANDLERS_DIR } from "../../infra/constructs/function.ts";
import { compilePolicies } from "../../infra/policies.ts";

const HANDLER = "evaluate";
const outdir = mkdtempSync(join(tmpdir(), "compliance-bundle-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("bundling (one function, for real)", () => {
  it.skipIf(!existsSync(join(HANDLERS_DIR, `${HANDLER}.ts`)))(
    "minified ESM for Node 24 with source map, the policy set compiled in, the SDK bundled",
    () => {
      const policies = compilePolicies();
      const app = new App({ outdir });
      const stack = new Stack(app, "Bundle");
      const fn = new ComplianceFunction(stack, "Fn", {
        handler: HANDLER,
        description: "bundling test",
        memorySize: 512,
        timeout: Duration.seconds(10),
        key: new Key(stack, "Key"),
        policySet: policies.define,
      });
      const assembly = app.synth();
      const code =
        Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(fn.fn.node.defaultChild as never)]
          .Properties.Code;
      const dir = join(assembly.directory, `asset.${String(code.S3Key).replace(/\.zip$/, "")}`);
      const bundle = readFileSync(join(dir, "index.mjs"), "utf8");

      // (assertions on booleans: a failing match must not print a megabyte of bundle)
      expect(bundle.startsWith("import { createRequire as __createRequire } from 'node:module';")).toBe(true);
      expect(existsSync(join(dir, "index.mjs.map"))).toBe(true);
      expect(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/.test(bundle)).toBe(true);
      // minified: few, long lines
      expect(bundle.split("\n").length).toBeLessThan(500);
      // the compiled policy set is in the bundle, as the JSON the handler parses
      const missing = policies.set.versions.filter((v) => !bundle.includes(v.sha256)).map((v) => v.id);
      expect(missing).toEqual([]);
      // the SDK v3 clients are bundled, not loaded from the Lambda runtime; what is left to resolve
      // at run time is only the optional SigV4a signers, which the SDK loads inside a try (or names
      // in error messages), and the profile-based, container and instance credential sources
      // (infra/bundling.ts), which the default chain reaches only with `import()` after the
      // environment's credentials
      const LEFT_OUT = [...LOCAL_ONLY_MODULES, ...NON_LAMBDA_CREDENTIAL_SOURCES];
      const OPTIONAL = new Set(["@aws-sdk/signature-v4-crt", "@aws-sdk/signature-v4a", ...LEFT_OUT]);
      for (const name of LEFT_OUT) {
        const quoted = JSON.stringify(name);
        expect(bundle.includes(`import(${quoted})`), name).toBe(true);
        expect(bundle.includes(`from${quoted}`) || bundle.includes(`from ${quoted}`), name).toBe(false);
      }
      const external = [...bundle.matchAll(/(?:from\s*|require\(|import\()["'](@aws-sdk\/[^"']+)["']/g)]
        .map((m) => m[1] as string)
        .filter((name) => !OPTIONAL.has(name));
      expect([...new Set(external)]).toEqual([]);
      expect(bundle.includes("GetSecretValue")).toBe(true);
      // no static ESM import of node:http: it would load Node's fetch implementation at start
      expect(/from\s*["'](node:)?http["']/.test(bundle)).toBe(false);
    },
  );
});
