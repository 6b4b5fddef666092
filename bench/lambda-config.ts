/**
 * Each Lambda function's memory and architecture as the CDK app defines them (infra/constructs):
 * the ComplianceStack is built without bundling and read back, so the cost figure follows the
 * deployment's settings instead of a copy of them.
 */
import { App, Stack } from "aws-cdk-lib";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { ComplianceFunction } from "../infra/constructs/function.ts";
import { ComplianceStack } from "../infra/stack.ts";

export interface DeployedFunction {
  readonly memoryMb: number;
  readonly architecture: "arm64" | "x86_64";
}

/** By handler file name (functions/handlers/<name>.ts). */
export function deployedFunctions(): Record<string, DeployedFunction> {
  // bundling skipped: only the functions' settings are read, nothing is built
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stack = new ComplianceStack(app, "Compliance");
  const out: Record<string, DeployedFunction> = {};
  for (const c of stack.node.findAll()) {
    if (!(c instanceof ComplianceFunction)) continue;
    const cfn = c.fn.node.defaultChild as CfnFunction;
    const memoryMb = Stack.of(c).resolve(cfn.memorySize) as number | undefined;
    const architectures = (Stack.of(c).resolve(cfn.architectures) as string[] | undefined) ?? ["x86_64"];
    out[c.handler] = {
      memoryMb: memoryMb ?? 128, // Lambda's default when MemorySize is not set
      architecture: architectures[0] === "arm64" ? "arm64" : "x86_64",
    };
  }
  return out;
}
