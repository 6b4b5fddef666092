/**
 * A parsed YAML file that remembers where each value came from, so schema problems found on the
 * plain data (zod issue paths) are reported at the exact `line:column` of the offending node.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { Diagnostic, DiagnosticCode } from "../diagnostics.ts";

export type YamlPath = readonly (string | number)[];

export interface YamlSource {
  readonly file: string;
  readonly value: unknown;
  /** Diagnostic at the node a path points to (or its nearest existing parent). */
  at(path: YamlPath, code: DiagnosticCode, message: string, options?: { key?: boolean }): Diagnostic;
}

export function parseYaml(file: string, text: string): { source?: YamlSource; errors: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const errors: Diagnostic[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { code: "yaml_syntax", file, line: pos.line, column: pos.col, message: firstLine(e.message) };
  });
  if (errors.length > 0) return { errors };
  const position = (node: Node | undefined | null, fallback: { line: number; col: number }) =>
    node?.range ? lineCounter.linePos(node.range[0]) : fallback;

  const at: YamlSource["at"] = (path, code, message, options) => {
    let node: unknown = doc.contents;
    let pos = position(doc.contents, { line: 1, col: 1 });
    for (const [i, segment] of path.entries()) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
        );
        if (pair && options?.key && i === path.length - 1) {
          pos = position(pair.key as Node, pos);
          break;
        }
        next = pair?.value;
      } else if (isSeq(node) && typeof segment === "number") {
        next = node.items[segment];
      }
      if (next === undefined || next === null) break;
      node = next;
      pos = position(node as Node, pos);
    }
    return { code, file, line: pos.line, column: pos.col, message };
  };
  return { source: { file, value: doc.toJS({ maxAliasCount: 100 }), at }, errors };
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
