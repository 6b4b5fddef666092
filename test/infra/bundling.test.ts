/**
 * What each function's bundle is built from (infra/bundling.ts, shared by CDK and the bench): the
 * policy set it carries, the sign-in verifier only where tokens are checked, and one real build
 * (ingest) against the budget with the local-only SDK parts left out.
 */
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build as esbuild } from "esbuild";
import { describe, expect, it } from "vitest";
import { credentialsFromEnv } from "../../functions/http/credentials.ts";
import { verifierFromEnv } from "../../functions/http/sign-in-env.ts";
import { BUNDLE_BUDGET_BYTES, esbuildOptions, HANDLERS_DIR } from "../../infra/bundling.ts";
import { ComplianceFunction } from "../../infra/constructs/function.ts";
import { compilePolicies } from "../../infra/policies.ts";
import { build } from "./support.ts";

const functions = () =>
  build()
    .stack.node.findAll()
    .filter((c): c is ComplianceFunction => c instanceof ComplianceFunction);

describe("bundling settings per function", () => {
  it("ingest carries the organisation file without rules; the other evaluating functions the whole set", () => {
    const full = compilePolicies();
    const ingest = functions().find((f) => f.handler === "ingest");
    const set = JSON.parse(JSON.parse(ingest?.policySet as string));
    expect(set).toEqual({ org: JSON.parse(JSON.stringify(full.set.org)), versions: [] });
    for (const f of functions())
      if (!["ingest", "notifier", "health", "events", "audit-trail-consumer"].includes(f.handler))
        expect(f.policySet === full.define, f.handler).toBe(true);
  });

  it("only the functions that check sign-in tokens build their runtime with the verifier", () => {
    const { template, stack } = build();
    const resources = template.toJSON().Resources;
    const withIssuer = functions()
      .filter((f) => {
        const id = stack.getLogicalId(f.fn.node.defaultChild as never);
        return "COMPLIANCE_OIDC_ISSUER" in (resources[id].Properties.Environment?.Variables ?? {});
      })
      .map((f) => f.handler)
      .sort();
    expect(withIssuer).toEqual(["auditor", "cases", "evaluate"]);
    for (const handler of functions().map((f) => f.handler)) {
      const source = readFileSync(join(HANDLERS_DIR, `${handler}.ts`), "utf8");
      expect(source.includes("/runtime/sign-in-runtime.ts"), handler).toBe(withIssuer.includes(handler));
    }
  });

  it("an issuer configured for a function without the verifier is refused, not ignored", () => {
    const env = { COMPLIANCE_OIDC_ISSUER: "https://issuer.example", COMPLIANCE_OIDC_AUDIENCES: "app" };
    expect(() => credentialsFromEnv(env)).toThrow(/COMPLIANCE_OIDC_ISSUER is set for a function/);
    expect(typeof credentialsFromEnv(env, verifierFromEnv).verifyToken).toBe("function");
    expect(credentialsFromEnv({}).verifyToken).toBeUndefined();
  });

  it(`the ingest bundle stays within ${BUNDLE_BUDGET_BYTES} bytes, without jose or the profile credential sources`, async () => {
    const ingest = functions().find((f) => f.handler === "ingest") as ComplianceFunction;
    const result = await esbuild({
      ...esbuildOptions("ingest", ingest.policySet),
      outfile: join(tmpdir(), "ingest", "index.mjs"),
      write: false,
      metafile: true,
    });
    const bundle = result.outputFiles.find((o) => o.path.endsWith(".mjs")) as { contents: Uint8Array };
    expect(bundle.contents.byteLength).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
    // what the bundle holds (the metafile also lists inputs whose every byte was tree-shaken away)
    const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(".mjs"))?.[1];
    const inputs = Object.entries(output?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path);
    expect(inputs.length).toBeGreaterThan(100);
    expect(inputs.filter((f) => /node_modules\/jose\//.test(f))).toEqual([]);
    expect(inputs.filter((f) => /credential-provider-(ini|sso|process|web-identity)\//.test(f))).toEqual([]);
  });
});
