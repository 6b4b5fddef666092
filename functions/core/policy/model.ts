/** What the loader produces: validated, parameter-resolved policy versions and the org directory. */

import type { NotificationsFile } from "../../../schemas/notifications.ts";
import type { Person } from "../../../schemas/person.ts";
import type { Condition, SEVERITIES } from "../../../schemas/policy.ts";
import type { RecordType } from "../../../schemas/record.ts";
import type { CodeKind } from "../code-names.ts";

export type Severity = (typeof SEVERITIES)[number];
export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}
export interface Citation {
  readonly document: string;
  readonly clause: string;
}

/** A fact read for evidence: `key` is what messages and auditors see. */
export interface EvidenceSpec {
  readonly key: string;
  readonly fact: string;
  readonly path?: string;
  readonly params?: unknown;
}

export interface LoadedRule {
  readonly id: string;
  readonly severity: Severity;
  /** Conditions with every `{param: name}` replaced by the parameter's value. */
  readonly when: Condition;
  /** The same conditions as the file writes them (`{param: name}` kept): explanations show both. */
  readonly whenAsWritten: Condition;
  readonly assign: readonly string[];
  readonly due: string;
  readonly dueMs: number;
  readonly message: Bilingual;
  readonly escalate?: readonly string[];
  readonly source: readonly Citation[];
  readonly evidence: readonly EvidenceSpec[];
}

export interface PolicyVersion {
  readonly id: string;
  readonly version: number;
  readonly effectiveFrom: string;
  readonly effectiveFromMs: number;
  readonly area: string;
  readonly appliesTo: RecordType;
  readonly title: Bilingual;
  readonly owner: string;
  readonly source: readonly Citation[];
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The kind of code a parameter holds, from where the rules use it (messages show names). */
  readonly parameterCodes?: Readonly<Record<string, CodeKind>>;
  readonly rules: readonly LoadedRule[];
  /** Path relative to the policies folder, e.g. approval-limits/expense-approval/v1.yaml */
  readonly file: string;
  /** sha256 of the file's bytes. */
  readonly sha256: string;
}

export interface OrgRole {
  readonly name?: Bilingual;
  readonly people?: readonly string[];
  readonly byDepartment?: Readonly<Record<string, readonly string[]>>;
}

export interface OrgDirectory {
  /** IANA zone in which people's dates (`2026-03-01` in a query) are read; default Asia/Shanghai. */
  readonly timeZone?: string;
  readonly roles: Readonly<Record<string, OrgRole>>;
  /** Every person (CONTRACT §6); look them up with functions/core/directory.ts. */
  readonly people: readonly Person[];
  /** Chat robots (CONTRACT §7), by channel id: schemas/notifications.ts. */
  readonly notifications?: NotificationsFile;
}

export interface PolicySet {
  /** Every version, sorted by policy id then version. */
  readonly versions: readonly PolicyVersion[];
  readonly org: OrgDirectory;
  /**
   * Set only in a Lambda bundle that carries part of the set (infra/policies.ts: a function gets
   * what it reads), saying what was left out; such a set is never evaluated.
   */
  readonly leftOut?: string;
}

/** A file handed to the loader: where it is (relative to the policies folder) and its text. */
export interface SourceFile {
  readonly path: string;
  /** How diagnostics name the file (e.g. policies/approval-limits/expense-approval/v1.yaml). */
  readonly display: string;
  readonly text: string;
}

/** Version `version` of policy `id` in a policy set (or the part of one a function carries). */
export function findVersion<V extends { readonly id: string; readonly version: number }>(
  set: { readonly versions: readonly V[] },
  id: string,
  version: number,
): V | undefined {
  return set.versions.find((v) => v.id === id && v.version === version);
}
