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
import { BUNDLE_BUDGET_BYTES, esbuildOptions } from "../../infra/bundling.ts";
import { notifierPolicySet } from "../../infra/constructs/notifications.ts";
import { compilePolicies } from "../../infra/policies.ts";

const NOTIFIER_BUNDLE_BUDGET = BUNDLE_BUDGET_BYTES;
const out = mkdtempSync(join(tmpdir(), "notifier-bundle-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("notifier bundle", () => {
  it(`is at most ${NOTIFIER_BUNDLE_BUDGET / 1000} KB, sends mail through SESv2 and carries no nodemailer`, async () => {
    const outfile = join(out, "index.mjs");
    // exactly as cdk synth builds it (infra/bundling.ts), with the notifier's own slim policy set
    const result = await build({
      ...esbuildOptions("notifier", notifierPolicySet(compilePolicies())),
      outfile,
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i.includes("nodemailer"))).toEqual([]);
    expect(inputs.some((i) => i.includes("client-sesv2"))).toBe(true);
    const bytes = statSync(outfile).size;
    expect(bytes, `${bytes} bytes`).toBeLessThanOrEqual(NOTIFIER_BUNDLE_BUDGET);
    expect(readFileSync(outfile, "utf8").includes("SendEmail")).toBe(true);
  });
});
