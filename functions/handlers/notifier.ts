/**
 * The notifier Lambda (CONTRACT §7), invoked two ways:
 * - by an EventBridge rule with each ViolationOpened / ViolationEscalated event of the platform's
 *   bus (asynchronously: Lambda retries, then the function's dead-letter queue);
 * - by EventBridge Scheduler every minute with `{"task":"sweep"}`: due reminders and the daily digest.
 * Mail goes through SES (never nodemailer: it stays out of this bundle).
 */
import type { EventBridgeEvent } from "aws-lambda";
import { directoryOf } from "../core/directory.ts";
import type { ViolationEventType } from "../core/notify/kinds.ts";
import { onFirstUse } from "../runtime/on-first-use.ts";
import { loadPolicySetForProcess } from "../runtime/policy-set.ts";
import { readSecret } from "../runtime/secrets.ts";
import { eventBusDeadLetters } from "../service/notify/dead-letters.ts";
import { sesMailer } from "../service/notify/mail-ses.ts";
import {
  createNotifier,
  type Notifier,
  type PublicViolation,
  type ViolationEvent,
} from "../service/notify/notifier.ts";
import {
  channelsFromEnv,
  NotifySettingError,
  notifierSettings,
  parseNotifySecrets,
  webhookFromEnv,
} from "../service/notify/settings.ts";
import { createTableClients } from "../store/clients.ts";
import { NotificationsStore } from "../store/notifications.ts";
import { RecordsStore } from "../store/records.ts";
import { tablesFromEnv } from "../store/tables.ts";
import { ViolationsStore } from "../store/violations.ts";

/** An EventBridge event, or the schedule's (any payload without `detail-type`, e.g. `{"task":"sweep"}`). */
export type NotifierInput = EventBridgeEvent<string, PublicViolation> | { readonly task?: "sweep" };

const NOTIFYING: ReadonlySet<string> = new Set<ViolationEventType>(["ViolationOpened", "ViolationEscalated"]);

/**
 * JSON lines on stdout/stderr, as Powertools writes them: the notifier's bundle stays under its
 * 500 KB budget without the Powertools logger (~20 KB).
 */
const logger = {
  line: (level: string, message: string, extra: Record<string, unknown>) =>
    JSON.stringify({ level, message, timestamp: new Date().toISOString(), service: "compliance", ...extra }),
  info(message: string, extra: Record<string, unknown> = {}) {
    console.log(this.line("INFO", message, extra));
  },
  error(message: string, extra: Record<string, unknown> = {}) {
    console.error(this.line("ERROR", message, extra));
  },
};

export function createNotifierHandler(notifier: () => Promise<Notifier>) {
  return async (input: NotifierInput) => {
    const n = await notifier();
    if (!("detail-type" in input)) {
      const result = await n.sweep();
      logger.info("notification sweep", { ...result });
      return result;
    }
    if (input.source !== "compliance.platform" || !NOTIFYING.has(input["detail-type"]))
      return { ignored: true };
    const event: ViolationEvent = {
      detailType: input["detail-type"] as ViolationEventType,
      detail: input.detail,
    };
    await n.notify([event]);
    return { notified: event.detail.id };
  };
}

async function build(env: NodeJS.ProcessEnv): Promise<Notifier> {
  // not the full Runtime: no evaluator, no HTTP credentials (and no zod schemas in this bundle)
  const set = await loadPolicySetForProcess();
  const secretsArn = env.COMPLIANCE_NOTIFY_SECRETS_ARN;
  const secrets = secretsArn ? parseNotifySecrets(await readSecret(secretsArn)) : {};
  const bus = env.COMPLIANCE_EVENT_BUS_NAME;
  if (!bus)
    throw new NotifySettingError("COMPLIANCE_EVENT_BUS_NAME", "must be set: failed deliveries go there");
  const fromEnv = channelsFromEnv(env);
  const { doc } = createTableClients(env.COMPLIANCE_DYNAMODB_ENDPOINT);
  const tables = tablesFromEnv(env);
  return createNotifier({
    store: new NotificationsStore(doc, tables.notifications),
    violations: new ViolationsStore(doc, tables.violations),
    records: new RecordsStore(doc, tables),
    set,
    directory: directoryOf(set.org),
    mailer: env.COMPLIANCE_MAIL_FROM ? sesMailer({ from: env.COMPLIANCE_MAIL_FROM }) : undefined,
    webhook: webhookFromEnv(env, secrets.webhookSecret ?? env.COMPLIANCE_NOTIFY_WEBHOOK_SECRET),
    channelTarget: async (id) => {
      const stored = secrets.channels?.[id];
      if (stored?.url)
        return stored.secret ? { url: stored.url, secret: stored.secret } : { url: stored.url };
      return fromEnv(id);
    },
    deadLetters: eventBusDeadLetters(bus),
    settings: notifierSettings(env, set.org),
    now: () => new Date(),
    log: {
      error: (message, extra) => logger.error(message, extra),
      info: (message, extra) => logger.info(message, extra),
    },
  });
}

const notifierFromEnv = onFirstUse(build);
export const handler = createNotifierHandler(() => notifierFromEnv(process.env));
