/**
 * The notifier (CONTRACT §7). `notify` takes the violation events (ViolationOpened /
 * ViolationEscalated; ViolationResolved tells nobody) and tells each person the violation is then
 * assigned to: one mail per (violation, change, person), one webhook per (violation, change), one
 * message per matching chat robot. `sweep` sends reminders that are due (sparse `byRemindAt`
 * index) and, once a day after 09:00 in the company's time zone, each person's digest of their
 * open queue (sparse `byPerson` index). Every message goes at most once: delivery.ts.
 *
 * The same code runs on Lambda (EventBridge rule + schedule, handlers/notifier.ts) and locally
 * (the local event path and the sweeper, functions/local/platform-runtime.ts).
 */
import type { ChannelFile } from "../../../schemas/notifications.ts";
import type { Directory } from "../../core/directory.ts";
import { DomainError } from "../../core/errors.ts";
import { publicViolation, type StoredViolation } from "../../core/lifecycle.ts";
import { renderChat, renderDigest, renderMail } from "../../core/notify/content.ts";
import {
  changeOf,
  messageId,
  type NotificationKind,
  notificationId,
  type ViolationEventType,
} from "../../core/notify/kinds.ts";
import { reminderAt } from "../../core/notify/reminder.ts";
import { latestDigestSlot } from "../../core/notify/when.ts";
import type { PolicySet } from "../../core/policy/model.ts";
import { type NotificationsStore, REMINDER_SHARDS } from "../../store/notifications.ts";
import { type RecordRepository, recordKey, type ViolationRepository } from "../../store/repositories.ts";
import { type ChannelTarget, postChat } from "./chat.ts";
import { type DeliveryOutcome, deliverOnce, type RetryPolicy } from "./delivery.ts";
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

/** Someone else is sending one of this event's messages right now: try the event again later. */
export class NotificationBusyError extends DomainError<"notification_in_progress"> {
  constructor(message: string) {
    super("notification_in_progress", message);
  }
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

const PENDING = new Set(["open", "acknowledged"]);

const peopleOf = (v: { readonly assignees: readonly { readonly people: readonly string[] }[] }): string[] => [
  ...new Set(v.assignees.flatMap((a) => a.people)),
];

export function createNotifier(deps: NotifierDeps): Notifier {
  const { store, settings } = deps;
  const channels: readonly ChannelFile[] = deps.set.org.notifications?.channels ?? [];
  const render = () => ({ timeZone: settings.timeZone, nowMs: deps.now().getTime(), link: settings.link });

  const deliver = (
    key: string,
    meta: { kind: NotificationKind; channel: string; subject: string; change: string; to: readonly string[] },
    send: () => Promise<void>,
    payload?: unknown,
  ) =>
    deliverOnce({
      store,
      key,
      meta,
      send,
      retry: settings.retry,
      deadLetters: deps.deadLetters,
      now: deps.now,
      payload,
    }).catch((error): DeliveryOutcome => {
      deps.log?.error("notification delivery failed", { key, error: String(error) });
      throw error;
    });

  async function departmentOf(v: PublicViolation): Promise<string | undefined> {
    const stored = await deps.records.getRevision(recordKey(v.record.type, v.record.id), v.record.revision);
    const department = (stored?.record.data as { department?: unknown } | undefined)?.department;
    return typeof department === "string" ? department : undefined;
  }

  async function matchingChannels(v: PublicViolation): Promise<ChannelFile[]> {
    if (channels.length === 0) return [];
    const roles = new Set(v.assignees.map((a) => a.role));
    const department = channels.some((c) => c.departments?.length) ? await departmentOf(v) : undefined;
    return channels.filter(
      (c) =>
        (c.roles ?? []).some((r) => roles.has(r)) ||
        (department !== undefined && (c.departments ?? []).includes(department)),
    );
  }

  /** Every message of one violation notification: mails, the webhook, chat robots. */
  async function fanOut(args: {
    kind: Exclude<NotificationKind, "digest">;
    change: string;
    violation: PublicViolation;
    at: string;
  }): Promise<DeliveryOutcome[]> {
    const { kind, change, violation: v } = args;
    const people = peopleOf(v);
    const ctx = render();
    const jobs: Promise<DeliveryOutcome>[] = [];
    const mailer = deps.mailer;
    if (mailer) {
      for (const personId of people) {
        const person = deps.directory.byId(personId);
        if (!person?.email) {
          deps.log?.info("notification: no e-mail address for person", { person: personId, violation: v.id });
          continue;
        }
        const id = messageId(v.id, change, personId);
        const mail = renderMail(kind, v, person, ctx);
        const address = person.email;
        jobs.push(
          deliver(
            `d#mail#${id}`,
            { kind, channel: "mail", subject: v.id, change, to: [personId] },
            () => mailer.send({ id, to: { address, name: person.name.en }, ...mail }),
            { to: address, ...mail },
          ),
        );
      }
    }
    const webhook = deps.webhook;
    if (webhook) {
      const body: WebhookBody = {
        id: notificationId(v.id, change),
        kind,
        violation: v,
        to: people,
        at: args.at,
      };
      jobs.push(
        deliver(
          `d#webhook#${body.id}`,
          { kind, channel: "webhook", subject: v.id, change, to: people },
          () => postWebhook(webhook, body, deps.now().getTime(), settings.timeoutMs),
          body,
        ),
      );
    }
    for (const channel of await matchingChannels(v)) {
      const target = await deps.channelTarget(channel.id);
      if (!target) {
        deps.log?.error("notification: chat channel has no URL configured", { channel: channel.id });
        continue;
      }
      const message = renderChat(kind, v, people, ctx);
      jobs.push(
        deliver(
          `d#chat#${channel.id}#${notificationId(v.id, change)}`,
          { kind, channel: `chat:${channel.id}`, subject: v.id, change, to: people },
          () => postChat(channel.kind, target, message, deps.now().getTime(), settings.timeoutMs),
          { channel: channel.id, kind: channel.kind, message },
        ),
      );
    }
    return Promise.all(jobs);
  }

  function reminderBefore(v: Pick<PublicViolation, "policyId" | "policyVersion">): unknown {
    return deps.set.versions.find((p) => p.id === v.policyId && p.version === v.policyVersion)?.parameters
      .reminderBefore;
  }

  async function notifyOne(event: ViolationEvent): Promise<DeliveryOutcome[]> {
    const v = withoutEventKey(event.detail);
    const change = changeOf(event.detailType, v);
    if (!change) return [];
    // the new dueAt gets its reminder; the people now assigned get it in their digest queue
    await store.scheduleReminder(
      v.id,
      v.dueAt,
      reminderAt(v, { fraction: settings.reminderFraction, reminderBefore: reminderBefore(v) }),
      v.history.length,
    );
    await Promise.all(peopleOf(v).map((person) => store.enqueue(person, v.id)));
    const at = v.history[v.history.length - 1]?.at ?? v.updatedAt;
    return fanOut({ kind: change.kind, change: change.change, violation: v, at });
  }

  async function remind(
    due: { violationId: string; dueAt: string },
    nowMs: number,
  ): Promise<DeliveryOutcome[]> {
    const stored = await deps.violations.get(due.violationId);
    let outcomes: DeliveryOutcome[] = [];
    if (stored && PENDING.has(stored.status) && stored.dueAt === due.dueAt && nowMs < Date.parse(due.dueAt)) {
      outcomes = await fanOut({
        kind: "reminder",
        change: `reminder@${due.dueAt}`,
        violation: publicViolation(stored),
        at: new Date(nowMs).toISOString(),
      });
    }
    if (!outcomes.includes("busy")) await store.reminderDone(due.violationId, due.dueAt);
    return outcomes;
  }

  /** One person's digest: their queue's violations still open (or acknowledged) and still theirs. */
  async function digestFor(personId: string, date: string, atIso: string): Promise<DeliveryOutcome[]> {
    const ids = await store.queueOf(personId);
    if (ids.length === 0) return [];
    const found = await deps.violations.getMany(ids);
    const open: StoredViolation[] = [];
    for (const id of ids) {
      const v = found.get(id);
      if (v && PENDING.has(v.status) && peopleOf(v).includes(personId)) open.push(v);
      else await store.dequeue(personId, id);
    }
    if (open.length === 0) return [];
    const items = open.map(publicViolation);
    const change = `digest@${date}`;
    const jobs: Promise<DeliveryOutcome>[] = [];
    const person = deps.directory.byId(personId);
    const mailer = deps.mailer;
    if (mailer && person?.email) {
      const id = messageId(personId, change, personId);
      const mail = renderDigest(date, items, person, render());
      const address = person.email;
      jobs.push(
        deliver(
          `d#mail#${id}`,
          { kind: "digest", channel: "mail", subject: personId, change, to: [personId] },
          () => mailer.send({ id, to: { address, name: person.name.en }, ...mail }),
          { to: address, ...mail },
        ),
      );
    }
    const webhook = deps.webhook;
    if (webhook) {
      const body: WebhookBody = {
        id: notificationId(`digest:${personId}`, change),
        kind: "digest",
        violation: null,
        violations: items,
        to: [personId],
        at: atIso,
      };
      jobs.push(
        deliver(
          `d#webhook#${body.id}`,
          { kind: "digest", channel: "webhook", subject: personId, change, to: [personId] },
          () => postWebhook(webhook, body, deps.now().getTime(), settings.timeoutMs),
          body,
        ),
      );
    }
    return Promise.all(jobs);
  }

  async function digests(nowMs: number): Promise<{ sent: number; failed: number }> {
    const slot = latestDigestSlot(nowMs, settings.timeZone, settings.digestAt);
    const cursor = await store.digestCursor();
    // the first run only sets the cursor: no digest for a day that began before the platform did
    if (cursor === undefined) {
      await store.moveDigestCursor(undefined, slot.date);
      return { sent: 0, failed: 0 };
    }
    if (cursor >= slot.date) return { sent: 0, failed: 0 };
    const at = new Date(slot.atMs).toISOString();
    const outcomes: DeliveryOutcome[] = [];
    // every role member is a person of the directory (org-check refuses any other)
    for (const person of deps.directory.people.map((p) => p.id).sort())
      outcomes.push(...(await digestFor(person, slot.date, at)));
    // someone else is still sending one of them: the next sweep finishes (what went is skipped)
    if (!outcomes.includes("busy")) await store.moveDigestCursor(cursor, slot.date);
    return {
      sent: outcomes.filter((o) => o === "sent").length,
      failed: outcomes.filter((o) => o === "failed").length,
    };
  }

  return {
    async notify(events) {
      const outcomes = (await Promise.all(events.map(notifyOne))).flat();
      if (outcomes.includes("busy"))
        throw new NotificationBusyError("another sender holds one of these notifications: retry later");
    },
    async sweep() {
      const nowMs = deps.now().getTime();
      const now = new Date(nowMs).toISOString();
      let reminders = 0;
      let failed = 0;
      await Promise.all(
        Array.from({ length: REMINDER_SHARDS }, async (_, shard) => {
          for await (const due of store.dueReminders(String(shard), now)) {
            try {
              const outcomes = await remind(due, nowMs);
              reminders += outcomes.filter((o) => o === "sent").length;
              failed += outcomes.filter((o) => o === "failed").length;
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
      const digest = await digests(nowMs);
      return { reminders, digests: digest.sent, failed: failed + digest.failed };
    },
  };
}

function withoutEventKey(detail: PublicViolation & { eventKey?: unknown }): PublicViolation {
  const { eventKey: _, ...rest } = detail;
  return rest;
}
