/**
 * The request errors handlers and middlewares throw, as DomainErrors (functions/core/errors.ts
 * maps each code to its status), and the JSON body every error answer has (CONTRACT §2).
 */
import { DomainError, type ErrorCode, type ErrorIssue } from "../core/errors.ts";
import type { Issue } from "../core/issues.ts";
import { reportedIssues } from "../core/issues.ts";

export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly issues?: readonly ErrorIssue[];
  };
}

export function errorBody(error: DomainError): ErrorBody {
  return {
    error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) },
  };
}

export function validationFailed(
  issues: readonly Issue[],
  what = "request",
): DomainError<"validation_failed"> {
  const { listed, total } = reportedIssues(issues);
  const more = total > listed.length ? `; the first ${listed.length} are listed` : "";
  return new DomainError("validation_failed", `${what} is invalid: ${total} issue(s)${more}`, {
    issues: listed,
  });
}

export const unauthorized = (message: string) => new DomainError("unauthorized", message);
export const forbidden = (message: string) => new DomainError("forbidden", message);
export const notFound = (what: string) => new DomainError("not_found", `${what} not found`);
