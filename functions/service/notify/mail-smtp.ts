/**
 * Mail outside AWS, through nodemailer (never imported by a Lambda handler, so it stays out of the
 * bundles): `COMPLIANCE_SMTP_URL` (`smtp://host:port` plain SMTP, `smtps://host:port` TLS), or,
 * locally without it, each mail written as an `.eml` file (RFC 5322, opens in any mail program).
 */
import { mkdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { NotifySettingError } from "./settings.ts";
import type { Mailer, MailMessage } from "./transports.ts";

function envelope(from: string, message: MailMessage) {
  return {
    from,
    to: message.to.name ? { name: message.to.name, address: message.to.address } : message.to.address,
    subject: message.subject,
    text: message.text,
    messageId: `<${message.id}@compliance.notifications>`,
    headers: { "X-Compliance-Notification": message.id },
  };
}

export function smtpMailer(url: string, from: string): Mailer {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NotifySettingError(
      "COMPLIANCE_SMTP_URL",
      "must be a URL such as smtp://127.0.0.1:1025 or smtps://mail.example.com:465",
    );
  }
  if (parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:")
    throw new NotifySettingError(
      "COMPLIANCE_SMTP_URL",
      `must start with smtp:// (plain) or smtps:// (TLS), got ${parsed.protocol}//`,
    );
  const transport = nodemailer.createTransport({
    host: parsed.hostname,
    port: Number(parsed.port || (parsed.protocol === "smtps:" ? 465 : 25)),
    secure: parsed.protocol === "smtps:",
    // smtp:// means plain: no opportunistic STARTTLS upgrade
    ignoreTLS: parsed.protocol === "smtp:",
    ...(parsed.username
      ? { auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } }
      : {}),
  });
  return {
    describe: `SMTP ${parsed.protocol}//${parsed.host}`,
    async send(message) {
      await transport.sendMail(envelope(from, message));
    },
  };
}

/** Mails as `.eml` files in a folder (the local platform without COMPLIANCE_SMTP_URL). */
export function folderMailer(dir: string, from: string, now: () => Date): Mailer {
  mkdirSync(dir, { recursive: true });
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    describe: `.eml files in ${dir}`,
    async send(message) {
      const info = await transport.sendMail({ ...envelope(from, message), date: now() });
      const stamp = now()
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
      const who = message.to.address.replace(/[^A-Za-z0-9._@-]/g, "_");
      await writeFile(join(dir, `${stamp}-${who}-${message.id}.eml`), info.message as Buffer);
    },
  };
}
