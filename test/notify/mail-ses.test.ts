/**
 * The Lambda's mailer: SESv2 SendEmail, sent by the real SDK client to a real HTTP receiver of ours
 * standing in for the SES endpoint. Checks what SES would receive: the sender identity, one
 * recipient (the directory's address), UTF-8 subject and text, the message id header.
 */
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sesMailer } from "../../functions/service/notify/mail-ses.ts";
import { type HttpReceiver, startHttpReceiver } from "../support/receivers.ts";

let http: HttpReceiver;
beforeAll(async () => {
  http = await startHttpReceiver();
  http.answer = () => ({ status: 200, body: '{"MessageId":"ses-1"}' });
});
afterAll(async () => http?.close());

describe("SES mailer", () => {
  it("sends one SESv2 SendEmail per message, as the configured sender", async () => {
    const client = new SESv2Client({
      endpoint: http.url,
      region: "eu-central-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const mailer = sesMailer({ from: "compliance@corp.example", client });
    await mailer.send({
      id: "0123456789abcdef0123456789abcdef",
      to: { address: "fin.wang@corp.example", name: "Wang Fang" },
      subject: "[合規] 新違規需要您處理 / [Compliance] A new violation needs your action",
      text: "原因：…\n\nWhy: …\n",
    });
    expect(http.requests).toHaveLength(1);
    const request = http.requests[0] as (typeof http.requests)[number];
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/v2/email/outbound-emails");
    expect(String(request.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 .*\/ses\/aws4_request/);
    expect(JSON.parse(request.body)).toEqual({
      FromEmailAddress: "compliance@corp.example",
      Destination: { ToAddresses: ["fin.wang@corp.example"] },
      Content: {
        Simple: {
          Subject: {
            Data: "[合規] 新違規需要您處理 / [Compliance] A new violation needs your action",
            Charset: "UTF-8",
          },
          Body: { Text: { Data: "原因：…\n\nWhy: …\n", Charset: "UTF-8" } },
          Headers: [{ Name: "X-Compliance-Notification", Value: "0123456789abcdef0123456789abcdef" }],
        },
      },
    });
    expect(mailer.describe).toBe("Amazon SES as compliance@corp.example");
  });

  it("an SES refusal is an error (the delivery is retried, then kept as failed)", async () => {
    http.answer = () => ({ status: 400, body: '{"message":"Email address is not verified."}' });
    const client = new SESv2Client({
      endpoint: http.url,
      region: "eu-central-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    const mailer = sesMailer({ from: "compliance@corp.example", client });
    await expect(
      mailer.send({ id: "x", to: { address: "a@corp.example" }, subject: "s", text: "t" }),
    ).rejects.toThrow(/not verified/);
  });
});
