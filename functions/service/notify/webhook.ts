/**
 * The notification webhook (CONTRACT §7): `{"id","kind","violation","to","at"}` POSTed as JSON,
 * signed like the ingest `v1=` (`X-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`),
 * so receivers verify it with the code they already have for ingest.
 */
import { signatureHeader } from "../../core/hmac-signature.ts";
import { postJson } from "./transports.ts";

export interface WebhookTarget {
  readonly url: string;
  readonly secret: string;
}

export interface WebhookBody {
  readonly id: string;
  readonly kind: string;
  readonly violation: unknown;
  readonly to: readonly string[];
  readonly at: string;
  /** Digests only: the person's queue. */
  readonly violations?: readonly unknown[];
}

export async function postWebhook(
  target: WebhookTarget,
  body: WebhookBody,
  nowMs: number,
  timeoutMs: number,
): Promise<void> {
  const text = JSON.stringify(body);
  await postJson(
    target.url,
    text,
    {
      "x-signature": signatureHeader(target.secret, text, Math.floor(nowMs / 1000)),
      "x-notification-id": body.id,
    },
    timeoutMs,
  );
}
