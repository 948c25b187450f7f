import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

/**
 * A real SMTP server on 127.0.0.1 for tests. Every message it accepts is parsed and kept in
 * `messages` (and handed to `onMessage`); `down()` makes it refuse every message with a
 * temporary error (a mail server that is unavailable), `up()` brings it back.
 *
 * @param {import("./index.js").SmtpSinkOptions} [options]
 * @returns {Promise<import("./index.js").SmtpSink>}
 */
export async function startSmtpSink(options = {}) {
  /** @type {import("./index.js").ReceivedMail[]} */
  const messages = [];
  /** @type {Set<() => void>} */
  const waiters = new Set();
  let refusing = false;
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: "test" });
    },
    onData(stream, session, callback) {
      attempts += 1;
      const chunks = [];
      stream.on("data", (chunk) => chunks.push(chunk));
      stream.on("end", () => {
        if (refusing) {
          const error = Object.assign(new Error("Mail service temporarily unavailable"), {
            responseCode: 421,
          });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const mail = {
              raw: raw.toString("utf8"),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              to: parsed.to
                ? (Array.isArray(parsed.to) ? parsed.to : [parsed.to]).flatMap((a) =>
                    a.value.map((v) => v.address ?? ""),
                  )
                : [],
              from: parsed.from?.value[0]?.address ?? "",
              subject: parsed.subject ?? "",
              text: parsed.text ?? "",
              html: typeof parsed.html === "string" ? parsed.html : "",
              messageId: parsed.messageId ?? "",
              headers: Object.fromEntries(
                [...parsed.headers.entries()].map(([key, value]) => [key, String(value)]),
              ),
            };
            messages.push(mail);
            options.onMessage?.(mail);
            for (const wake of [...waiters]) wake();
            callback();
          })
          .catch((error) => callback(error));
      });
    },
  });
  server.on("error", () => {});
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve(undefined));
  });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    url: `smtp://user:pass@127.0.0.1:${port}`,
    messages,
    get attempts() {
      return attempts;
    },
    to: (address) => messages.filter((mail) => mail.envelopeTo.includes(address.toLowerCase())),
    async waitFor(predicate, timeoutMs = 10_000) {
      const found = () => messages.find(predicate);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = found();
        if (hit) return hit;
        const left = deadline - Date.now();
        if (left <= 0) {
          const seen = messages.map((m) => `${m.envelopeTo.join(",")}: ${m.subject}`).join("; ");
          throw new Error(`no such mail within ${timeoutMs} ms (received: ${seen || "none"})`);
        }
        await new Promise((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve(undefined);
          };
          const timer = setTimeout(wake, Math.min(left, 250));
          waiters.add(wake);
        });
      }
    },
    down() {
      refusing = true;
    },
    up() {
      refusing = false;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

/**
 * The first link in a message's text that starts with `prefix` (e.g. the app's
 * `/reset-password?token=` URL).
 *
 * @param {import("./index.js").ReceivedMail} mail
 * @param {string} prefix
 * @returns {string}
 */
export function linkIn(mail, prefix) {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`${escaped}[^\\s<>"]*`).exec(mail.text);
  if (!match) throw new Error(`no link starting with ${prefix} in: ${mail.text}`);
  return match[0];
}
