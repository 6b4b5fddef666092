/** Store errors: AWS SDK failures turned into ours where they are caught, the SDK error kept as `cause`. */
import { DomainError, type ErrorCode } from "../core/errors.ts";

export type StoreErrorCode = Extract<
  ErrorCode,
  `${string}_failed` | `audit_${string}` | "policy_version_conflict"
>;

export class StoreError extends DomainError<StoreErrorCode> {
  override readonly name: string = "StoreError";
  // `string` is accepted while store/audit-log.ts (rewritten on the audit branch) still passes its
  // codes untyped; the code is kept as given (one missing from ERROR_CODES answers 500).
  constructor(code: StoreErrorCode | (string & {}), message: string, options?: { cause?: unknown }) {
    super(code as StoreErrorCode, message, options);
  }
}

/** A released policy version was published again with different content. */
export class PolicyVersionConflictError extends StoreError {
  override readonly name: string = "PolicyVersionConflictError";
  constructor(policyId: string, version: number, options?: { cause?: unknown }) {
    super(
      "policy_version_conflict",
      `${policyId} v${version} is already published with different content: released versions never change; add v${version + 1}`,
      options,
    );
  }
}

export function isConditionFailed(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === "ConditionalCheckFailedException" || name === "TransactionCanceledException";
}
