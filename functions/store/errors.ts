/** Store errors: AWS SDK failures turned into ours where they are caught, the SDK error kept as `cause`. */
import { DomainError, type ErrorCode } from "../core/errors.ts";

export type StoreErrorCode = Extract<
  ErrorCode,
  `${string}_failed` | `audit_${string}` | "policy_version_conflict"
>;

export class StoreError extends DomainError<StoreErrorCode> {
  override readonly name: string = "StoreError";
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

/** Network failures of a dependency that is down or unreachable (Node's error codes). */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
]);
/** AWS answers that mean "not now" rather than "never": retrying later can succeed. */
const RETRYABLE_NAMES = new Set([
  "TimeoutError",
  "RequestTimeout",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "InternalServerError",
]);

/**
 * True when `error` (or any error in its `cause` chain) says a dependency (DynamoDB, Secrets
 * Manager …) is unavailable — down, unreachable, throttling — not that we or the caller did
 * something wrong. HTTP answers it with 503 and Retry-After instead of a 500.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 8; depth++) {
    const { code, name, errno, $metadata } = e as {
      code?: unknown;
      name?: unknown;
      errno?: unknown;
      $metadata?: { httpStatusCode?: number };
    };
    if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true;
    if (typeof errno === "string" && UNREACHABLE_CODES.has(errno)) return true;
    if (typeof name === "string" && RETRYABLE_NAMES.has(name)) return true;
    if (($metadata?.httpStatusCode ?? 0) >= 500) return true;
    const errors = (e as { errors?: unknown }).errors; // AggregateError (happy eyeballs)
    if (Array.isArray(errors) && errors.some(isDependencyUnavailable)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
