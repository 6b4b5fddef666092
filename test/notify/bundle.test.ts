/**
 * The notifier's Lambda bundle, built with the deployment's esbuild settings (and its slim policy
 * set, infra/constructs/notifications.ts): at most 500 KB
 * minified, with SES (SESv2) and without nodemailer, which is for SMTP outside AWS only.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { ESM_REQUIRE_BANNER, HANDLERS_DIR } from "../../infra/constructs/function.ts";
import { notifierPolicySet } from "../../infra/constructs/notifications.ts";
import { compilePolicies } from "../../infra/policies.ts";

const NOTIFIER_BUNDLE_BUDGET = 500_000;
const out = mkdtempSync(join(tmpdir(), "notifier-bundle-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("notifier bundle", () => {
  it(`is at most ${NOTIFIER_BUNDLE_BUDGET / 1000} KB, sends mail through SESv2 and carries no nodemailer`, async () => {
    const outfile = join(out, "index.mjs");
    const result = await build({
      entryPoints: [join(HANDLERS_DIR, "notifier.ts")],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node24",
      mainFields: ["module", "main"],
      banner: { js: ESM_REQUIRE_BANNER },
      minify: true,
      define: { __COMPLIANCE_POLICY_SET__: notifierPolicySet(compilePolicies()) },
      metafile: true,
      logLevel: "error",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i.includes("nodemailer"))).toEqual([]);
    expect(inputs.some((i) => i.includes("client-sesv2"))).toBe(true);
    const bytes = statSync(outfile).size;
    expect(bytes, `${bytes} bytes`).toBeLessThanOrEqual(NOTIFIER_BUNDLE_BUDGET);
    expect(readFileSync(outfile, "utf8").includes("SendEmail")).toBe(true);
  });
});
