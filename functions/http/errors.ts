/**
 * HTTP errors as typed values: a status, a stable `code` callers can branch on, a message, and
 * for validation every issue with its path (CONTRACT §2 error shape). Anything else that escapes a
 * handler becomes a 500 with no internals.
 */
import type { Issue } from "../core/issues.ts";
import { reportedIssues } from "../core/issues.ts";

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly issues?: readonly { readonly path: string; readonly message: string }[];
  };
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues?: readonly { path: string; message: string }[];
  readonly headers?: Readonly<Record<string, string>>;
  constructor(
    status: number,
    code: string,
    message: string,
    options?: {
      issues?: readonly { path: string; message: string }[];
      cause?: unknown;
      headers?: Record<string, string>;
    },
  ) {
    super(message, { cause: options?.cause });
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.issues = options?.issues;
    this.headers = options?.headers;
  }

  toBody(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) },
    };
  }
}

export function validationFailed(issues: readonly Issue[], what = "request"): HttpError {
  const { listed, total } = reportedIssues(issues);
  const more = total > listed.length ? `; the first ${listed.length} are listed` : "";
  return new HttpError(400, "validation_failed", `${what} is invalid: ${total} issue(s)${more}`, {
    issues: listed,
  });
}

export const unauthorized = (message: string) =>
  new HttpError(401, "unauthorized", message, { headers: { "www-authenticate": "Bearer" } });
export const forbidden = (message: string) => new HttpError(403, "forbidden", message);
export const notFound = (what: string) => new HttpError(404, "not_found", `${what} not found`);
