/**
 * Problems are data (as OPA reports them): a code, where, and a message, all of them at once,
 * sorted by file and position, printed as `file:line:column: message`.
 */

export type DiagnosticCode =
  | "yaml_syntax"
  | "schema"
  | "layout"
  | "id_mismatch"
  | "version_mismatch"
  | "version_order"
  | "duplicate_rule"
  | "unknown_fact"
  | "unknown_operator"
  | "unknown_parameter"
  | "unknown_role"
  | "invalid_value"
  | "invalid_path"
  | "unknown_placeholder"
  | "missing_org"
  | "unknown_person"
  | "duplicate_person"
  | "test_failed"
  | "invalid_record";

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly file: string;
  /** 1-based; 0 when the problem is the file as a whole. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.message}`;
}

export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.message.localeCompare(b.message),
  );
}
