/**
 * CONTRACT §7 end to end, as `npm start` runs: with COMPLIANCE_SMTP_URL and
 * COMPLIANCE_NOTIFY_WEBHOOK_URL pointing at receivers of ours, a violating record produces one mail
 * per (violation, change, person) at the directory's address and one validly signed webhook per
 * notification; posting it again, sweeps and a restart add none. Without an SMTP server the mails
 * are .eml files in the folder the start-up lines print.
 */
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directoryOf } from "../../functions/core/directory.ts";
import { shippedPolicies } from "../support/policies.ts";
import {
  type HttpReceiver,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
} from "../support/receivers.ts";
import { overBudget as expenseOverBudget } from "../support/records.ts";
import { Clock, type E2ePlatform, startE2ePlatform, uniquePrefix } from "./helpers.ts";

const SECRET = "e2e-notify-secret";
const clock = new Clock("2026-03-02T00:00:00Z");
const directory = directoryOf(shippedPolicies().org);
let smtp: SmtpReceiver;
let http: HttpReceiver;
let e2e: E2ePlatform | undefined;
const prefix = uniquePrefix("notify");
const dataDir = mkdtempSync(join(tmpdir(), "e2e-notify-"));

/** An expense over its remaining budget (fires expense-approval/over-budget only). */
const overBudget = (revision: number) => expenseOverBudget("EXP-NOTIFY-1", revision);

function start() {
  return startE2ePlatform({
    tag: "notify",
    prefix,
    now: clock.now,
    env: {
      COMPLIANCE_DATA_DIR: dataDir,
      COMPLIANCE_SMTP_URL: smtp.url,
      COMPLIANCE_MAIL_FROM: "compliance@corp.example",
      COMPLIANCE_NOTIFY_WEBHOOK_URL: `${http.url}/notify`,
      COMPLIANCE_NOTIFY_WEBHOOK_SECRET: SECRET,
      COMPLIANCE_NOTIFY_RETRY_BASE_MS: "5",
    },
  });
}

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  http = await startHttpReceiver();
  e2e = await start();
}, 120_000);
afterAll(async () => {
  await e2e?.close();
  await smtp?.close();
  await http?.close();
}, 60_000);

const validlySigned = (r: { headers: Record<string, unknown>; body: string }) => {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers["x-signature"]));
  return !!m && createHmac("sha256", SECRET).update(`${m[1]}.${r.body}`).digest("hex") === m[2];
};

describe("notifications from the local platform", () => {
  it("one mail per person at the directory address and one signed webhook; again, sweeps and a restart add none", async () => {
    const platform = e2e as E2ePlatform;
    expect(platform.logs.some((l) => l.startsWith("notifications: mail → SMTP smtp://127.0.0.1:"))).toBe(
      true,
    );
    const posted = await platform.api.post("/v1/records", overBudget(1));
    expect(posted.status, posted.text).toBe(202);
    await platform.platform.drained();
    // over-budget: finance (fin.wang, fin.zhao) and marketing-director (md.li)
    const told = ["fin.wang", "fin.zhao", "md.li"];
    expect(http.requests).toHaveLength(1);
    const hook = http.requests[0] as (typeof http.requests)[number];
    expect(validlySigned(hook)).toBe(true);
    const body = JSON.parse(hook.body);
    expect(body).toMatchObject({ kind: "opened", to: told, at: "2026-03-02T00:00:00.000Z" });
    expect(body.violation.ruleId).toBe("over-budget");
    expect(body.violation.message.zh).toBeTruthy();
    // one mail per person told, at their directory address (every one of them has one)
    const addresses = told.map((id) => directory.byId(id)?.email);
    expect(addresses.every((a) => typeof a === "string" && a.includes("@"))).toBe(true);
    expect(smtp.mails).toHaveLength(told.length);
    expect(smtp.mails.flatMap((m) => m.to).sort()).toEqual([...addresses].sort());
    for (const mail of smtp.mails) {
      expect(mail.from).toBe("compliance@corp.example");
      expect(mail.text).toContain(`${platform.platform.url}/v1/violations/${body.violation.id}`);
    }

    // the same record again, sweeps, a restart on the same data: nothing new
    expect((await platform.api.post("/v1/records", overBudget(1))).status).toBe(200);
    await platform.platform.sweepNow();
    await platform.platform.sweepNow();
    await platform.platform.drained();
    await platform.platform.stop();
    e2e = await start();
    await e2e.platform.sweepNow();
    await e2e.platform.drained();
    expect(http.requests).toHaveLength(1);
    expect(smtp.mails).toHaveLength(addresses.length);
  });
});

describe("without an SMTP server or a webhook secret", () => {
  it("keeps the mails as .eml files in the folder it prints, and signs the webhook with the local development secret", async () => {
    http.requests.length = 0;
    const local = await startE2ePlatform({
      tag: "eml",
      now: clock.now,
      env: {
        COMPLIANCE_DATA_DIR: mkdtempSync(join(tmpdir(), "e2e-eml-")),
        COMPLIANCE_NOTIFY_WEBHOOK_URL: `${http.url}/local`,
      },
    });
    try {
      const line = local.logs.find((l) => l.startsWith("notifications: mail → .eml files in "));
      expect(line).toBeDefined();
      const folder = /\.eml files in (\S+);/.exec(line as string)?.[1] as string;
      expect(existsSync(folder)).toBe(true);
      expect((await local.api.post("/v1/records", overBudget(1))).status).toBe(202);
      await local.platform.drained();
      const files = readdirSync(folder).filter((f) => f.endsWith(".eml"));
      // one .eml per person told: fin.wang, fin.zhao, md.li all have a directory address
      const expected = ["fin.wang", "fin.zhao", "md.li"];
      for (const id of expected) expect(directory.byId(id)?.email).toMatch(/@/);
      expect(files).toHaveLength(expected.length);
      for (const file of files) expect(readFileSync(join(folder, file), "utf8")).toMatch(/^Subject: /m);
      expect(local.logs.some((l) => l.includes("COMPLIANCE_NOTIFY_WEBHOOK_SECRET not set"))).toBe(true);
      const [hook] = http.requests.filter((r) => r.url === "/local");
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(hook?.headers["x-signature"]));
      expect(m?.[2]).toBe(
        createHmac("sha256", "local-notify-secret").update(`${m?.[1]}.${hook?.body}`).digest("hex"),
      );
    } finally {
      await local.close();
    }
  });
});
