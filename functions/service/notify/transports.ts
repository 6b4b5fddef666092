/**
 * How notifications leave the platform: mail (SES, SMTP or .eml files), a signed webhook and chat
 * robots. Each transport throws on failure; delivery.ts retries, records and dead-letters.
 */
import { DomainError } from "../../core/errors.ts";

export interface MailMessage {
  /** The message id (derived from violation, change and person). */
  readonly id: string;
  readonly to: { readonly address: string; readonly name?: string };
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  /** For the start-up line: where mails go. */
  readonly describe: string;
  send(message: MailMessage): Promise<void>;
}

/** Where failed deliveries are kept after the last try (a file locally, SQS on AWS). */
export interface DeadLetters {
  readonly describe: string;
  put(entry: Readonly<Record<string, unknown>>): Promise<void>;
}

/** A message that could not be sent (the transport's reason in the message, the cause kept). */
export class DeliveryError extends DomainError<"notification_delivery_failed"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("notification_delivery_failed", message, options);
  }
}

/** POSTs JSON and fails on anything but 2xx (or on time-out); answers the response text. */
export async function postJson(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
  } catch (error) {
    throw new DeliveryError(`POST ${redact(url)} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const text = await response.text().catch(() => "");
  if (!response.ok)
    throw new DeliveryError(`POST ${redact(url)} answered ${response.status}: ${text.slice(0, 200)}`);
  return text;
}

/** A URL for logs and dead letters: robot URLs carry their token in the query, which must not leak. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname.replace(/\/[^/]{16,}$/, "/…")}`;
  } catch {
    return "(invalid URL)";
  }
}
