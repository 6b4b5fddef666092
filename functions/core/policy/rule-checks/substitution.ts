/** `{param: name}` replaced by the policy's parameter, an unknown name reported where it is written. */
import { didYouMean } from "../../suggest.ts";
import type { YamlPath } from "../yaml-source.ts";
import type { RuleContext } from "./context.ts";

export function substituteParams(ctx: RuleContext, value: unknown, at: YamlPath): unknown {
  if (Array.isArray(value)) return value.map((v, i) => substituteParams(ctx, v, [...at, i]));
  if (typeof value !== "object" || value === null) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "param") {
    const name = (value as { param: unknown }).param;
    const parameters = ctx.policy.parameters ?? {};
    if (typeof name !== "string" || !Object.hasOwn(parameters, name)) {
      ctx.out.push(
        ctx.source.at(
          [...at, "param"],
          "unknown_parameter",
          `unknown parameter "${String(name)}" (not in parameters)${didYouMean(String(name), Object.keys(parameters))}`,
        ),
      );
      return value;
    }
    return parameters[name];
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteParams(ctx, v, [...at, k])]));
}
