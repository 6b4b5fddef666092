/**
 * Notifications (CONTRACT §7) against real receivers: a real SMTP server and a real HTTP server
 * (webhook and chat robots), the violations stream read by the events handler as the local
 * platform does, DynamoDB Local. Recipients, content, signatures, exactly-once under redelivery,
 * re-evaluation, restart and repeated sweeps; reminders, digests, retries and dead letters.
 */
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Directory, directoryOf, type Person } from "../../functions/core/directory.ts";
import { createEvaluator } from "../../functions/core/engine/evaluate.ts";
import { violationId } from "../../functions/core/engine/violation.ts";
import { notificationId } from "../../functions/core/notify/kinds.ts";
import type { PolicySet } from "../../functions/core/policy/model.ts";
import { createEventsHandler } from "../../functions/handlers/events.ts";
import { notifyingSink } from "../../functions/local/notifications.ts";
import { startStreamPoller } from "../../functions/local/stream-poller.ts";
import { actOnViolation } from "../../functions/service/cases.ts";
import { fileSink } from "../../functions/service/event-sinks.ts";
import { dingTalkSign } from "../../functions/service/notify/chat.ts";
import { fileDeadLetters } from "../../functions/service/notify/dead-letters.ts";
import { smtpMailer } from "../../functions/service/notify/mail-smtp.ts";
import { createNotifier, type Notifier } from "../../functions/service/notify/notifier.ts";
import { notifierSettings } from "../../functions/service/notify/settings.ts";
import { createPlatform, type Platform } from "../../functions/service/platform.ts";
import { sweep } from "../../functions/service/sweep.ts";
import { dynamoDbStorage } from "../../functions/store/dynamodb-storage.ts";
import { NotificationsStore } from "../../functions/store/notifications.ts";
import { useTables } from "../support/dynamodb.ts";
import { shippedPolicies } from "../support/policies.ts";
import {
  type HttpReceiver,
  type ReceivedMail,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
} from "../support/receivers.ts";
import { expense, overBudget } from "../support/records.ts";
import { storeAndEvaluate, TestClock } from "../support/runtime.ts";

const db = useTables();
const clock = new TestClock("2026-03-02T00:00:00Z");
const dir = mkdtempSync(join(tmpdir(), "notify-"));
const deadLetterFile = join(dir, "dead-letters.jsonl");
const WEBHOOK_SECRET = "whsec-test";
const DINGTALK_SECRET = "SEC-dingtalk-test";

/** The shipped policies with escalation on over-budget (to general-manager) and two robots. */
function policySet(): PolicySet {
  const set = shippedPolicies();
  return {
    ...set,
    org: {
      ...set.org,
      notifications: {
        channels: [
          { id: "finance-dingtalk", kind: "dingtalk", roles: ["finance"] },
          { id: "marketing-wecom", kind: "wecom", departments: ["marketing"] },
          { id: "legal-feishu", kind: "feishu", roles: ["legal"] },
        ],
      },
    },
    versions: set.versions.map((v) =>
      v.id === "expense-approval"
        ? {
            ...v,
            rules: v.rules.map((r) => (r.id === "over-budget" ? { ...r, escalate: ["general-manager"] } : r)),
          }
        : v,
    ),
  };
}

/** The directory: every person of org.yaml with an address (the people helper's `people:` list). */
function directory(set: PolicySet): Pick<Directory, "byId" | "people"> {
  const ids = directoryOf(set.org).people.map((p) => p.id);
  const people = new Map<string, Person>(
    ids.map((id) => [
      id,
      {
        id,
        name: { zh: `${id}（中）`, en: `${id} (en)` },
        email: `${id}@corp.example`,
        department: "finance",
      },
    ]),
  );
  return { byId: (id) => people.get(id), people: [...people.values()] };
}

let smtp: SmtpReceiver;
let http: HttpReceiver;
let set: PolicySet;
let platform: Platform;
let notifier: Notifier;
let poller: Awaited<ReturnType<typeof startStreamPoller>>;

function buildNotifier(env: NodeJS.ProcessEnv = {}): Notifier {
  return createNotifier({
    store: new NotificationsStore(db.clients.doc, db.names.notifications),
    violations: platform.violations,
    records: platform.records,
    set,
    directory: directory(set),
    mailer: smtpMailer(smtp.url, "compliance@corp.example"),
    webhook: { url: `${http.url}/hook`, secret: WEBHOOK_SECRET },
    channelTarget: async (id) =>
      id === "finance-dingtalk"
        ? { url: `${http.url}/dingtalk/robot/send?access_token=tok`, secret: DINGTALK_SECRET }
        : id === "marketing-wecom"
          ? { url: `${http.url}/wecom/send?key=k` }
          : undefined,
    deadLetters: fileDeadLetters(deadLetterFile),
    settings: notifierSettings(
      { COMPLIANCE_NOTIFY_ATTEMPTS: "3", COMPLIANCE_NOTIFY_RETRY_BASE_MS: "5", ...env },
      set.org,
      { publicUrl: "https://compliance.example.com/" },
    ),
    now: clock.now,
  });
}

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  http = await startHttpReceiver();
  set = policySet();
  platform = createPlatform({
    set,
    storage: dynamoDbStorage(db.clients.doc, db.names),
    now: clock.now,
    compile: createEvaluator,
  });
  notifier = buildNotifier();
  // the local event path: violations stream → events handler → file sink, then the notifier
  poller = await startStreamPoller({
    streams: db.clients.streams,
    dynamodb: db.clients.dynamodb,
    tableName: db.names.violations,
    handler: createEventsHandler(() =>
      notifyingSink(fileSink(join(dir, "events.jsonl")), async () => notifier),
    ),
    pollIntervalMs: 50,
  });
});
afterAll(async () => {
  await poller?.stop();
  await smtp?.close();
  await http?.close();
});
beforeEach(() => {
  smtp.mails.length = 0;
  http.requests.length = 0;
  http.answer = () => ({ status: 200, body: '{"errcode":0,"code":0}' });
});

const hooks = () => http.requests.filter((r) => r.url === "/hook");
const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));
const bodyOf = (r: { body: string }) => JSON.parse(r.body);
const idOf = (recordId: string) => violationId("expense", recordId, "expense-approval", "over-budget");

async function judge(input: Parameters<typeof storeAndEvaluate>[1]) {
  await storeAndEvaluate(platform, input);
  await poller.drained();
}

function verifyV1(header: string | undefined, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (!m) return false;
  return createHmac("sha256", WEBHOOK_SECRET).update(`${m[1]}.${body}`).digest("hex") === m[2];
}

describe("a violation opens", () => {
  it("mails each assigned person once at the directory address, zh first then en, with the due time in words and in the company's zone, and a link", async () => {
    clock.set("2026-03-02T00:00:00Z");
    await judge(overBudget("N-1", 1));
    const id = idOf("N-1");
    // over-budget: finance (fin.wang, fin.zhao) and marketing-director (md.li)
    expect(smtp.mails.flatMap((m) => m.to).sort()).toEqual([
      "fin.wang@corp.example",
      "fin.zhao@corp.example",
      "md.li@corp.example",
    ]);
    const mail = mailsTo("fin.wang@corp.example")[0] as ReceivedMail;
    expect(mail.from).toBe("compliance@corp.example");
    expect(mail.subject).toContain("新違規需要您處理");
    expect(mail.subject).toContain("A new violation needs your action");
    expect(mail.subject).toContain("expense N-1");
    const text = mail.text;
    const violation = await platform.violations.get(id);
    const zhMessage = text.indexOf(`原因：${violation?.message.zh}`);
    const enMessage = text.indexOf(`Why: ${violation?.message.en}`);
    expect(zhMessage).toBeGreaterThan(0);
    expect(enMessage).toBeGreaterThan(zhMessage);
    expect(text).toContain("fin.wang（中）您好");
    expect(text).toContain("Hello fin.wang (en)");
    // due P2D after 2026-03-02T00:00Z = 2026-03-04 08:00 in Shanghai
    expect(text).toContain("期限：2026-03-04 08:00 (Asia/Shanghai, UTC+08:00)，還有2天");
    expect(text).toContain("Due: 2026-03-04 08:00 (Asia/Shanghai, UTC+08:00), in 2 days");
    expect(text).toContain(`https://compliance.example.com/v1/violations/${id}`);
    expect(mail.headers["x-compliance-notification"]).toMatch(/^[0-9a-f]{32}$/);
    // three different message ids: one per (violation, change, person)
    expect(new Set(smtp.mails.map((m) => m.headers["x-compliance-notification"])).size).toBe(3);
  });

  it("POSTs one validly signed webhook with the contract's body", async () => {
    const [hook, ...more] = hooks();
    expect(more).toEqual([]);
    // (this test reads what the previous one sent: re-judge a fresh record instead)
    expect(hook).toBeUndefined();
    clock.set("2026-03-02T00:00:00Z");
    await judge(overBudget("N-2", 1));
    const [sent, ...extra] = hooks();
    expect(extra).toEqual([]);
    expect(sent?.method).toBe("POST");
    expect(verifyV1(sent?.headers["x-signature"] as string, sent?.body ?? "")).toBe(true);
    expect(verifyV1(sent?.headers["x-signature"] as string, `${sent?.body} `)).toBe(false);
    const body = bodyOf(sent as { body: string });
    expect(Object.keys(body).sort()).toEqual(["at", "id", "kind", "to", "violation"]);
    expect(body).toMatchObject({
      kind: "opened",
      to: ["fin.wang", "fin.zhao", "md.li"],
      at: "2026-03-02T00:00:00.000Z",
      violation: { id: idOf("N-2"), status: "open", ruleId: "over-budget" },
    });
    expect(body.id).toMatch(/^[0-9a-f]{32}$/);
    expect(body.violation).not.toHaveProperty("eventKey");
  });

  it("posts to the robots of its roles and department: DingTalk signed, WeCom markdown", async () => {
    clock.set("2026-03-02T00:00:00Z");
    await judge(overBudget("N-3", 1));
    const ding = http.requests.filter((r) => r.url.startsWith("/dingtalk/"));
    const wecom = http.requests.filter((r) => r.url.startsWith("/wecom/"));
    expect(ding).toHaveLength(1);
    expect(wecom).toHaveLength(1);
    // DingTalk's signed URL: timestamp (ms) and sign = base64(HMAC-SHA256(secret, "<timestamp>\n<secret>"))
    const url = new URL(`http://x${ding[0]?.url}`);
    expect(url.searchParams.get("access_token")).toBe("tok");
    const timestamp = url.searchParams.get("timestamp") as string;
    expect(Number(timestamp)).toBe(Date.parse("2026-03-02T00:00:00Z"));
    const expected = createHmac("sha256", DINGTALK_SECRET)
      .update(`${timestamp}\n${DINGTALK_SECRET}`)
      .digest("base64");
    expect(url.searchParams.get("sign")).toBe(expected);
    expect(dingTalkSign(DINGTALK_SECRET, Number(timestamp))).toBe(expected);
    const dingBody = bodyOf(ding[0] as { body: string });
    expect(dingBody.msgtype).toBe("markdown");
    expect(dingBody.markdown.title).toContain("新違規需要您處理");
    expect(dingBody.markdown.text).toContain("### 新違規需要您處理");
    expect(dingBody.markdown.text).toContain("fin.wang, fin.zhao, md.li");
    expect(dingBody.markdown.text).toContain(`/v1/violations/${idOf("N-3")}`);
    const wecomBody = bodyOf(wecom[0] as { body: string });
    expect(wecomBody).toEqual({
      msgtype: "markdown",
      markdown: { content: expect.stringContaining("### A new violation needs your action") },
    });
    // the legal robot is not concerned; nothing else was called
    expect(
      http.requests.filter((r) => !["/hook", "/dingtalk", "/wecom"].some((p) => r.url.startsWith(p))),
    ).toEqual([]);
  });
});

describe("exactly once", () => {
  it("redelivery, re-evaluation and a restart send nothing again", async () => {
    clock.set("2026-03-02T00:00:00Z");
    await judge(overBudget("N-4", 1));
    expect(smtp.mails).toHaveLength(3);
    expect(hooks()).toHaveLength(1);
    const before = http.requests.length;
    const v = await platform.violations.get(idOf("N-4"));
    const { publicViolation } = await import("../../functions/core/lifecycle.ts");
    const event = { detailType: "ViolationOpened" as const, detail: publicViolation(v as never) };
    // redelivery of the same event, twice, concurrently
    await Promise.all([notifier.notify([event]), notifier.notify([event])]);
    // re-evaluation of the same revision, and a later revision that still violates
    clock.advance(60_000);
    await judge(overBudget("N-4", 1));
    await judge(overBudget("N-4", 2, 13000));
    // a restart: a new notifier on the same table
    await buildNotifier().notify([event]);
    expect(smtp.mails).toHaveLength(3);
    expect(http.requests.length).toBe(before);
  });

  it("a new change is a new message: resolved then reopened tells everyone again, once", async () => {
    clock.set("2026-03-02T00:00:00Z");
    await judge(overBudget("N-5", 1));
    smtp.mails.length = 0;
    http.requests.length = 0;
    clock.advance(60_000);
    await judge(expense("N-5", 2)); // resolved: nobody is told
    expect(smtp.mails).toHaveLength(0);
    clock.advance(60_000);
    await judge(overBudget("N-5", 3)); // reopened
    expect(smtp.mails).toHaveLength(3);
    expect(smtp.mails[0]?.subject).toContain("A violation was reopened");
    expect(hooks().map((h) => bodyOf(h).kind)).toEqual(["reopened"]);
  });
});

describe("status changes by time and people", () => {
  it("escalation tells every person then assigned (the new role included); a waiver's expiry tells them again", async () => {
    clock.set("2026-03-02T00:00:00Z");
    await judge(overBudget("N-6", 1));
    const id = idOf("N-6");
    smtp.mails.length = 0;
    http.requests.length = 0;
    clock.set("2026-03-04T00:00:01Z"); // past dueAt: escalated to general-manager
    await sweep(platform);
    await poller.drained();
    // (the other open expenses of this file escalate too: look at this one's messages)
    const about = () => smtp.mails.filter((m) => m.text.includes(id));
    const hooksAbout = () => hooks().filter((h) => bodyOf(h).violation?.id === id);
    expect(
      about()
        .flatMap((m) => m.to)
        .sort(),
    ).toEqual([
      "fin.wang@corp.example",
      "fin.zhao@corp.example",
      "gm.chen@corp.example",
      "md.li@corp.example",
    ]);
    expect(about()[0]?.subject).toContain("An overdue violation was escalated to you");
    expect(hooksAbout().map((h) => bodyOf(h).kind)).toEqual(["escalated"]);
    expect(bodyOf(hooksAbout()[0] as { body: string }).to).toContain("gm.chen");
    // waive, let the waiver expire: the sweeper reopens it, everyone assigned is told
    await actOnViolation(
      platform,
      id,
      "waive",
      { by: "fin.wang", reason: "approved late", until: "2026-03-05T00:00:00Z" },
      { kind: "person", id: "fin.wang", auditor: false },
    );
    await poller.drained();
    smtp.mails.length = 0;
    http.requests.length = 0;
    clock.set("2026-03-05T00:00:01Z");
    await sweep(platform);
    await poller.drained();
    expect(about()).toHaveLength(4);
    expect(about()[0]?.subject).toContain("A waiver expired");
    expect(hooksAbout().map((h) => bodyOf(h).kind)).toEqual(["waiver-expired"]);
    // the sweeps again: nothing more
    await sweep(platform);
    await poller.drained();
    expect(about()).toHaveLength(4);
  });
});

describe("reminders and digests", () => {
  it("reminds each person once when 75 % of the due period has passed, never again on more sweeps or after a restart", async () => {
    clock.set("2026-03-10T00:00:00Z");
    await judge(overBudget("N-7", 1)); // due 2026-03-12T00:00Z: reminder at 2026-03-11T12:00Z
    const id = idOf("N-7");
    smtp.mails.length = 0;
    http.requests.length = 0;
    clock.set("2026-03-11T11:59:00Z");
    await notifier.sweep();
    expect(smtp.mails.filter((m) => m.text.includes(id))).toHaveLength(0);
    clock.set("2026-03-11T12:00:00Z");
    await notifier.sweep();
    const reminders = smtp.mails.filter((m) => m.text.includes(id));
    expect(reminders.flatMap((m) => m.to).sort()).toEqual([
      "fin.wang@corp.example",
      "fin.zhao@corp.example",
      "md.li@corp.example",
    ]);
    expect(reminders[0]?.subject).toContain("Reminder: a violation is due soon");
    expect(reminders[0]?.text).toContain("in 12 hours");
    expect(reminders[0]?.text).toContain("還有12小時");
    expect(
      hooks()
        .filter((h) => bodyOf(h).violation?.id === id)
        .map((h) => bodyOf(h).kind),
    ).toEqual(["reminder"]);
    clock.advance(60_000);
    await notifier.sweep();
    await buildNotifier().sweep();
    expect(smtp.mails.filter((m) => m.text.includes(id))).toHaveLength(3);
  });

  it("sends each person's digest of their open queue once a day at 09:00 in the company's zone, none for the day the platform started", async () => {
    // the table already has a cursor from the sweeps above; start a fresh one, as a new platform would
    // a platform's first sweep sends no digest for a slot that passed before it (none is caught up)
    await db.clients.doc.send(
      new DeleteCommand({ TableName: db.names.notifications, Key: { id: "digest-cursor" } }),
    );
    const store = new NotificationsStore(db.clients.doc, db.names.notifications);
    clock.set("2026-03-11T23:00:00Z"); // 07:00 on the 12th in Shanghai: the 11th's 09:00 has passed
    smtp.mails.length = 0;
    await notifier.sweep();
    expect(smtp.mails.filter((m) => m.subject.includes("Your daily queue"))).toHaveLength(0);
    expect(await store.digestCursor()).toBe("2026-03-11");
    clock.set("2026-03-12T00:30:00Z"); // 08:30 in Shanghai
    smtp.mails.length = 0;
    http.requests.length = 0;
    await notifier.sweep();
    expect(smtp.mails.filter((m) => m.subject.includes("Your daily queue"))).toHaveLength(0);
    clock.set("2026-03-12T01:00:00Z"); // 09:00 in Shanghai
    await notifier.sweep();
    const digests = smtp.mails.filter((m) => m.subject.includes("Your daily queue"));
    const recipients = digests.flatMap((m) => m.to).sort();
    // everyone with something open: finance and md.li (expenses), gm.chen (N-6 escalated)
    expect(recipients).toEqual([
      "fin.wang@corp.example",
      "fin.zhao@corp.example",
      "gm.chen@corp.example",
      "md.li@corp.example",
    ]);
    // each digest lists exactly the person's open violations
    const open = [
      ...(
        await platform.violations.getMany(["N-1", "N-2", "N-3", "N-4", "N-5", "N-6", "N-7"].map(idOf))
      ).values(),
    ].filter((v) => v.status === "open");
    for (const mail of digests) {
      const person = (mail.to[0] as string).replace("@corp.example", "");
      const theirs = open.filter((v) => v.assignees.some((a) => a.people.includes(person)));
      expect(mail.text).toContain(
        `${theirs.length} violation${theirs.length === 1 ? "" : "s"} waiting for you`,
      );
      for (const v of theirs) expect(mail.text).toContain(v.id);
      expect(mail.subject).toContain("2026-03-12");
    }
    const gm = digests.find((m) => m.to.includes("gm.chen@corp.example")) as ReceivedMail;
    expect(gm.text).toContain(idOf("N-6"));
    expect(gm.text).not.toContain(idOf("N-7")); // not escalated: not gm.chen's
    const digestHooks = hooks().filter((h) => bodyOf(h).kind === "digest");
    expect(digestHooks).toHaveLength(4);
    expect(digestHooks.every((h) => verifyV1(h.headers["x-signature"] as string, h.body))).toBe(true);
    expect(bodyOf(digestHooks[0] as { body: string })).toMatchObject({
      violation: null,
      at: "2026-03-12T01:00:00.000Z",
    });
    // later sweeps, a restart: no second digest that day
    clock.set("2026-03-12T05:00:00Z");
    await notifier.sweep();
    await buildNotifier().sweep();
    expect(smtp.mails.filter((m) => m.subject.includes("Your daily queue"))).toHaveLength(4);
  });
});

describe("failures", () => {
  it("retries the webhook with backoff, then keeps it as failed (dead letter) and never tries again", async () => {
    let calls = 0;
    http.answer = (r) => {
      if (r.url !== "/hook") return { status: 200, body: "{}" };
      calls++;
      return { status: 503, body: "busy" };
    };
    clock.set("2026-03-20T00:00:00Z");
    await judge(overBudget("N-8", 1));
    expect(calls).toBe(3);
    expect(existsSync(deadLetterFile)).toBe(true);
    const letters = readFileSync(deadLetterFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const letter = letters.find((l) => l.subject === idOf("N-8") && l.channel === "webhook");
    expect(letter).toMatchObject({ kind: "opened", attempts: 3, error: expect.stringContaining("503") });
    expect(letter.payload).toMatchObject({ kind: "opened", violation: { id: idOf("N-8") } });
    // mails went anyway
    expect(smtp.mails).toHaveLength(3);
    // a redelivery does not try the failed webhook again
    http.answer = () => ({ status: 200, body: "{}" });
    const v = await platform.violations.get(idOf("N-8"));
    const { publicViolation } = await import("../../functions/core/lifecycle.ts");
    await notifier.notify([{ detailType: "ViolationOpened", detail: publicViolation(v as never) }]);
    expect(calls).toBe(3);
  });

  it("a robot that answers 200 with an error code is a failure", async () => {
    http.answer = (r) =>
      r.url.startsWith("/dingtalk/")
        ? { status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' }
        : { status: 200, body: "{}" };
    clock.set("2026-03-21T00:00:00Z");
    await judge(overBudget("N-9", 1));
    expect(http.requests.filter((r) => r.url.startsWith("/dingtalk/"))).toHaveLength(3);
    const letters = readFileSync(deadLetterFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(letters.find((l) => l.subject === idOf("N-9"))).toMatchObject({
      channel: "chat:finance-dingtalk",
      error: expect.stringContaining("sign not match"),
    });
  });
});

describe("what the notifier writes", () => {
  const items = async () =>
    (await db.clients.doc.send(new ScanCommand({ TableName: db.names.notifications, ConsistentRead: true })))
      .Items ?? [];

  it("one item per notification, whatever its messages: the claim; a first due period's reminder needs no index entry", async () => {
    clock.set("2026-04-01T00:00:00Z");
    await judge(overBudget("N-10", 1)); // 3 mails, the webhook, 2 robots: one notification
    const id = idOf("N-10");
    expect(smtp.mails).toHaveLength(3);
    const about = (await items()).filter((i) => i.subject === id);
    expect(about).toHaveLength(1);
    expect(about[0]).toMatchObject({
      id: `n#${notificationId(id, "h1")}`,
      kind: "opened",
      change: "h1",
      to: ["fin.wang", "fin.zhao", "md.li"],
    });
    // the reminder of the due period it was detected with is found from the detection time
    // (first-reminders.ts): nothing in the reminders' index
    expect(about[0]).not.toHaveProperty("remindAt");
    expect(about[0]).not.toHaveProperty("remindShard");
    // sent: nothing more was written (no outcome, no per-message or per-person item)
    expect(about[0]).not.toHaveProperty("failed");
    // the reminder: one more item (its claim), at 75 % of the due period, once
    clock.set("2026-04-02T11:59:59Z");
    await notifier.sweep();
    expect((await items()).filter((i) => i.subject === id)).toHaveLength(1);
    clock.set("2026-04-02T12:00:00Z");
    await notifier.sweep();
    await notifier.sweep();
    const after = (await items()).filter((i) => i.subject === id);
    expect(after.map((i) => i.kind).sort()).toEqual(["opened", "reminder"]);
    expect(after.find((i) => i.kind === "reminder")).not.toHaveProperty("remindAt");
    expect(smtp.mails.filter((m) => m.subject.includes("Reminder") && m.text.includes(id))).toHaveLength(3);
  });

  it("a first due period's reminder due within minutes of detection keeps its index entry (the sweep could miss it)", async () => {
    clock.set("2026-06-01T00:00:00Z");
    await judge(overBudget("N-12", 1)); // due in 2 days: at 0.1 % of it, the reminder is 173 s after detection
    const id = idOf("N-12");
    const v = await platform.violations.get(id);
    const { publicViolation } = await import("../../functions/core/lifecycle.ts");
    const hasty = buildNotifier({ COMPLIANCE_REMINDER_FRACTION: "0.001" });
    // the notification of the change, as a notifier with that setting writes it
    const change = { detailType: "ViolationOpened" as const, detail: publicViolation(v as never) };
    await db.clients.doc.send(
      new DeleteCommand({ TableName: db.names.notifications, Key: { id: `n#${notificationId(id, "h1")}` } }),
    );
    await hasty.notify([change]);
    const opened = (await items()).find((i) => i.subject === id && i.kind === "opened");
    expect(opened).toMatchObject({ remindAt: "2026-06-01T00:02:52.800Z" });
    smtp.mails.length = 0;
    clock.set("2026-06-01T00:02:53Z");
    await hasty.sweep();
    await hasty.sweep();
    expect(smtp.mails.filter((m) => m.subject.includes("Reminder") && m.text.includes(id))).toHaveLength(3);
  });

  it("a later due period (reopened) keeps its reminder on its notification's item, in the index until sent once", async () => {
    clock.set("2026-05-01T00:00:00Z");
    await judge(overBudget("N-11", 1));
    clock.set("2026-05-01T01:00:00Z");
    await judge(expense("N-11", 2)); // resolved
    clock.set("2026-05-01T02:00:00Z");
    await judge(overBudget("N-11", 3)); // reopened: due 2026-05-03T02:00Z, reminder at 2026-05-02T14:00Z
    const id = idOf("N-11");
    const reopened = (await items()).find((i) => i.subject === id && i.kind === "reopened");
    expect(reopened).toMatchObject({
      dueAt: "2026-05-03T02:00:00.000Z",
      remindAt: "2026-05-02T14:00:00.000Z",
    });
    expect(reopened).toHaveProperty("remindShard");
    smtp.mails.length = 0;
    // the first due period's reminder (2026-05-02T12:00Z) is not sent: that period ended at resolution
    clock.set("2026-05-02T13:59:00Z");
    await notifier.sweep();
    expect(smtp.mails.filter((m) => m.subject.includes("Reminder") && m.text.includes(id))).toHaveLength(0);
    clock.set("2026-05-02T14:00:00Z");
    await notifier.sweep();
    await notifier.sweep();
    expect(smtp.mails.filter((m) => m.subject.includes("Reminder") && m.text.includes(id))).toHaveLength(3);
    const handled = (await items()).find((i) => i.subject === id && i.kind === "reopened");
    expect(handled).not.toHaveProperty("remindAt");
  });

  it("a message that failed after its last try is written down on its notification's item", async () => {
    const failed = (await items()).find((i) => i.subject === idOf("N-8"));
    expect(failed?.failed).toEqual([{ message: "webhook", error: expect.stringContaining("503") }]);
    const robot = (await items()).find((i) => i.subject === idOf("N-9"));
    expect(robot?.failed).toEqual([
      { message: "chat:finance-dingtalk", error: expect.stringContaining("sign not match") },
    ]);
  });
});
