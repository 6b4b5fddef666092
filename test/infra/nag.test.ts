/**
 * cdk-nag (AwsSolutions + Serverless): the stack has no unacknowledged finding, the registered
 * packs fail a synth that has one, and every acknowledgement answers a real finding.
 */
import { App, Stack, Validations } from "aws-cdk-lib";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { describe, expect, it } from "vitest";
import { ACKNOWLEDGE_CONTEXT, acknowledgements, applyNagPacks, nagPacks } from "../../infra/nag.ts";
import { ComplianceStack } from "../../infra/stack.ts";
import { NO_BUNDLING } from "./support.ts";

type Finding = { rule: string; path: string; severity: string };

function findings(app: App): Finding[] {
  const out: Finding[] = [];
  for (const pack of nagPacks(app)) {
    for (const v of pack.validateScope(app).violations) {
      for (const r of v.violatingResources) {
        out.push({ rule: v.ruleName, path: r.constructPath ?? "", severity: v.severity ?? "" });
      }
    }
  }
  return out;
}

function complianceApp(acknowledge: boolean): App {
  const app = new App({ context: { ...NO_BUNDLING, [ACKNOWLEDGE_CONTEXT]: acknowledge } });
  new ComplianceStack(app, "Compliance");
  return app;
}

describe("cdk-nag", () => {
  it("AwsSolutions and Serverless packs report no unacknowledged error or warning, and the synth passes", () => {
    const app = complianceApp(true);
    applyNagPacks(app);
    expect(() => app.synth()).not.toThrow();
    expect(findings(app)).toEqual([]);
  });

  it("a finding nobody acknowledged fails the synth", () => {
    const app = new App();
    const stack = new Stack(app, "Bad");
    new Queue(stack, "Plain"); // no encryption, no TLS policy, no DLQ
    applyNagPacks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS[34]/);
  });

  it("every acknowledgement has a specific reason and answers a finding that is really there", () => {
    const acked = complianceApp(true);
    const acks = acknowledgements(acked);
    expect(acks.length).toBeGreaterThan(0);
    const raw = findings(complianceApp(false));
    for (const ack of acks) {
      expect(ack.reason.length, ack.id).toBeGreaterThanOrEqual(40);
      const answered = raw.some(
        (f) => f.rule === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)),
      );
      expect(answered, `${ack.id} on ${ack.path} answers no finding`).toBe(true);
    }
    // and nothing is left over once they are applied
    const unanswered = raw.filter(
      (f) => !acks.some((a) => a.id === f.rule && (f.path === a.path || f.path.startsWith(`${a.path}/`))),
    );
    expect(unanswered).toEqual([]);
  });

  it("acknowledgements are Validations metadata (what cdk-nag 3 and the CDK report read)", () => {
    const app = complianceApp(true);
    const metadata = app.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    expect(metadata.length).toBe(acknowledgements(app).length);
  });
});
