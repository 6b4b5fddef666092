/**
 * The notifier (CONTRACT §7). `notify` takes the violation events (ViolationOpened /
 * ViolationEscalated; ViolationResolved tells nobody) and tells each person the violation is then
 * assigned to: one mail per (violation, change, person), one webhook per (violation, change), one
 * message per matching chat robot. `sweep` sends reminders that are due (those of a first due
 * period found from the detection time, first-reminders.ts; later ones from the sparse
 * `byRemindAt` index) and, once a day after 09:00 in the company's time zone, each person's digest of their
 * open queue (the violations' byStatus index, which projects the people assigned). Each
 * notification is claimed once, in one write that also keeps its reminder: delivery.ts.
 *
 * The same code runs on Lambda (EventBridge rule + schedule, handlers/notifier.ts) and locally
 * (the local event path and the sweeper, functions/local/platform-runtime.ts).
 */
import type { ChannelFile } from "../../../schemas/notifications.ts";
import { type Directory, recordDepartment } from "../../core/directory.ts";
import { publicViolation, type StoredViolation } from "../../core/lifecycle.ts";
import { renderChat, renderDigest, renderMail } from "../../core/notify/content.ts";
import {
  changeOf,
  messageId,
  type NotificationKind,
  notificationId,
  type ViolationEventType,
} from "../../core/notify/kinds.ts";
import { inFirstDuePeriod, PENDING_STATUSES, reminderAt } from "../../core/notify/reminder.ts";
import { latestDigestSlot } from "../../core/notify/when.ts";
import { findVersion, type PolicySet } from "../../core/policy/model.ts";
import {
  type DueReminder,
  type NotificationClaim,
  type NotificationsStore,
  REMINDER_SHARDS,
} from "../../store/notifications.ts";
import { type RecordRepository, recordKey, type ViolationRepository } from "../../store/repositories.ts";
import { type ChannelTarget, postChat } from "./chat.ts";
import {
  type DeliveryOutcome,
  deliverNotification,
  type OutgoingMessage,
  type RetryPolicy,
} from "./delivery.ts";
import { scannedOffset, sweepFirstReminders } from "./first-reminders.ts";
import type { DeadLetters, Mailer } from "./transports.ts";
import { postWebhook, type WebhookBody, type WebhookTarget } from "./webhook.ts";

/** A violation as the API and the events show it. */
export type PublicViolation = ReturnType<typeof publicViolation>;

export interface NotifierSettings {
  readonly timeZone: string;
  /** The link to a violation: the console's page once configured, the API's otherwise. */
  readonly link: (violationId: string) => string;
  /** Share of the due period after which the reminder goes (a policy's `reminderBefore` wins). */
  readonly reminderFraction: number;
  readonly digestAt: { readonly hour: number; readonly minute: number };
  readonly retry: RetryPolicy;
  /** Per HTTP request (webhook, robots). */
  readonly timeoutMs: number;
}

export interface NotifierDeps {
  readonly store: NotificationsStore;
  readonly violations: ViolationRepository;
  readonly records: RecordRepository;
  readonly set: PolicySet;
  /** The org directory (core/directory.ts): whom to mail, and everyone a digest may go to. */
  readonly directory: Pick<Directory, "byId" | "people">;
  readonly mailer?: Mailer;
  readonly webhook?: WebhookTarget;
  /** A channel's URL and secret (environment or Secrets Manager); undefined when not configured. */
  readonly channelTarget: (channelId: string) => Promise<ChannelTarget | undefined>;
  readonly deadLetters: DeadLetters;
  readonly settings: NotifierSettings;
  readonly now: () => Date;
  readonly log?: {
    error(message: string, extra: Record<string, unknown>): void;
    info(message: string, extra: Record<string, unknown>): void;
  };
}

/** A violation event as the events function publishes it (EventBridge `detail-type` and `detail`). */
export interface ViolationEvent {
  readonly detailType: ViolationEventType;
  readonly detail: PublicViolation;
}

export interface SweepOutcome {
  readonly reminders: number;
  readonly digests: number;
  readonly failed: number;
}

export interface Notifier {
  notify(events: readonly ViolationEvent[]): Promise<void>;
  sweep(): Promise<SweepOutcome>;
}

const PENDING: ReadonlySet<string> = new Set(PENDING_STATUSES);

/** How many messages of some notifications went, and how many failed after their last try. */
function tally(outcomes: readonly DeliveryOutcome[]): { sent: number; failed: number } {
  return {
    sent: outcomes.filter((o) => o === "sent").length,
    failed: outcomes.filter((o) => o === "failed").length,
  };
}

const peopleOf = (v: { readonly assignees: readonly { readonly people: readonly string[] }[] }): string[] => [
  ...new Set(v.assignees.flatMap((a) => a.people)),
];

export function createNotifier(deps: NotifierDeps): Notifier {
  return {
    async notify(events) {
      await Promise.all(events.map((event) => notifyOne(deps, event)));
    },
    sweep: () => sweep(deps),
  };
}

const renderContext = (deps: NotifierDeps) => ({
  timeZone: deps.settings.timeZone,
  nowMs: deps.now().getTime(),
  link: deps.settings.link,
});

/** One notification, all its messages at once; its item is keyed by the notification id (the webhook's `id`). */
function deliver(
  deps: NotifierDeps,
  notification: string,
  claim: NotificationClaim & { readonly kind: NotificationKind },
  messages: readonly OutgoingMessage[],
): Promise<DeliveryOutcome[]> {
  const id = `n#${notification}`;
  return deliverNotification({
    store: deps.store,
    id,
    claim,
    messages,
    retry: deps.settings.retry,
    deadLetters: deps.deadLetters,
    now: deps.now,
  }).catch((error): DeliveryOutcome[] => {
    deps.log?.error("notification delivery failed", { id, error: String(error) });
    throw error;
  });
}

async function departmentOf(deps: NotifierDeps, v: PublicViolation): Promise<string | undefined> {
  const stored = await deps.records.getRevision(recordKey(v.record.type, v.record.id), v.record.revision);
  return recordDepartment(stored?.record);
}

async function matchingChannels(deps: NotifierDeps, v: PublicViolation): Promise<ChannelFile[]> {
  const channels: readonly ChannelFile[] = deps.set.org.notifications?.channels ?? [];
  if (channels.length === 0) return [];
  const roles = new Set(v.assignees.map((a) => a.role));
  const department = channels.some((c) => c.departments?.length) ? await departmentOf(deps, v) : undefined;
  return channels.filter(
    (c) =>
      (c.roles ?? []).some((r) => roles.has(r)) ||
      (department !== undefined && (c.departments ?? []).includes(department)),
  );
}

/** Every message of one violation notification: mails, the webhook, chat robots. */
async function fanOut(
  deps: NotifierDeps,
  args: {
    kind: Exclude<NotificationKind, "digest">;
    change: string;
    violation: PublicViolation;
    at: string;
    reminder?: NotificationClaim["reminder"];
  },
): Promise<DeliveryOutcome[]> {
  const { kind, change, violation: v } = args;
  const people = peopleOf(v);
  const ctx = renderContext(deps);
  const messages: OutgoingMessage[] = [];
  const mailer = deps.mailer;
  if (mailer) {
    for (const personId of people) {
      const person = deps.directory.byId(personId);
      if (!person?.email) {
        deps.log?.info("notification: no e-mail address for person", { person: personId, violation: v.id });
        continue;
      }
      messages.push(
        mailMessage(mailer, person, messageId(v.id, change, personId), renderMail(kind, v, person, ctx)),
      );
    }
  }
  const notification = notificationId(v.id, change);
  const webhook = deps.webhook;
  if (webhook) {
    messages.push(
      webhookMessage(deps, webhook, { id: notification, kind, violation: v, to: people, at: args.at }),
    );
  }
  for (const channel of await matchingChannels(deps, v)) {
    const target = await deps.channelTarget(channel.id);
    if (!target) {
      deps.log?.error("notification: chat channel has no URL configured", { channel: channel.id });
      continue;
    }
    const message = renderChat(kind, v, people, ctx);
    messages.push({
      key: `chat:${channel.id}`,
      channel: `chat:${channel.id}`,
      to: people,
      send: () => postChat(channel.kind, target, message, deps.now().getTime(), deps.settings.timeoutMs),
      payload: { channel: channel.id, kind: channel.kind, message },
    });
  }
  return deliver(
    deps,
    notification,
    { kind, subject: v.id, change, to: people, ...(args.reminder ? { reminder: args.reminder } : {}) },
    messages,
  );
}

function reminderBefore(deps: NotifierDeps, v: Pick<PublicViolation, "policyId" | "policyVersion">): unknown {
  return findVersion(deps.set, v.policyId, v.policyVersion)?.parameters.reminderBefore;
}

async function notifyOne(deps: NotifierDeps, event: ViolationEvent): Promise<DeliveryOutcome[]> {
  const v = withoutEventKey(event.detail);
  const change = changeOf(event.detailType, v);
  if (!change) return [];
  // the due period this change began gets its reminder, kept on the notification's own item; the
  // first due period's is found from the detection time instead (first-reminders.ts: no index
  // write), unless it comes due too soon after detection for the sweep to see the violation
  const due = reminderAt(v, {
    fraction: deps.settings.reminderFraction,
    reminderBefore: reminderBefore(deps, v),
  });
  const scanned =
    due !== null && inFirstDuePeriod(v) && scannedOffset(Date.parse(due) - Date.parse(v.detectedAt));
  const remindAt = scanned ? null : due;
  const at = v.history[v.history.length - 1]?.at ?? v.updatedAt;
  return fanOut(deps, {
    kind: change.kind,
    change: change.change,
    violation: v,
    at,
    ...(remindAt ? { reminder: { violationId: v.id, dueAt: v.dueAt, remindAt } } : {}),
  });
}

/** A violation's reminder of its current due period (claimed once: `reminder@<dueAt>`). */
function remindOf(deps: NotifierDeps, stored: StoredViolation, nowMs: number): Promise<DeliveryOutcome[]> {
  return fanOut(deps, {
    kind: "reminder",
    change: `reminder@${stored.dueAt}`,
    violation: publicViolation(stored),
    at: new Date(nowMs).toISOString(),
  });
}

/** A reminder from the index (a later due period's): sent while still due, then out of the index. */
async function remind(deps: NotifierDeps, due: DueReminder, nowMs: number): Promise<DeliveryOutcome[]> {
  const stored = await deps.violations.get(due.violationId);
  let outcomes: DeliveryOutcome[] = [];
  if (stored && PENDING.has(stored.status) && stored.dueAt === due.dueAt && nowMs < Date.parse(due.dueAt))
    outcomes = await remindOf(deps, stored, nowMs);
  // handled (sent, already sent, or no longer due): out of the index
  await deps.store.reminderDone(due.id);
  return outcomes;
}

/** The reminders of first due periods that came due since the last sweep (first-reminders.ts). */
async function firstReminders(deps: NotifierDeps, nowMs: number): Promise<{ sent: number; failed: number }> {
  try {
    return await sweepFirstReminders(
      {
        store: deps.store,
        violations: deps.violations,
        set: deps.set,
        reminderFraction: deps.settings.reminderFraction,
        reminderBefore: (v) => reminderBefore(deps, v),
        remind: async (v) => tally(await remindOf(deps, v, nowMs)),
      },
      nowMs,
    );
  } catch (error) {
    // the cursor stays: the next sweep looks at the same window again (claims keep it to once)
    deps.log?.error("notification reminders failed", { error: String(error) });
    return { sent: 0, failed: 1 };
  }
}

/**
 * One person's digest: the violations of their queue (from the index, eventually consistent)
 * still open or acknowledged and still theirs when read again, consistently.
 */
async function digestFor(
  deps: NotifierDeps,
  personId: string,
  queue: readonly string[],
  date: string,
  atIso: string,
): Promise<DeliveryOutcome[]> {
  if (queue.length === 0) return [];
  const found = await deps.violations.getMany(queue);
  const open: StoredViolation[] = [];
  for (const id of queue) {
    const v = found.get(id);
    if (v && PENDING.has(v.status) && peopleOf(v).includes(personId)) open.push(v);
  }
  if (open.length === 0) return [];
  const items = open.map(publicViolation);
  const change = `digest@${date}`;
  const messages: OutgoingMessage[] = [];
  const person = deps.directory.byId(personId);
  const mailer = deps.mailer;
  if (mailer && person?.email) {
    const mail = renderDigest(date, items, person, renderContext(deps));
    messages.push(mailMessage(mailer, person, messageId(personId, change, personId), mail));
  }
  const notification = notificationId(`digest:${personId}`, change);
  const webhook = deps.webhook;
  if (webhook) {
    messages.push(
      webhookMessage(deps, webhook, {
        id: notification,
        kind: "digest",
        violation: null,
        violations: items,
        to: [personId],
        at: atIso,
      }),
    );
  }
  return deliver(deps, notification, { kind: "digest", subject: personId, change, to: [personId] }, messages);
}

async function digests(deps: NotifierDeps, nowMs: number): Promise<{ sent: number; failed: number }> {
  const slot = latestDigestSlot(nowMs, deps.settings.timeZone, deps.settings.digestAt);
  const cursor = await deps.store.digestCursor();
  // the first run only sets the cursor: no digest for a day that began before the platform did
  if (cursor === undefined) {
    await deps.store.moveDigestCursor(undefined, slot.date);
    return { sent: 0, failed: 0 };
  }
  if (cursor >= slot.date) return { sent: 0, failed: 0 };
  const at = new Date(slot.atMs).toISOString();
  // everyone's queue in one pass over the open and acknowledged violations (no queue items)
  const queues = new Map<string, string[]>();
  for await (const { id, people } of deps.violations.assigned(PENDING_STATUSES))
    for (const person of people) {
      const queue = queues.get(person);
      if (queue) queue.push(id);
      else queues.set(person, [id]);
    }
  const outcomes: DeliveryOutcome[] = [];
  // every role member is a person of the directory (org-check refuses any other)
  for (const person of deps.directory.people.map((p) => p.id).sort())
    outcomes.push(...(await digestFor(deps, person, queues.get(person) ?? [], slot.date, at)));
  // a sweep that fails before this line leaves the cursor: the next one finishes (what went is skipped)
  await deps.store.moveDigestCursor(cursor, slot.date);
  return tally(outcomes);
}

/** Reminders that are due (every shard of the index at once), then the daily digests. */
async function sweep(deps: NotifierDeps): Promise<SweepOutcome> {
  const { store } = deps;
  const nowMs = deps.now().getTime();
  const now = new Date(nowMs).toISOString();
  let reminders = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: REMINDER_SHARDS }, async (_, shard) => {
      for await (const due of store.dueReminders(String(shard), now)) {
        try {
          const outcome = tally(await remind(deps, due, nowMs));
          reminders += outcome.sent;
          failed += outcome.failed;
        } catch (error) {
          failed++;
          deps.log?.error("notification reminder failed", {
            violation: due.violationId,
            error: String(error),
          });
        }
      }
    }),
  );
  const first = await firstReminders(deps, nowMs);
  const digest = await digests(deps, nowMs);
  return {
    reminders: reminders + first.sent,
    digests: digest.sent,
    failed: failed + first.failed + digest.failed,
  };
}

function withoutEventKey(detail: PublicViolation & { eventKey?: unknown }): PublicViolation {
  const { eventKey: _, ...rest } = detail;
  return rest;
}

/** One person's mail of a notification (its key, its sending, what a dead letter keeps of it). */
function mailMessage(
  mailer: Mailer,
  person: { readonly id: string; readonly email: string; readonly name: { readonly en: string } },
  id: string,
  mail: { readonly subject: string; readonly text: string },
): OutgoingMessage {
  const address = person.email;
  return {
    key: `mail:${person.id}`,
    channel: "mail",
    to: [person.id],
    send: () => mailer.send({ id, to: { address, name: person.name.en }, ...mail }),
    payload: { to: address, ...mail },
  };
}

/** The webhook's message of a notification (its body is also what a dead letter keeps). */
function webhookMessage(deps: NotifierDeps, webhook: WebhookTarget, body: WebhookBody): OutgoingMessage {
  return {
    key: "webhook",
    channel: "webhook",
    to: body.to,
    send: () => postWebhook(webhook, body, deps.now().getTime(), deps.settings.timeoutMs),
    payload: body,
  };
}
