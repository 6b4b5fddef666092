/**
 * The closed sets the console offers as controls, typed against the API's own types (a value the
 * schema does not have is a type error), with each code's zh and en name.
 *
 * The names come from the platform's one table, functions/core/code-names.ts (the same names the
 * messages, CSV and docs use). That module imports nothing, so the console's bundle takes it
 * whole without zod or Node code. Only the audit problems' names live here: they are words of the
 * console's audit view, not codes a record or a message carries.
 */
import { CODE_NAMES } from "../../functions/core/code-names.ts";
import type { Lang } from "./lang.ts";
import type { RecordType, Severity, ViolationStatus } from "./types.ts";

type Names<K extends string> = Readonly<Record<K, { readonly zh: string; readonly en: string }>>;

export const STATUS_NAMES: Names<ViolationStatus> = CODE_NAMES.violationStatus;
export const SEVERITY_NAMES: Names<Severity> = CODE_NAMES.severity;
export const RECORD_TYPE_NAMES: Names<RecordType> = CODE_NAMES.recordType;
export const AREA_NAMES: Names<string> = CODE_NAMES.area;
export const COMPLAINT_CATEGORY_NAMES: Names<string> = CODE_NAMES.complaintCategory;

export const AUDIT_PROBLEM_NAMES: Names<string> = {
  modified: { zh: "內容被修改", en: "modified" },
  missing: { zh: "記錄遺失", en: "missing" },
  inserted: { zh: "被插入的記錄", en: "inserted" },
  reordered: { zh: "順序被調換", en: "reordered" },
  digest_mismatch: { zh: "與簽章摘要不符", en: "does not match the signed digest" },
  signature_invalid: { zh: "摘要簽章無效", en: "digest signature is invalid" },
};

export const STATUSES = Object.keys(STATUS_NAMES) as ViolationStatus[];
export const SEVERITIES = Object.keys(SEVERITY_NAMES) as Severity[];
export const RECORD_TYPES = Object.keys(RECORD_TYPE_NAMES) as RecordType[];
export const AREAS = Object.keys(AREA_NAMES);

/** A code's name in the language; an unknown code is shown as itself. */
export function nameOf(table: Names<string>, code: string, lang: Lang): string {
  return table[code]?.[lang] ?? code;
}
