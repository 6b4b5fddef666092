/**
 * The notifier's settings, from the environment (the same names locally and on Lambda):
 *   COMPLIANCE_PUBLIC_URL            base of the links in messages (local default: the server's URL)
 *   COMPLIANCE_NOTIFY_LINK           `api` (default: <base>/v1/violations/<id>) or `console`
 *                                    (<base>/console/violations/<id>)
 *   COMPLIANCE_REMINDER_FRACTION     share of the due period after which the reminder goes (0.75)
 *   COMPLIANCE_DIGEST_AT             local time of the daily digest, HH:MM (09:00)
 *   COMPLIANCE_NOTIFY_ATTEMPTS, COMPLIANCE_NOTIFY_RETRY_BASE_MS, COMPLIANCE_NOTIFY_TIMEOUT_MS
 *                                    tries per message (5), first pause (1000 ms, doubling), per request (5000 ms)
 *   COMPLIANCE_NOTIFY_WEBHOOK_URL + COMPLIANCE_NOTIFY_WEBHOOK_SECRET   the signed webhook
 *   COMPLIANCE_CHANNEL_<ID>_URL / _SECRET   a chat robot's URL and signing secret (ID upper-cased, - → _)
 * On AWS the secrets come from Secrets Manager instead (COMPLIANCE_NOTIFY_SECRETS_ARN, a JSON
 * object `{"webhookSecret": "…", "channels": {"<id>": {"url": "…", "secret": "…"}}}`).
 */
import { DomainError } from "../../core/errors.ts";
import { DEFAULT_REMINDER_FRACTION } from "../../core/notify/reminder.ts";
import { parseClock } from "../../core/notify/when.ts";
import type { OrgDirectory } from "../../core/policy/model.ts";
import { companyTimeZone } from "../../core/time.ts";
import type { ChannelTarget } from "./chat.ts";
import { DEFAULT_RETRY } from "./delivery.ts";
import type { NotifierSettings } from "./notifier.ts";
import type { WebhookTarget } from "./webhook.ts";

/** A notification setting that cannot be used: names the variable and what it accepts. */
export class NotifySettingError extends DomainError<"configuration_error"> {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super("configuration_error", `${variable}: ${message}`);
    this.variable = variable;
  }
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new NotifySettingError(name, `must be a whole number ≥ 1, got "${raw}"`);
  return n;
}

export function linkFor(base: string, target: string): (violationId: string) => string {
  const root = base.replace(/\/+$/, "");
  if (target === "console") return (id) => `${root}/console/violations/${encodeURIComponent(id)}`;
  return (id) => `${root}/v1/violations/${encodeURIComponent(id)}`;
}

export function notifierSettings(
  env: NodeJS.ProcessEnv,
  org: OrgDirectory,
  defaults: { publicUrl?: string } = {},
): NotifierSettings {
  const base = env.COMPLIANCE_PUBLIC_URL || defaults.publicUrl;
  if (!base)
    throw new NotifySettingError("COMPLIANCE_PUBLIC_URL", "must be set: the links in messages start with it");
  try {
    new URL(base);
  } catch {
    throw new NotifySettingError(
      "COMPLIANCE_PUBLIC_URL",
      `must be an absolute URL, e.g. https://compliance.example.com, got "${base}"`,
    );
  }
  const target = env.COMPLIANCE_NOTIFY_LINK || "api";
  if (target !== "api" && target !== "console")
    throw new NotifySettingError("COMPLIANCE_NOTIFY_LINK", `must be api or console, got "${target}"`);
  const fractionText = env.COMPLIANCE_REMINDER_FRACTION;
  const fraction = fractionText ? Number(fractionText) : DEFAULT_REMINDER_FRACTION;
  if (!(fraction > 0 && fraction < 1))
    throw new NotifySettingError(
      "COMPLIANCE_REMINDER_FRACTION",
      `must be a number between 0 and 1 (e.g. 0.75), got "${fractionText}"`,
    );
  const digestText = env.COMPLIANCE_DIGEST_AT || "09:00";
  const digestAt = parseClock(digestText);
  if (!digestAt)
    throw new NotifySettingError(
      "COMPLIANCE_DIGEST_AT",
      `must be a time HH:MM (e.g. 09:00), got "${digestText}"`,
    );
  return {
    timeZone: companyTimeZone(org),
    link: linkFor(base, target),
    reminderFraction: fraction,
    digestAt,
    retry: {
      attempts: positiveInt(env, "COMPLIANCE_NOTIFY_ATTEMPTS", DEFAULT_RETRY.attempts),
      baseDelayMs: positiveInt(env, "COMPLIANCE_NOTIFY_RETRY_BASE_MS", DEFAULT_RETRY.baseDelayMs),
    },
    timeoutMs: positiveInt(env, "COMPLIANCE_NOTIFY_TIMEOUT_MS", 5000),
  };
}

/** The webhook, when COMPLIANCE_NOTIFY_WEBHOOK_URL is set (its secret is then required). */
export function webhookFromEnv(
  env: NodeJS.ProcessEnv,
  secret = env.COMPLIANCE_NOTIFY_WEBHOOK_SECRET,
): WebhookTarget | undefined {
  const url = env.COMPLIANCE_NOTIFY_WEBHOOK_URL;
  if (!url) return undefined;
  if (!/^https?:\/\//.test(url))
    throw new NotifySettingError("COMPLIANCE_NOTIFY_WEBHOOK_URL", `must be an http(s) URL, got "${url}"`);
  if (!secret)
    throw new NotifySettingError(
      "COMPLIANCE_NOTIFY_WEBHOOK_SECRET",
      "must be set with COMPLIANCE_NOTIFY_WEBHOOK_URL: every notification is signed with it",
    );
  return { url, secret };
}

export const channelVariable = (channelId: string, what: "URL" | "SECRET") =>
  `COMPLIANCE_CHANNEL_${channelId.toUpperCase().replace(/-/g, "_")}_${what}`;

/** Chat robot URLs and secrets from the environment. */
export function channelsFromEnv(
  env: NodeJS.ProcessEnv,
): (channelId: string) => Promise<ChannelTarget | undefined> {
  return async (id) => {
    const url = env[channelVariable(id, "URL")];
    if (!url) return undefined;
    const secret = env[channelVariable(id, "SECRET")];
    return secret ? { url, secret } : { url };
  };
}

/** The Secrets Manager form: {"webhookSecret": "…", "channels": {"<id>": {"url", "secret"}}}. */
export interface NotifySecrets {
  readonly webhookSecret?: string;
  readonly channels?: Readonly<Record<string, { readonly url?: string; readonly secret?: string }>>;
}

export function parseNotifySecrets(text: string): NotifySecrets {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new NotifySettingError("COMPLIANCE_NOTIFY_SECRETS_ARN", "the secret must be JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new NotifySettingError(
      "COMPLIANCE_NOTIFY_SECRETS_ARN",
      'the secret must be a JSON object {"webhookSecret", "channels"}',
    );
  return parsed as NotifySecrets;
}
