/**
 * Errors as typed values: one base class, `DomainError`, with a `code` from one union and the
 * cause kept as `cause`. Every code is listed in ERROR_CODES with what it means to the two ways
 * out of the platform: the HTTP status its answer gets (functions/http/error-response.ts) and the
 * exit code of the CLI (functions/cli/main.ts). A new code is one entry here; a code missing here
 * is a type error wherever it is thrown.
 *
 * A status of 500 means "our fault": the answer is `internal_error` with no internals, whatever
 * the code says (the code and the cause go to the log).
 */

interface Outcome {
  /** HTTP status of an answer carrying this error */
  readonly http: number;
  /** CLI exit code: 1 a problem with what was given or found, 2 a usage error */
  readonly exit: 1 | 2;
  /** headers every answer with this code carries */
  readonly headers?: Readonly<Record<string, string>>;
}

const request = (http: number): Outcome => ({ http, exit: 1 });
const internal: Outcome = { http: 500, exit: 1 };

export const ERROR_CODES = {
  // the caller's request (CONTRACT §2 error codes)
  validation_failed: request(400),
  invalid_json: request(400),
  duplicate_key: request(400),
  invalid_header: request(400),
  invalid_encoding: request(400),
  invalid_cursor: request(400),
  unauthorized: { http: 401, exit: 1, headers: { "www-authenticate": "Bearer" } },
  forbidden: request(403),
  // CONTRACT §6: who may do what (functions/core/authorization.ts)
  actor_mismatch: request(403),
  separation_of_duties: request(403),
  not_assigned: request(403),
  not_auditor: request(403),
  not_a_person: request(403),
  not_record_owner: request(403),
  record_type_not_allowed: request(403),
  not_found: request(404),
  method_not_allowed: request(405),
  revision_conflict: request(409),
  transition_not_allowed: request(409),
  payload_too_large: request(413),
  unsupported_media_type: request(415),
  internal_error: internal,
  // a dependency (DynamoDB, Secrets Manager) is down, unreachable or throttling: not our bug, not
  // the caller's; retry later (functions/http/error-response.ts decides from the cause chain)
  unavailable: { http: 503, exit: 1, headers: { "retry-after": "5" } },
  // the command line
  usage_error: { http: 400, exit: 2 },
  git_error: { http: 500, exit: 2 },
  // configuration and secrets
  configuration_error: internal,
  invalid_credentials_config: internal,
  secret_unavailable: internal,
  invalid_policies: internal,
  policy_compilation_failed: internal,
  // concurrent writers kept winning (optimistic locks retried to their limit)
  contention: internal,
  // the sweeper could not re-evaluate every due record (they stay due: the next run retries)
  sweep_incomplete: internal,
  // storage (AWS SDK errors converted where they are caught; the SDK error is the cause)
  record_write_failed: internal,
  head_write_failed: internal,
  head_read_failed: internal,
  violation_read_failed: internal,
  violation_write_failed: internal,
  stats_write_failed: internal,
  policy_publish_failed: internal,
  policy_version_conflict: internal,
  audit_append_failed: internal,
  audit_read_failed: internal,
  audit_digest_failed: internal,
  audit_anchor_failed: internal,
  audit_append_contended: internal,
  audit_chain_inconsistent: internal,
  table_create_failed: internal,
  table_not_active: internal,
  table_mismatch: internal,
  table_delete_failed: internal,
  event_publish_failed: internal,
  // a table's stream delivered an image that is not what the table holds
  invalid_stream_image: internal,
  // the local runtime: DynamoDB Local and the stream poller (Lambda's event source mappings)
  java_missing: internal,
  java_too_old: internal,
  dynamodb_local_spawn_failed: internal,
  dynamodb_local_exited: internal,
  dynamodb_local_start_timeout: internal,
  data_dir_locked: internal,
  invalid_options: internal,
  table_not_found: internal,
  stream_not_enabled: internal,
  checkpoint_unreadable: internal,
  checkpoint_write_failed: internal,
  stream_read_failed: internal,
  handler_failed: internal,
  record_failed: internal,
  invalid_batch_response: internal,
  record_dead_lettered: internal,
  dead_letter_write_failed: internal,
  stream_poller_stopped: internal,
  // notifications (CONTRACT §7): a message that could not be sent, the notifications table, a
  // message someone else is sending right now (the event is retried later)
  notification_delivery_failed: internal,
  notification_store_failed: internal,
} as const satisfies Readonly<Record<string, Outcome>>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem of a request, named by its path (`data.amount`, `cursor`, `(body)`). */
export interface ErrorIssue {
  readonly path: string;
  readonly message: string;
}

export interface DomainErrorOptions {
  readonly cause?: unknown;
  /** every problem of a `validation_failed`, or the one field an error is about */
  readonly issues?: readonly ErrorIssue[];
}

export class DomainError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly issues?: readonly ErrorIssue[];
  constructor(code: C, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.issues) this.issues = options.issues;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError && error.code in ERROR_CODES;
}

/** The one mapping from an error code to an HTTP answer's status (and headers). */
export function httpOutcome(code: ErrorCode): { status: number; headers: Readonly<Record<string, string>> } {
  const outcome: Outcome = ERROR_CODES[code];
  return { status: outcome.http, headers: outcome.headers ?? {} };
}

/** The one mapping from an error code to the CLI's exit code. */
export function exitCode(code: ErrorCode): 1 | 2 {
  return ERROR_CODES[code].exit;
}
