/**
 * What each function's bundle is built from (infra/bundling.ts, shared by CDK and the bench): the
 * part of the policy set it reads, the sign-in verifier only where tokens are checked, the rule
 * engine only where records are evaluated; and a real build of every function of the CDK app
 * against the budget, with what Lambda never runs left out.
 */
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build as esbuild } from "esbuild";
import { describe, expect, it } from "vitest";
import { createEvaluator } from "../../functions/core/engine/evaluate.ts";
import { credentialsFromEnv } from "../../functions/http/credentials.ts";
import { verifierFromEnv } from "../../functions/http/sign-in-env.ts";
import { createPolicyPlatform } from "../../functions/service/policy-platform.ts";
import { BUNDLE_BUDGET_BYTES, esbuildOptions, HANDLERS_DIR } from "../../infra/bundling.ts";
import { ComplianceFunction } from "../../infra/constructs/function.ts";
import { compilePolicies, type PolicySetPart, partialPolicySet } from "../../infra/policies.ts";
import { RECORD_TYPES } from "../../schemas/record.ts";
import { build } from "./support.ts";

const functions = () =>
  build()
    .stack.node.findAll()
    .filter((c): c is ComplianceFunction => c instanceof ComplianceFunction);

describe("bundling settings per function", () => {
  it("each function carries the part of the policy set it reads: the evaluating ones and the publisher all of it", () => {
    const full = compilePolicies();
    const plain = (define: string | undefined) => JSON.parse(JSON.parse(define as string));
    const PARTS: Readonly<Record<string, PolicySetPart | "whole" | undefined>> = {
      evaluate: "whole",
      evaluator: "whole",
      sweeper: "whole",
      "policy-publisher": "whole",
      ingest: "org",
      "audit-trail-consumer": undefined,
      digester: "org",
      auditor: "ids",
      cases: "actions",
      health: undefined,
      events: undefined,
    };
    for (const f of functions().filter((f) => f.handler !== "notifier")) {
      expect(Object.keys(PARTS), `give ${f.handler} its part in this test`).toContain(f.handler);
      const part = PARTS[f.handler];
      if (part === undefined) expect(f.policySet, f.handler).toBeUndefined();
      else if (part === "whole") expect(f.policySet === full.define, f.handler).toBe(true);
      else expect(f.policySet === partialPolicySet(full, part), f.handler).toBe(true);
    }
    // ingest: the organisation file without any version
    const org = JSON.parse(JSON.stringify(full.set.org));
    expect(plain(partialPolicySet(full, "org"))).toEqual({ org, versions: [], leftOut: expect.any(String) });
    // the auditor: ids only; cases: every rule's deadline and roles, none of its condition or texts
    const ids = plain(partialPolicySet(full, "ids"));
    expect(ids.versions.map((v: { id: string; version: number }) => `${v.id}@${v.version}`)).toEqual(
      full.set.versions.map((v) => `${v.id}@${v.version}`),
    );
    expect(Object.keys(ids.versions[0]).sort()).toEqual(["appliesTo", "id", "rules", "version"]);
    expect(Object.keys(ids.versions[0].rules[0])).toEqual(["id"]);
    const actions = plain(partialPolicySet(full, "actions"));
    const rules = actions.versions.flatMap((v: { rules: object[] }) => v.rules) as Record<string, unknown>[];
    expect(rules).toHaveLength(full.set.versions.flatMap((v) => v.rules).length);
    for (const rule of rules) {
      expect(
        Object.keys(rule).filter((k) =>
          ["when", "whenAsWritten", "message", "evidence", "source"].includes(k),
        ),
      ).toEqual([]);
      expect(typeof rule.dueMs).toBe("number");
    }
    expect(actions.versions.map((v: { parameters: unknown }) => v.parameters)).toEqual(
      full.set.versions.map((v) => JSON.parse(JSON.stringify(v.parameters))),
    );
  });

  it("a platform built on a partial set refuses to evaluate, and one without the engine too", () => {
    const full = compilePolicies();
    const cases = createPolicyPlatform({
      set: JSON.parse(JSON.parse(partialPolicySet(full, "actions"))),
      compile: createEvaluator,
    });
    expect(() => cases.evaluator).toThrow(/leaves out the rules' conditions/);
    // what cases reads is there: a rule's deadline and escalation roles
    const first = full.set.versions[0];
    const rule = first?.rules[0];
    expect(cases.ruleOf(first?.id ?? "", first?.version ?? 0, rule?.id ?? "")).toEqual({
      id: rule?.id,
      severity: rule?.severity,
      assign: rule?.assign,
      due: rule?.due,
      dueMs: rule?.dueMs,
      ...(rule?.escalate ? { escalate: rule.escalate } : {}),
    });
    expect(() => createPolicyPlatform({ set: full.set }).evaluator).toThrow(/has no rule engine/);
    expect(typeof createPolicyPlatform({ set: full.set, compile: createEvaluator }).evaluator.evaluate).toBe(
      "function",
    );
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

  it("record type limits configured for a function that takes no records are refused, not ignored", () => {
    const env = { COMPLIANCE_INGEST_RECORD_TYPES: "crm=quote|complaint" };
    expect(() => credentialsFromEnv(env)).toThrow(/COMPLIANCE_INGEST_RECORD_TYPES is set for a function/);
    expect(credentialsFromEnv(env, undefined, RECORD_TYPES).recordTypes).toEqual(
      new Map([["crm", new Set(["quote", "complaint"])]]),
    );
    expect(() =>
      credentialsFromEnv({ COMPLIANCE_INGEST_RECORD_TYPES: "crm=invoice" }, undefined, RECORD_TYPES),
    ).toThrow(/unknown: invoice/);
    // the handlers that take signed records build their runtime with the record types
    for (const handler of functions().map((f) => f.handler)) {
      const source = readFileSync(join(HANDLERS_DIR, `${handler}.ts`), "utf8");
      expect(/recordTypes: RECORD_TYPES/.test(source), handler).toBe(
        ["ingest", "evaluate"].includes(handler),
      );
    }
  });

  it(`every function's bundle stays within ${BUNDLE_BUDGET_BYTES} bytes, with only what it runs`, async () => {
    const all = functions();
    expect(all.map((f) => f.handler).sort()).toEqual(
      [
        "audit-trail-consumer",
        "auditor",
        "cases",
        "digester",
        "evaluate",
        "evaluator",
        "events",
        "health",
        "ingest",
        "notifier",
        "policy-publisher",
        "sweeper",
      ].sort(),
    );
    // every function at once: esbuild builds them in parallel, in a few seconds
    const built = await Promise.all(
      all.map(async (f) => {
        const result = await esbuild({
          ...esbuildOptions(f.handler, f.policySet),
          outfile: join(tmpdir(), f.handler, "index.mjs"),
          write: false,
          metafile: true,
        });
        const bundle = result.outputFiles.find((o) => o.path.endsWith(".mjs")) as { contents: Uint8Array };
        // what the bundle holds (the metafile also lists inputs whose every byte was tree-shaken away)
        const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(".mjs"))?.[1];
        const inputs = Object.entries(output?.inputs ?? {})
          .filter(([, input]) => input.bytesInOutput > 0)
          .map(([path]) => path);
        return { handler: f.handler, bytes: bundle.contents.byteLength, inputs };
      }),
    );
    const over = built
      .filter((b) => b.bytes > BUNDLE_BUDGET_BYTES)
      .map((b) => `${b.handler}: ${b.bytes} bytes`);
    expect(over).toEqual([]);
    const holding = (pattern: RegExp) =>
      built
        .filter((b) => b.inputs.some((path) => pattern.test(path)))
        .map((b) => b.handler)
        .sort();
    // a real build of each (health, the smallest since it carries no zod, holds 49 modules)
    for (const b of built) expect(b.inputs.length, b.handler).toBeGreaterThan(40);
    // jose only where sign-in tokens are checked
    expect(holding(/node_modules\/jose\//)).toEqual(["auditor", "cases", "evaluate"]);
    // the rule engine only where records are evaluated (the policy tests' runner aside, none else)
    expect(holding(/functions\/core\/engine\/compile\.ts$/)).toEqual(["evaluate", "evaluator", "sweeper"]);
    // zod only where requests, records or rules are validated (the audit trail's consumer checks
    // the fields it keeps by hand; health, the digester, the event publisher, the notifier and the
    // policy publisher validate none), and there only zod/mini (schemas/zod.ts): classic zod's
    // chained methods keep all of it in a bundle (~100 KB) and cost a third of a cold start
    expect(holding(/node_modules\/zod\//)).toEqual([
      "auditor",
      "cases",
      "evaluate",
      "evaluator",
      "ingest",
      "sweeper",
    ]);
    expect(holding(/node_modules\/zod\/v4\/classic\//)).toEqual([]);
    // DynamoDB only where a table is read or written: evaluate reads only the compiled policies
    expect(holding(/@aws-sdk\/client-dynamodb\//)).not.toContain("evaluate");
    expect(holding(/@aws-sdk\/client-dynamodb\//)).not.toContain("health");
    // never: what Lambda never runs (profile, container and instance credentials), or a library
    // where a few lines of ours do (the xlsx writer: core/xlsx.ts)
    expect(
      holding(/credential-provider-(ini|sso|process|web-identity|http)\/|credential-provider-imds\//),
    ).toEqual([]);
    expect(holding(/node_modules\/(write-excel-file|fflate)\//)).toEqual([]);
  });
});
