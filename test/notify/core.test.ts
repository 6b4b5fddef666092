/**
 * The notifier's pure parts: which change an event reports, derived ids, due times in words and in
 * the company's zone, the digest slot, the reminder time, and the robots' request formats.
 */
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../../functions/core/lifecycle.ts";
import { changeOf, messageId, notificationId } from "../../functions/core/notify/kinds.ts";
import {
  firstReminderOffsets,
  inFirstDuePeriod,
  reminderAt,
  ruleKey,
} from "../../functions/core/notify/reminder.ts";
import {
  dueInWords,
  durationWords,
  latestDigestSlot,
  localTime,
  parseClock,
} from "../../functions/core/notify/when.ts";
import { chatRequest, feishuSign } from "../../functions/service/notify/chat.ts";
import { linkFor } from "../../functions/service/notify/settings.ts";

const entry = (
  status: HistoryEntry["status"],
  by = "system",
  at = "2026-03-01T00:00:00.000Z",
): HistoryEntry => ({
  status,
  at,
  by,
  reason: null,
});

describe("changeOf", () => {
  it("tells opened, reopened, waiver-expired and escalated apart; resolved tells nobody", () => {
    expect(changeOf("ViolationOpened", { history: [entry("open")] })).toEqual({
      kind: "opened",
      change: "h1",
    });
    expect(
      changeOf("ViolationOpened", { history: [entry("open"), entry("resolved"), entry("open")] }),
    ).toEqual({
      kind: "reopened",
      change: "h3",
    });
    // a person reopening a waived violation is a reopen, the platform reopening it is the waiver's expiry
    expect(
      changeOf("ViolationOpened", {
        history: [entry("open"), entry("waived", "fin.wang"), entry("open", "md.li")],
      })?.kind,
    ).toBe("reopened");
    expect(
      changeOf("ViolationOpened", { history: [entry("open"), entry("waived", "fin.wang"), entry("open")] })
        ?.kind,
    ).toBe("waiver-expired");
    expect(changeOf("ViolationEscalated", { history: [entry("open"), entry("open")] })).toEqual({
      kind: "escalated",
      change: "h2",
    });
    expect(changeOf("ViolationResolved", { history: [entry("open"), entry("resolved")] })).toBeUndefined();
  });

  it("ids derive from (violation, change, person) only", () => {
    expect(messageId("v1", "h1", "a")).toBe(messageId("v1", "h1", "a"));
    expect(
      new Set([
        messageId("v1", "h1", "a"),
        messageId("v1", "h1", "b"),
        messageId("v1", "h2", "a"),
        messageId("v2", "h1", "a"),
      ]).size,
    ).toBe(4);
    // JSON-encoded parts: no separator can make two different triples collide
    expect(messageId("v1", "h1#x", "y")).not.toBe(messageId("v1", "h1", "x#y"));
    expect(notificationId("v1", "h1")).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("times in words and in the company's zone", () => {
  it("durations: the two largest units, in both languages", () => {
    expect(durationWords((2 * 24 + 4) * 3_600_000, "en")).toBe("2 days 4 hours");
    expect(durationWords((2 * 24 + 4) * 3_600_000, "zh")).toBe("2天4小時");
    expect(durationWords(2 * 24 * 3_600_000 + 5 * 60_000, "en")).toBe("2 days");
    expect(durationWords(3_600_000 + 60_000, "en")).toBe("1 hour 1 minute");
    expect(durationWords(10_000, "en")).toBe("1 minute");
    expect(durationWords(90 * 60_000, "zh")).toBe("1小時30分鐘");
  });

  it("due in words: ahead or overdue", () => {
    const now = Date.parse("2026-03-02T00:00:00Z");
    expect(dueInWords("2026-03-04T04:00:00Z", now)).toEqual({ zh: "還有2天4小時", en: "in 2 days 4 hours" });
    expect(dueInWords("2026-03-01T21:00:00Z", now)).toEqual({ zh: "已逾期3小時", en: "overdue by 3 hours" });
  });

  it("local time with the zone and its offset", () => {
    expect(localTime("2026-03-04T00:00:00Z", "Asia/Shanghai")).toBe(
      "2026-03-04 08:00 (Asia/Shanghai, UTC+08:00)",
    );
    expect(localTime("2026-07-01T12:00:00Z", "Europe/Berlin")).toBe(
      "2026-07-01 14:00 (Europe/Berlin, UTC+02:00)",
    );
    expect(localTime("2026-01-01T12:00:00Z", "America/New_York")).toBe(
      "2026-01-01 07:00 (America/New_York, UTC-05:00)",
    );
  });

  it("the digest slot: the latest 09:00 local at or before now", () => {
    const slot = (iso: string, zone = "Asia/Shanghai") => {
      const s = latestDigestSlot(Date.parse(iso), zone);
      return [s.date, new Date(s.atMs).toISOString()];
    };
    expect(slot("2026-03-12T01:00:00Z")).toEqual(["2026-03-12", "2026-03-12T01:00:00.000Z"]);
    expect(slot("2026-03-12T00:59:59Z")).toEqual(["2026-03-11", "2026-03-11T01:00:00.000Z"]);
    expect(slot("2026-03-11T20:00:00Z")).toEqual(["2026-03-11", "2026-03-11T01:00:00.000Z"]); // 04:00 on the 12th
    // across a daylight-saving change: 09:00 in Berlin is 08:00 UTC before 29 March, 07:00 UTC from then on
    expect(slot("2026-03-29T08:30:00Z", "Europe/Berlin")).toEqual(["2026-03-29", "2026-03-29T07:00:00.000Z"]);
    expect(slot("2026-03-28T08:30:00Z", "Europe/Berlin")).toEqual(["2026-03-28", "2026-03-28T08:00:00.000Z"]);
    expect(latestDigestSlot(Date.parse("2026-03-12T10:00:00Z"), "UTC", { hour: 17, minute: 30 }).date).toBe(
      "2026-03-11",
    );
    expect(parseClock("09:00")).toEqual({ hour: 9, minute: 0 });
    expect(parseClock("9:00")).toBeUndefined();
    expect(parseClock("24:00")).toBeUndefined();
  });
});

describe("reminderAt", () => {
  const v = {
    status: "open",
    detectedAt: "2026-03-10T00:00:00.000Z",
    dueAt: "2026-03-12T00:00:00.000Z",
    history: [entry("open", "system", "2026-03-10T00:00:00.000Z")],
  } as const;

  it("75 % of the due period by default, a platform fraction, or a policy's reminderBefore", () => {
    expect(reminderAt(v, {})).toBe("2026-03-11T12:00:00.000Z");
    expect(reminderAt(v, { fraction: 0.5 })).toBe("2026-03-11T00:00:00.000Z");
    expect(reminderAt(v, { reminderBefore: "PT4H" })).toBe("2026-03-11T20:00:00.000Z");
    // longer than the due period: at its start
    expect(reminderAt(v, { reminderBefore: "P5D" })).toBe("2026-03-10T00:00:00.000Z");
  });

  it("the period starts when the violation last became open; nothing for waived or resolved ones", () => {
    const reopened = {
      ...v,
      dueAt: "2026-03-22T00:00:00.000Z",
      history: [
        ...v.history,
        entry("resolved"),
        entry("open", "system", "2026-03-20T00:00:00.000Z"),
        entry("acknowledged", "fin.wang", "2026-03-20T01:00:00.000Z"),
      ],
      status: "acknowledged",
    } as const;
    expect(reminderAt(reopened, {})).toBe("2026-03-21T12:00:00.000Z");
    expect(reminderAt({ ...v, status: "waived" }, {})).toBeNull();
    expect(reminderAt({ ...v, status: "resolved" }, {})).toBeNull();
  });
});

describe("first due periods", () => {
  const DAY = 86_400_000;
  const version = (id: string, rules: [string, number][], reminderBefore?: string) => ({
    id,
    parameters: reminderBefore === undefined ? {} : { reminderBefore },
    rules: rules.map(([rule, dueMs]) => ({ id: rule, dueMs })),
  });

  it("a violation is in its first due period until it is reopened, escalated or back from a waiver", () => {
    const opened = {
      detectedAt: "2026-03-10T00:00:00.000Z",
      history: [entry("open", "system", "2026-03-10T00:00:00.000Z")],
    };
    expect(inFirstDuePeriod(opened)).toBe(true);
    expect(
      inFirstDuePeriod({
        ...opened,
        history: [...opened.history, entry("acknowledged", "fin.wang", "2026-03-10T01:00:00.000Z")],
      }),
    ).toBe(true);
    expect(
      inFirstDuePeriod({
        ...opened,
        history: [...opened.history, entry("resolved"), entry("open", "system", "2026-03-11T00:00:00.000Z")],
      }),
    ).toBe(false);
  });

  it("offsets after detection: each rule's due period with every reminderBefore its policy's versions set", () => {
    const offsets = firstReminderOffsets(
      [
        version("p", [
          ["a", 2 * DAY],
          ["b", 4 * 3600_000],
        ]),
        version("p", [["a", 2 * DAY]], "PT4H"),
        version("q", [["a", DAY]]),
      ],
      0.75,
    );
    expect([...(offsets.get(ruleKey("p", "a")) ?? [])].sort((x, y) => x - y)).toEqual([
      1.5 * DAY,
      2 * DAY - 4 * 3600_000,
    ]);
    // a reminderBefore as long as the due period: at detection
    expect([...(offsets.get(ruleKey("p", "b")) ?? [])].sort((x, y) => x - y)).toEqual([0, 3 * 3600_000]);
    expect([...(offsets.get(ruleKey("q", "a")) ?? [])]).toEqual([0.75 * DAY]);
  });

  it("agree with reminderAt for any violation still in its first due period", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 60_000, max: 90 * DAY }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.integer({ min: Date.parse("2026-01-01T00:00:00Z"), max: Date.parse("2027-01-01T00:00:00Z") }),
        (dueMs, fraction, t) => {
          const detectedAt = new Date(t).toISOString();
          const v = {
            status: "open",
            detectedAt,
            dueAt: new Date(t + dueMs).toISOString(),
            history: [entry("open", "system", detectedAt)],
          } as const;
          const [offset] = [
            ...(firstReminderOffsets([version("p", [["r", dueMs]])], fraction).get("p/r") ?? []),
          ];
          expect(new Date(t + (offset as number)).toISOString()).toBe(reminderAt(v, { fraction }));
        },
      ),
    );
  });
});

describe("robot request formats", () => {
  const message = { title: "T", markdown: "### T\n- a", text: "T\na" };
  const now = Date.parse("2026-03-02T00:00:00Z");

  it("DingTalk: markdown, signed URL (timestamp in ms, base64 HMAC-SHA256 of timestamp\\nsecret, URL-encoded)", () => {
    const r = chatRequest(
      "dingtalk",
      { url: "https://oapi.dingtalk.com/robot/send?access_token=abc", secret: "SECx+/" },
      message,
      now,
    );
    const url = new URL(r.url);
    expect(url.searchParams.get("access_token")).toBe("abc");
    expect(url.searchParams.get("timestamp")).toBe(String(now));
    const sign = createHmac("sha256", "SECx+/").update(`${now}\nSECx+/`).digest("base64");
    expect(url.searchParams.get("sign")).toBe(sign);
    expect(r.url).toContain(`sign=${encodeURIComponent(sign)}`);
    expect(JSON.parse(r.body)).toEqual({ msgtype: "markdown", markdown: { title: "T", text: "### T\n- a" } });
    // without a secret (keyword robots) the URL is unchanged
    expect(
      chatRequest("dingtalk", { url: "https://oapi.dingtalk.com/robot/send?access_token=abc" }, message, now)
        .url,
    ).toBe("https://oapi.dingtalk.com/robot/send?access_token=abc");
  });

  it("WeCom: markdown content; Feishu: text with timestamp (s) and sign; Slack: text", () => {
    expect(
      JSON.parse(
        chatRequest("wecom", { url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k" }, message, now)
          .body,
      ),
    ).toEqual({
      msgtype: "markdown",
      markdown: { content: "### T\n- a" },
    });
    const feishu = JSON.parse(
      chatRequest(
        "feishu",
        { url: "https://open.feishu.cn/open-apis/bot/v2/hook/x", secret: "s" },
        message,
        now,
      ).body,
    );
    const ts = Math.floor(now / 1000);
    expect(feishu).toEqual({
      timestamp: String(ts),
      sign: feishuSign("s", ts),
      msg_type: "text",
      content: { text: "T\na" },
    });
    expect(feishuSign("s", ts)).toBe(createHmac("sha256", `${ts}\ns`).update("").digest("base64"));
    expect(
      JSON.parse(chatRequest("slack", { url: "https://hooks.slack.com/services/x" }, message, now).body),
    ).toEqual({ text: "T\na" });
  });

  it("links: the API's violation URL by default, the console's once configured", () => {
    expect(linkFor("https://c.example/", "api")("abc")).toBe("https://c.example/v1/violations/abc");
    expect(linkFor("https://c.example", "console")("abc")).toBe("https://c.example/console/violations/abc");
  });
});
