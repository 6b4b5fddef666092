/**
 * The explanation tree of `?explain=true` as nested lists a person reads: each group says whether
 * all / any / not of its conditions held, each leaf its fact, operator, expected and actual value,
 * and whether it held.
 */
import { shortValue } from "../format.ts";
import { t } from "../i18n.ts";
import type { ExplanationLeaf, ExplanationNode } from "../types.ts";

function Verdict(props: { result: boolean }) {
  return (
    <span class={props.result ? "ok" : "bad"}>
      <span aria-hidden="true">{props.result ? "✓" : "✗"}</span> {props.result ? t("yes") : t("no")}
    </span>
  );
}

function Leaf(props: { leaf: ExplanationLeaf }) {
  const { leaf } = props;
  return (
    <>
      <Verdict result={leaf.result} /> <code>{leaf.fact}</code>
      {leaf.path && <code>{` ${leaf.path}`}</code>} <strong>{leaf.operator}</strong>{" "}
      <span>
        {t("expected")} <code>{shortValue(leaf.expected)}</code>
        {JSON.stringify(leaf.value) !== JSON.stringify(leaf.expected) && (
          <span class="muted"> ({shortValue(leaf.value)})</span>
        )}
        , {t("actual")} <code>{shortValue(leaf.actual)}</code>
      </span>
    </>
  );
}

export function ExplanationTree(props: { node: ExplanationNode }) {
  return (
    <ul class="tree">
      <Node node={props.node} />
    </ul>
  );
}

function Node(props: { node: ExplanationNode }) {
  const { node } = props;
  if ("all" in node || "any" in node) {
    const children = "all" in node ? node.all : node.any;
    return (
      <li>
        <Verdict result={node.result} /> <strong>{t("all" in node ? "allOf" : "anyOf")}</strong>
        <ul class="tree">
          {children.map((child, i) => (
            <Node key={i} node={child} />
          ))}
        </ul>
      </li>
    );
  }
  if ("not" in node)
    return (
      <li>
        <Verdict result={node.result} /> <strong>{t("notOf")}</strong>
        <ul class="tree">
          <Node node={node.not} />
        </ul>
      </li>
    );
  return (
    <li>
      <Leaf leaf={node} />
    </li>
  );
}
