/**
 * JSON Lines files of records (one JSON value a line; blank lines and `#` comments skipped),
 * read with a `file:line:column` for every problem: the column of a JSON syntax error, and for a
 * record that is not valid every issue of it, each at its field's key when the line shows it.
 */
import type { AnySchema } from "../../schemas/zod.ts";
import type { Diagnostic } from "../core/diagnostics.ts";
import { toIssues } from "../core/issues.ts";

export interface JsonLine {
  readonly line: number;
  readonly value: unknown;
}

/** `.jsonl` / `.ndjson`, or text whose every non-blank line is one JSON object. */
export function looksLikeJsonLines(file: string, text: string): boolean {
  if (/\.(jsonl|ndjson)$/i.test(file)) return true;
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  return lines.length > 1 && lines.every((l) => /^\s*\{.*\}\s*$/.test(l));
}

/**
 * Where V8's JSON.parse stopped, from its message: "… at position 12", "Unexpected end of JSON
 * input", or `Unexpected token '}', ..."e", "id": }" is not valid JSON` (the text up to the bad
 * token, its start elided).
 */
function syntaxErrorColumn(raw: string, message: string): number {
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return Number(position) + 1;
  if (/end of JSON input/.test(message)) return raw.length + 1;
  // V8 quotes up to 10 characters either side of the bad token, eliding the rest with "..."
  const m = /(\.\.\.)?"(.*)"(\.\.\.)? is not valid JSON$/s.exec(message);
  const context = m?.[2];
  if (m && context) {
    const at = raw.indexOf(context);
    if (at >= 0) {
      if (m[1]) return at + 10 + 1;
      if (m[3]) return context.length - 10 + 1;
      const token = /Unexpected token '(.)'/.exec(message)?.[1];
      const t = token ? raw.indexOf(token) : -1;
      if (t >= 0) return t + 1;
    }
  }
  return 1;
}

export function readJsonLines(
  display: string,
  text: string,
): { lines: JsonLine[]; diagnostics: Diagnostic[] } {
  const lines: JsonLine[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    try {
      lines.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (error) {
      const message = (error as Error).message;
      diagnostics.push({
        code: "invalid_record",
        file: display,
        line: i + 1,
        column: syntaxErrorColumn(raw, message),
        message: `not JSON: ${message.replace(/\s*\(line \d+ column \d+\)$/, "")}`,
      });
    }
  }
  return { lines, diagnostics };
}

/** Column of a field's key on a JSON line (its last path segment that is a name), else 1. */
function columnOf(raw: string, path: readonly (string | number)[]): number {
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i];
    if (typeof key !== "string") continue;
    const at = raw.indexOf(JSON.stringify(key));
    if (at >= 0) return at + 1;
  }
  return 1;
}

/** Every issue of a value that does not fit `schema`, each as its own diagnostic on that line. */
export function schemaIssues(
  display: string,
  text: string,
  entry: JsonLine,
  schema: AnySchema,
  value: unknown = entry.value,
): Diagnostic[] {
  const parsed = schema.safeParse(value);
  if (parsed.success) return [];
  const raw = text.split("\n")[entry.line - 1] ?? "";
  return toIssues(parsed.error, value).map((issue) => ({
    code: "invalid_record",
    file: display,
    line: entry.line,
    column: columnOf(raw, issue.path),
    message: `not a valid record: ${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`,
  }));
}
