/**
 * Mail through Amazon SES (SESv2 SendEmail, simple content): the Lambda's mailer. The sender is a
 * verified SES identity, a deployment parameter; the message id travels as a header so a receiver
 * can tell a retried mail from a new one.
 */
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { Mailer } from "./transports.ts";

export function sesMailer(opts: { from: string; client?: SESv2Client }): Mailer {
  const client = opts.client ?? new SESv2Client({});
  return {
    describe: `Amazon SES as ${opts.from}`,
    async send(message) {
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: opts.from,
          Destination: { ToAddresses: [message.to.address] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: "UTF-8" },
              Body: { Text: { Data: message.text, Charset: "UTF-8" } },
              Headers: [{ Name: "X-Compliance-Notification", Value: message.id }],
            },
          },
        }),
      );
    },
  };
}
