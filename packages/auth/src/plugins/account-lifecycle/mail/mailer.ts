import { mkdir, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import nodemailer from "nodemailer";

/** One message, ready to send. */
export type MailMessage = {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per outbox row (`<…@…>`): a retried message keeps it, so receivers can dedupe. */
  messageId: string;
};

/**
 * Where mail goes. `send` resolves once the message is handed over (an SMTP server accepted
 * it, a file is written); it throws to have the outbox retry later. An error with a
 * `responseCode` from 500 to 599 (SMTP's permanent failures) is not retried.
 */
export type Mailer = {
  send(message: MailMessage): Promise<void>;
  close?(): void | Promise<void>;
};

/** Timeouts well inside the outbox's lease, so a hung server never holds a message long. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * Sends through an SMTP server with nodemailer: `smtp://user:pass@host:587` (STARTTLS when the
 * server offers it) or `smtps://…:465` (TLS from the start).
 *
 * @example
 * const mailer = smtpMailer(config.smtpUrl);
 */
export function smtpMailer(url: string): Mailer {
  const parsed = new URL(url);
  if (parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:") {
    throw new RangeError(`smtpMailer: "${parsed.protocol}" is not smtp: or smtps:`);
  }
  // nodemailer reads host, port, TLS and credentials from `url`.
  const transport = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS } as never);
  return {
    async send(message) {
      await transport.sendMail({ ...message, messageId: message.messageId });
    },
    close: () => transport.close(),
  };
}

/**
 * The embedded default: each message is written as an `.eml` file (RFC 5322, built by
 * nodemailer) into `directory`, named after its message id, and its first link is logged, so
 * a developer can follow a reset link with no mail server. A retried message overwrites its
 * own file.
 *
 * @example
 * const mailer = fileMailer(".data/mail", { log: console.log });
 */
export function fileMailer(
  directory: string,
  options: { log?: (line: string) => void } = {},
): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const dir = resolve(directory);
  return {
    async send(message) {
      const info = (await transport.sendMail(message)) as { message: Buffer };
      await mkdir(dir, { recursive: true });
      // The message id starts with its queue time: the files sort in the order they were sent.
      const file = join(dir, `${message.messageId.replace(/[^A-Za-z0-9.-]/g, "")}.eml`);
      const temporary = `${file}.tmp`;
      await writeFile(temporary, info.message, { mode: 0o600 });
      await rename(temporary, file);
      const link = /https?:\/\/\S+/.exec(message.text)?.[0];
      options.log?.(
        `mail to ${message.to}: "${message.subject}" written to ${file}` +
          (link ? `\n  link: ${link}` : ""),
      );
    },
  };
}
