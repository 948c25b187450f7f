import { readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../../retention/retention.js";
import { accountLifecycle } from "../index.js";
import { createLifecycleHost, type LifecycleHost } from "../../../tests/lifecycle-host.js";
import { uniqueEmail } from "../../../tests/test-host.js";
import { fileMailer, smtpMailer, type MailMessage } from "./mailer.js";
import { MessageSeal } from "./seal.js";

let host: LifecycleHost;
beforeAll(async () => {
  host = await createLifecycleHost();
});
afterAll(() => host.dispose());

const forgot = (email: string) => host.client().post("/api/auth/password/forgot", { email });
const resetMails = (email: string) =>
  host.mailTo(email).filter((mail) => mail.subject.startsWith("Reset"));

describe("the mail outbox", () => {
  it("keeps answering while the mail server is down, and delivers each message once when it is back", async () => {
    const { client, email } = await host.signUp();
    await host.deliver(); // the sign-up's verification mail
    host.smtp.down();
    try {
      // Requests that mail succeed as usual: the message waits in the outbox.
      expect((await forgot(email)).status).toBe(202);
      expect((await client.post("/api/auth/email/verify/request")).status).toBe(202);
      const refused = host.smtp.attempts;
      expect(await host.deliver()).toEqual({
        mail: { sent: 0, retried: 2, failed: 0, discarded: 0 },
      });
      expect(host.smtp.attempts).toBeGreaterThan(refused);
      // Not due yet: back-off.
      expect(await host.deliver()).toEqual({
        mail: { sent: 0, retried: 0, failed: 0, discarded: 0 },
      });
      host.clock.advance(1500);
      expect(await host.deliver()).toEqual({
        mail: { sent: 0, retried: 2, failed: 0, discarded: 0 },
      });
    } finally {
      host.smtp.up();
    }
    host.clock.advance(2500);
    expect(await host.deliver()).toEqual({
      mail: { sent: 2, retried: 0, failed: 0, discarded: 0 },
    });
    host.clock.advance(60_000);
    await host.deliver();
    expect(resetMails(email)).toHaveLength(1);
    expect(host.mailTo(email).filter((mail) => mail.subject.startsWith("Confirm"))).toHaveLength(2);
  });

  it("survives a restart: another process over the same database delivers what was queued", async () => {
    const { email } = await host.signUp();
    await host.deliver();
    expect((await forgot(email)).status).toBe(202);
    // This process stops before delivering; a new one takes over.
    const restarted = await host.sibling();
    try {
      await restarted.auth.workers.runOnce();
    } finally {
      await restarted.auth.close();
    }
    expect(resetMails(email)).toHaveLength(1);
    await host.deliver();
    expect(resetMails(email)).toHaveLength(1);
  });

  it("never sends one message twice when two workers run at once", async () => {
    const emails = await Promise.all(
      Array.from({ length: 6 }, async () => (await host.signUp()).email),
    );
    await host.deliver();
    for (const email of emails) await forgot(email);
    const other = await host.sibling();
    try {
      await Promise.all([host.deliver(), other.auth.workers.runOnce(), host.deliver()]);
    } finally {
      await other.auth.close();
    }
    for (const email of emails) expect(resetMails(email)).toHaveLength(1);
  });

  it("gives a message up after its attempts, and at once on a permanent (5xx) refusal", async () => {
    const failures: string[] = [];
    const statuses = [550, 421];
    let calls = 0;
    const failing = await createLifecycleHost({
      mailer: {
        send: async () => {
          calls += 1;
          const status = statuses.shift() ?? 421;
          throw Object.assign(new Error(`refused ${status}`), { responseCode: status });
        },
      },
      onDeliveryError: (_error, mail) => failures.push(mail.kind),
    });
    try {
      await failing.signUp(); // verification mail: 550 → given up at once
      expect(await failing.deliver()).toEqual({
        mail: { sent: 0, retried: 0, failed: 1, discarded: 0 },
      });
      expect(failures).toEqual(["verify-email"]);
      await failing.signUp(); // 421 five times → given up
      for (let i = 0; i < 6; i += 1) {
        await failing.deliver();
        failing.clock.advance(10_000);
      }
      expect(failures).toEqual(["verify-email", "verify-email"]);
      expect(calls).toBe(1 + 5);
    } finally {
      await failing.dispose();
    }
  });

  it("discards a reset request for an email without an account, leaving no row", async () => {
    const email = uniqueEmail("ghost");
    expect((await forgot(email)).status).toBe(202);
    expect((await host.deliver()) as unknown).toMatchObject({ mail: { discarded: 1 } });
    expect(host.mailTo(email)).toHaveLength(0);
  });

  it("keeps a waiting message sealed: the database never holds a live link in clear", async () => {
    const { email } = await host.signUp();
    // Not delivered yet: the sign-up's verification mail.
    const rows = await host.database.db.execute(
      sql`select sealed from mail_outbox where recipient = ${email}`,
    );
    const sealed = rowsOf<{ sealed: string }>(rows)[0]!.sealed;
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain("token");
    await host.deliver();
    const after = await host.database.db.execute(
      sql`select sealed, sent_at from mail_outbox where recipient = ${email}`,
    );
    expect(rowsOf(after)).toEqual([{ sealed: null, sent_at: expect.anything() }]);
  });
});

describe("MessageSeal", () => {
  const key = (byte: number) => Buffer.alloc(32, byte);
  it("opens with any configured key, refuses a moved or tampered message", () => {
    const content = { subject: "s", text: "t", html: "<p>h</p>" };
    const sealed = new MessageSeal([key(1)]).seal(content, "row-a");
    expect(new MessageSeal([key(2), key(1)]).open(sealed, "row-a")).toEqual(content);
    expect(new MessageSeal([key(1)]).open(sealed, "row-b")).toBeUndefined();
    expect(new MessageSeal([key(2)]).open(sealed, "row-a")).toBeUndefined();
    const tampered = sealed.slice(0, -3) + (sealed.endsWith("AAA") ? "BBB" : "AAA");
    expect(new MessageSeal([key(1)]).open(tampered, "row-a")).toBeUndefined();
  });
});

describe("mailers", () => {
  const message: MailMessage = {
    from: "Tidy <no-reply@tidy.example>",
    to: "someone@example.test",
    subject: "Hello",
    text: "Open https://tidy.example/reset-password?token=abc to continue.",
    html: "<p>Hello</p>",
    messageId: "<1700000000000.42.reset-password@tidy.example>",
  };

  it("fileMailer writes one .eml per message (a retry overwrites it) and logs the link", async () => {
    const dir = join(tmpdir(), `mail-${process.pid}-${Date.now()}`);
    const lines: string[] = [];
    const mailer = fileMailer(dir, { log: (line) => lines.push(line) });
    try {
      await mailer.send(message);
      await mailer.send(message);
      const files = await readdir(dir);
      expect(files).toEqual(["1700000000000.42.reset-passwordtidy.example.eml"]);
      const eml = await readFile(join(dir, files[0]!), "utf8");
      expect(eml).toMatch(/^Content-Type: multipart\/alternative/m);
      expect(eml).toContain("Subject: Hello");
      expect(lines[0]).toContain("link: https://tidy.example/reset-password?token=abc");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("smtpMailer refuses a URL that is not smtp:// or smtps://", () => {
    expect(() => smtpMailer("http://mail.example")).toThrow(/smtp/);
  });

  it("smtpMailer delivers to a real SMTP server with credentials from the URL", async () => {
    await smtpMailer(host.smtp.url).send({ ...message, to: "direct@example.test" });
    const mail = await host.smtp.waitFor((m) => m.envelopeTo.includes("direct@example.test"));
    expect(mail.messageId).toBe(message.messageId);
    expect(mail.text).toContain("reset-password?token=abc");
  });
});

describe("options", () => {
  it("are checked at once, naming the one at fault", () => {
    const base = {
      mailer: { send: async () => {} },
      from: "Tidy <no-reply@tidy.example>",
      publicUrl: "https://tidy.example",
    };
    expect(() => accountLifecycle({ ...base, publicUrl: "tidy.example" })).toThrow(/publicUrl/);
    expect(() => accountLifecycle({ ...base, from: "nobody" })).toThrow(/from/);
    expect(() => accountLifecycle({ ...base, mailer: {} as never })).toThrow(/mailer/);
    expect(() => accountLifecycle({ ...base, pages: { resetPassword: "//evil.example" } })).toThrow(
      /pages.resetPassword/,
    );
    expect(() =>
      accountLifecycle({ ...base, tokenLifetimes: { resetPasswordSeconds: 0 } }),
    ).toThrow(/resetPasswordSeconds/);
    expect(() => accountLifecycle({ ...base, mailerr: 1 } as never)).toThrow(/mailerr/);
  });
});
