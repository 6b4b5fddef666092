/**
 * How long each function of some source files is, from TypeScript's own parser (TypeScript 7's
 * API, `typescript/unstable/sync`: it runs the compiler's native binary and hands back its syntax
 * tree). Only parsed: no type checking, no library, imports not followed (about half a second for
 * the whole tree). A function is any declaration, method, accessor, constructor, function
 * expression or arrow function with a body; its length runs from its first token (its doc comment
 * excluded) to its closing brace, nested functions included.
 */
import { resolve } from "node:path";
import type { Node, SourceFile } from "typescript/unstable/ast";
import { isFunctionLikeDeclaration, isIdentifier } from "typescript/unstable/ast/is";
import { API } from "typescript/unstable/sync";

export interface FunctionLength {
  /** As given. */
  readonly file: string;
  /** 1-based line of its first token. */
  readonly line: number;
  readonly lines: number;
  /** Its name, or the name it is assigned to; `(anonymous)` for a callback. */
  readonly name: string;
}

/** A name for a function: its own, or that of the variable or property it is assigned to. */
function nameOf(node: Node): string {
  for (const candidate of [node, node.parent]) {
    const name = (candidate as { name?: Node } | undefined)?.name;
    if (name && isIdentifier(name)) return name.text;
  }
  return "(anonymous)";
}

/** Every function of `files` (paths relative to `root`), longest first. */
export function functionLengths(rootDir: string, files: readonly string[]): FunctionLength[] {
  const root = resolve(rootDir);
  // the project the compiler opens exists only in memory: these files, parsed on their own
  const config = `${root}/.function-lengths.tsconfig.json`;
  const text = JSON.stringify({
    compilerOptions: { noLib: true, noResolve: true, types: [], allowJs: true, noEmit: true },
    files: files.map((f) => `${root}/${f}`),
  });
  const api = new API({
    cwd: root,
    fs: {
      readFile: (name) => (name === config ? text : undefined),
      fileExists: (name) => (name === config ? true : undefined),
    },
  });
  try {
    const project = api.updateSnapshot({ openProject: config }).getProject(config);
    if (!project) throw new Error("the TypeScript API opened no project");
    const out: FunctionLength[] = [];
    for (const file of files) {
      const source = project.program.getSourceFile(`${root}/${file}`) as SourceFile | undefined;
      if (!source) throw new Error(`the TypeScript API did not parse ${file}`);
      const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
      const visit = (node: Node): void => {
        if (isFunctionLikeDeclaration(node) && node.body) {
          const first = lineOf(node.getStart(source));
          out.push({ file, line: first + 1, lines: lineOf(node.end) - first + 1, name: nameOf(node) });
        }
        node.forEachChild(visit);
      };
      source.forEachChild(visit);
    }
    return out.sort((a, b) => b.lines - a.lines);
  } finally {
    api.close();
  }
}
