import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inboxDir } from "./constants";

/** A message the run's SMTP server received (see scripts/smtp-inbox.mjs). */
export type InboxMail = { envelopeTo: string[]; subject: string; text: string; html: string };

function inbox(): InboxMail[] {
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) throw new Error("E2E_DATA_DIR is not set (playwright.config.ts sets it)");
  const dir = inboxDir(dataDir);
  let files: string[];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith(".json"));
  } catch {
    return [];
  }
  return files.sort().map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")) as InboxMail);
}

/**
 * Waits for a message to `to` whose subject matches, as delivered by the API's mail worker to
 * the run's real SMTP server, and returns it.
 */
export async function waitForMail(
  to: string,
  subject: RegExp,
  timeoutMs = 15_000,
): Promise<InboxMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = inbox().find(
      (message) => message.envelopeTo.includes(to.toLowerCase()) && subject.test(message.subject),
    );
    if (mail) return mail;
    if (Date.now() > deadline)
      throw new Error(`no mail to ${to} matching ${subject} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The first link of a message that opens `path` on the app. */
export function linkTo(mail: InboxMail, path: string): string {
  const match = new RegExp(`https?://[^\\s]+${path.replace(/[/?]/g, "\\$&")}[^\\s]*`).exec(
    mail.text,
  );
  if (!match) throw new Error(`no ${path} link in: ${mail.text}`);
  return match[0];
}
