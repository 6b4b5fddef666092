/** Store errors: AWS SDK failures turned into ours where they are caught, the SDK error kept as `cause`. */

export class StoreError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
    this.code = code;
  }
}

/** A released policy version was published again with different content. */
export class PolicyVersionConflictError extends StoreError {
  constructor(policyId: string, version: number, options?: { cause?: unknown }) {
    super(
      "policy_version_conflict",
      `${policyId} v${version} is already published with different content: released versions never change; add v${version + 1}`,
      options,
    );
    this.name = "PolicyVersionConflictError";
  }
}

export function isConditionFailed(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === "ConditionalCheckFailedException" || name === "TransactionCanceledException";
}
