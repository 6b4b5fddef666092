/**
 * The closed sets the console offers as controls, typed against the API's own types (a value the
 * schema does not have is a type error), with each code's zh and en name.
 *
 * The zh/en names of codes belong in one table for messages, CSV, console and docs; until that
 * table (issue 13, branch `times`) is merged, the names the console shows live here.
 */
import type { Lang } from "./lang.ts";
import type { RecordType, Severity, ViolationStatus } from "./types.ts";

type Names<K extends string> = Record<K, { zh: string; en: string }>;

export const STATUS_NAMES: Names<ViolationStatus> = {
  open: { zh: "未處理", en: "open" },
  acknowledged: { zh: "已確認", en: "acknowledged" },
  waived: { zh: "已豁免", en: "waived" },
  resolved: { zh: "已解決", en: "resolved" },
};

export const SEVERITY_NAMES: Names<Severity> = {
  low: { zh: "低", en: "low" },
  medium: { zh: "中", en: "medium" },
  high: { zh: "高", en: "high" },
  critical: { zh: "嚴重", en: "critical" },
};

export const RECORD_TYPE_NAMES: Names<RecordType> = {
  expense: { zh: "費用報銷", en: "expense" },
  quote: { zh: "報價", en: "quote" },
  contract: { zh: "合同", en: "contract" },
  complaint: { zh: "投訴", en: "complaint" },
  access: { zh: "資料存取", en: "access" },
};

export const AREA_NAMES: Record<string, { zh: string; en: string }> = {
  "approval-limits": { zh: "審批權限", en: "approval limits" },
  "complaint-response": { zh: "投訴處理時限", en: "complaint response" },
  "confidentiality-access": { zh: "保密資料存取", en: "confidential access" },
  "contract-clauses": { zh: "合同條款", en: "contract clauses" },
};

export const COMPLAINT_CATEGORY_NAMES: Record<string, { zh: string; en: string }> = {
  general: { zh: "一般", en: "general" },
  service: { zh: "服務", en: "service" },
  quality: { zh: "品質", en: "quality" },
  legal: { zh: "法律", en: "legal" },
  media: { zh: "媒體", en: "media" },
};

export const AUDIT_PROBLEM_NAMES: Record<string, { zh: string; en: string }> = {
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
export function nameOf(table: Record<string, { zh: string; en: string }>, code: string, lang: Lang): string {
  return table[code]?.[lang] ?? code;
}
