/**
 * cdk-nag 3 (a CDK policy-validation plugin, not an Aspect): the AwsSolutions and Serverless packs
 * run on the whole app at synth, and any finding that is not acknowledged fails the synth
 * (warnings included: a pack's report only succeeds with no finding at all).
 *
 * Every acknowledgement goes through `acknowledge`, so each carries its written reason, sits on
 * the narrowest construct it concerns, and can be listed (`acknowledgements`).
 */
import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import type { IConstruct } from "constructs";

export interface Acknowledgement {
  /** A rule id (`AwsSolutions-APIG4`) or one finding of it (`AwsSolutions-IAM5[Resource::*]`). */
  readonly id: string;
  /** Why the finding is acceptable here: specific to this construct, never boilerplate. */
  readonly reason: string;
}

const MIN_REASON_LENGTH = 40;

/**
 * Context key: `false` records no acknowledgement at all, so a test can see every raw finding and
 * prove that each acknowledgement still answers one (none is stale or misspelt).
 */
export const ACKNOWLEDGE_CONTEXT = "compliance:acknowledge-nag-findings";

export function acknowledge(scope: IConstruct, acks: readonly Acknowledgement[]): void {
  for (const ack of acks) {
    if (ack.reason.trim().length < MIN_REASON_LENGTH)
      throw new Error(`acknowledgement of ${ack.id} on ${scope.node.path} needs a real reason`);
    if (scope.node.tryGetContext(ACKNOWLEDGE_CONTEXT) === false) continue;
    Validations.of(scope).acknowledge({ id: ack.id, reason: ack.reason });
  }
}

export function nagPacks(app: App) {
  return [new AwsSolutionsChecks(app), new ServerlessChecks(app)];
}

export function applyNagPacks(app: App): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}

/** Every acknowledgement recorded in a construct tree: construct path, rule id, reason. */
export function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  const found: { path: string; id: string; reason: string }[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: c.node.path, id: id.replace(/^annotation::/i, ""), reason });
      }
    }
  }
  return found;
}
