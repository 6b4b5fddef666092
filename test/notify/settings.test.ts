/** Notification settings: defaults, and a refusal naming the variable and what it accepts. */
import { describe, expect, it } from "vitest";
import { smtpMailer } from "../../functions/service/notify/mail-smtp.ts";
import {
  channelsFromEnv,
  channelVariable,
  notifierSettings,
  webhookFromEnv,
} from "../../functions/service/notify/settings.ts";

const org = { roles: {}, people: [] };

describe("notification settings", () => {
  it("defaults: API links, 75 %, 09:00 in Asia/Shanghai (org.yaml timeZone when given), 5 tries", () => {
    const s = notifierSettings({}, org, { publicUrl: "http://127.0.0.1:3000" });
    expect(s.link("v1")).toBe("http://127.0.0.1:3000/v1/violations/v1");
    expect(s.reminderFraction).toBe(0.75);
    expect(s.digestAt).toEqual({ hour: 9, minute: 0 });
    expect(s.timeZone).toBe("Asia/Shanghai");
    expect(s.retry.attempts).toBe(5);
    expect(
      notifierSettings({}, { ...org, timeZone: "Europe/Berlin" } as never, { publicUrl: "http://x" })
        .timeZone,
    ).toBe("Europe/Berlin");
    const console = notifierSettings(
      { COMPLIANCE_PUBLIC_URL: "https://c.example", COMPLIANCE_NOTIFY_LINK: "console" },
      org,
      { publicUrl: "http://ignored" },
    );
    expect(console.link("v1")).toBe("https://c.example/console/violations/v1");
  });

  it.each([
    [
      { COMPLIANCE_REMINDER_FRACTION: "1.5" },
      /COMPLIANCE_REMINDER_FRACTION: must be a number between 0 and 1/,
    ],
    [{ COMPLIANCE_DIGEST_AT: "9am" }, /COMPLIANCE_DIGEST_AT: must be a time HH:MM/],
    [{ COMPLIANCE_NOTIFY_LINK: "web" }, /COMPLIANCE_NOTIFY_LINK: must be api or console/],
    [{ COMPLIANCE_NOTIFY_ATTEMPTS: "0" }, /COMPLIANCE_NOTIFY_ATTEMPTS: must be a whole number ≥ 1/],
    [{ COMPLIANCE_PUBLIC_URL: "compliance.example" }, /COMPLIANCE_PUBLIC_URL: must be an absolute URL/],
  ])("refuses %o", (env, message) => {
    expect(() => notifierSettings(env, org, { publicUrl: "http://127.0.0.1" })).toThrow(message);
  });

  it("the webhook needs its secret; smtp:// or smtps:// only", () => {
    expect(webhookFromEnv({})).toBeUndefined();
    expect(() => webhookFromEnv({ COMPLIANCE_NOTIFY_WEBHOOK_URL: "https://h.example" })).toThrow(
      /COMPLIANCE_NOTIFY_WEBHOOK_SECRET: must be set/,
    );
    expect(() =>
      webhookFromEnv({ COMPLIANCE_NOTIFY_WEBHOOK_URL: "ftp://h", COMPLIANCE_NOTIFY_WEBHOOK_SECRET: "s" }),
    ).toThrow(/must be an http\(s\) URL/);
    expect(() => smtpMailer("http://mail.example", "a@b")).toThrow(
      /COMPLIANCE_SMTP_URL: must start with smtp:\/\//,
    );
    expect(() => smtpMailer("not a url", "a@b")).toThrow(/COMPLIANCE_SMTP_URL: must be a URL/);
    expect(smtpMailer("smtps://mail.example:465", "a@b").describe).toBe("SMTP smtps://mail.example:465");
  });

  it("robot URLs and secrets from COMPLIANCE_CHANNEL_<ID>_URL / _SECRET", async () => {
    expect(channelVariable("finance-dingtalk", "URL")).toBe("COMPLIANCE_CHANNEL_FINANCE_DINGTALK_URL");
    const lookup = channelsFromEnv({
      COMPLIANCE_CHANNEL_FINANCE_DINGTALK_URL: "https://oapi.dingtalk.com/robot/send?access_token=t",
      COMPLIANCE_CHANNEL_FINANCE_DINGTALK_SECRET: "SEC1",
    });
    expect(await lookup("finance-dingtalk")).toEqual({
      url: "https://oapi.dingtalk.com/robot/send?access_token=t",
      secret: "SEC1",
    });
    expect(await lookup("other")).toBeUndefined();
  });
});
