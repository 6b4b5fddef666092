/**
 * What we deploy is what we test: the acceptance corpus through the Lambda bundles `cdk synth`
 * builds (COMPLIANCE_BUNDLES=1: policies compiled in, the SDK bundled, the ESM banner), each in its
 * own worker with the environment the template gives it, behind the same local HTTP server and
 * stream readers as `npm start`. The synth bundles twelve functions: it takes a while.
 */
import { describe, expect, it } from "vitest";
import { acceptanceSuite } from "./acceptance-suite.ts";

const platform = acceptanceSuite({ tag: "accb", env: { COMPLIANCE_BUNDLES: "1" }, startTimeoutMs: 240_000 });

describe("COMPLIANCE_BUNDLES=1", () => {
  it("ran the bundles cdk synth built, not the handlers' source", () => {
    expect(platform().logs.join("\n")).toMatch(/bundles: synthesized \d+ functions as cdk synth does/);
  });
});
