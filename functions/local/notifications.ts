/**
 * The notifier as `npm start` runs it: the same createNotifier as the Lambda, fed by the local
 * event path (the violations stream's events reader) and the local sweeper. Mail goes to
 * COMPLIANCE_SMTP_URL when set, else into a folder of `.eml` files; failed deliveries to a file.
 */
import { join } from "node:path";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { directoryOf } from "../core/directory.ts";
import type { OrgDirectory } from "../core/policy/model.ts";
import type { DomainEvent, EventSink } from "../service/events.ts";
import { fileDeadLetters } from "../service/notify/dead-letters.ts";
import { folderMailer, smtpMailer } from "../service/notify/mail-smtp.ts";
import { createNotifier, type Notifier } from "../service/notify/notifier.ts";
import {
  channelsFromEnv,
  channelVariable,
  notifierSettings,
  webhookFromEnv,
} from "../service/notify/settings.ts";
import type { Platform } from "../service/platform.ts";
import { NotificationsStore } from "../store/notifications.ts";
import type { TableNames } from "../store/tables.ts";

export interface LocalNotifier {
  readonly notifier: Notifier;
  /** Where local mails go (the folder of .eml files, or the SMTP server). */
  readonly mail: string;
  readonly deadLetterFile: string;
  /** Lines for the start-up banner. */
  readonly banner: readonly string[];
}

export function localNotifier(args: {
  env: NodeJS.ProcessEnv;
  platform: Platform;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  stateDir: string;
  publicUrl: string;
  log: {
    error(message: string, extra: Record<string, unknown>): void;
    info(message: string, extra: Record<string, unknown>): void;
  };
}): LocalNotifier {
  const { env, platform } = args;
  const from = env.COMPLIANCE_MAIL_FROM || "compliance@localhost";
  const mailer = env.COMPLIANCE_SMTP_URL
    ? smtpMailer(env.COMPLIANCE_SMTP_URL, from)
    : folderMailer(join(args.stateDir, "mail"), from, platform.now);
  const deadLetterFile = join(args.stateDir, "notify-dead-letter.jsonl");
  const webhook = webhookFromEnv(env, localWebhookSecret(env));
  const settings = notifierSettings(env, platform.set.org, { publicUrl: args.publicUrl });
  const notifier = createNotifier({
    store: new NotificationsStore(args.doc, args.tables.notifications),
    violations: platform.violations,
    records: platform.records,
    set: platform.set,
    directory: directoryOf(platform.set.org),
    mailer,
    webhook,
    channelTarget: channelsFromEnv(env),
    deadLetters: fileDeadLetters(deadLetterFile),
    settings,
    now: platform.now,
    log: args.log,
  });
  const channels = platform.set.org.notifications?.channels ?? [];
  const banner = [
    `notifications: mail → ${mailer.describe}; webhook → ${webhook ? webhook.url : "off (COMPLIANCE_NOTIFY_WEBHOOK_URL)"}; failed deliveries → ${deadLetterFile}`,
    ...(webhook && !env.COMPLIANCE_NOTIFY_WEBHOOK_SECRET
      ? [
          `notice: COMPLIANCE_NOTIFY_WEBHOOK_SECRET not set: the webhook is signed with the local development value ${LOCAL_NOTIFY_WEBHOOK_SECRET}`,
        ]
      : []),
    ...(channels.length
      ? [
          `chat channels: ${channels
            .map(
              (c) =>
                `${c.id} (${c.kind}${env[channelVariable(c.id, "URL")] ? "" : `, off: set ${channelVariable(c.id, "URL")}`})`,
            )
            .join(", ")}`,
        ]
      : []),
    `links in messages: ${settings.link("<id>")}; reminders at ${Math.round(settings.reminderFraction * 100)} % of the due period; digest daily at ${String(settings.digestAt.hour).padStart(2, "0")}:${String(settings.digestAt.minute).padStart(2, "0")} ${settings.timeZone}`,
  ];
  return { notifier, mail: mailer.describe, deadLetterFile, banner };
}

/** The local runtime alone signs with a development secret when none is set (and says so at start). */
export const LOCAL_NOTIFY_WEBHOOK_SECRET = "local-notify-secret";
const localWebhookSecret = (env: NodeJS.ProcessEnv) =>
  env.COMPLIANCE_NOTIFY_WEBHOOK_SECRET || LOCAL_NOTIFY_WEBHOOK_SECRET;

/** Refuses bad notification settings before the platform starts (the same checks as localNotifier). */
export function checkNotifySettings(env: NodeJS.ProcessEnv, org: OrgDirectory): void {
  notifierSettings(env, org, { publicUrl: "http://127.0.0.1" });
  webhookFromEnv(env, localWebhookSecret(env));
  if (env.COMPLIANCE_SMTP_URL) smtpMailer(env.COMPLIANCE_SMTP_URL, "check@localhost");
}

/** The local event path: events go to the file sink, then to the notifier (as EventBridge → the notifier on AWS). */
export function notifyingSink(sink: EventSink, notifier: () => Promise<Notifier>): EventSink {
  return {
    async publish(events: readonly DomainEvent[]) {
      await sink.publish(events);
      if (events.length === 0) return;
      await (await notifier()).notify(events.map((e) => ({ detailType: e.detailType, detail: e.detail })));
    },
  };
}
