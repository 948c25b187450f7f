import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { rowsOf } from "@hybrid-auth/auth";
import { startSmtpSink, linkIn, type SmtpSink } from "@hybrid-auth/test-smtp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, STRONG_PASSWORD, type TestApp } from "../testing/test-app.js";

const PUBLIC_URL = "https://tidy.example";

describe("account lifecycle in the to-do app (real SMTP server)", () => {
  let app: TestApp;
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    app = await createTestApp({
      mail: {
        transport: { kind: "smtp", url: smtp.url },
        from: "Tidy <no-reply@tidy.example>",
        publicUrl: PUBLIC_URL,
        newSignInAlerts: true,
        requestsPerClient: 20,
      },
    });
  });
  afterAll(async () => {
    await app.dispose();
    await smtp.stop();
  });

  it("builds links from PUBLIC_URL whatever Host or X-Forwarded-Host the request names", async () => {
    const { email } = await app.signUp();
    const attacker = app.client({
      Host: "attacker.example",
      "X-Forwarded-Host": "attacker.example",
    });
    const response = await attacker.request(
      "POST",
      "http://attacker.example/api/auth/password/forgot",
      {
        json: { email },
      },
    );
    expect(response.status).toBe(202);
    await app.auth.workers.runOnce();
    const mail = smtp.to(email).find((m) => m.subject.startsWith("Reset"))!;
    expect(linkIn(mail, `${PUBLIC_URL}/reset-password?token=`)).toMatch(
      /^https:\/\/tidy\.example\//,
    );
    expect(mail.text + mail.html).not.toContain("attacker.example");
  });

  it("exports the user's to-dos with the profile", async () => {
    const { client } = await app.signUp();
    await client.post("/api/todos", { title: "take me with you" });
    const response = await client.get("/api/auth/me/export");
    expect(response.status).toBe(200);
    const data = (await response.json()) as { todos: { title: string }[] };
    expect(data.todos).toEqual([
      expect.objectContaining({ title: "take me with you", completed: false }),
    ]);
  });

  it("deletes the user's to-dos and counters with the account: no row of theirs in any table", async () => {
    const { client, email, user } = await app.signUp();
    await client.post("/api/todos", { title: "gone with the account" });
    await client.post("/api/auth/password/forgot", { email });
    await app.auth.workers.runOnce();
    expect((await client.delete("/api/auth/me", { password: STRONG_PASSWORD })).status).toBe(204);
    const tables = rowsOf<{ name: string }>(
      await app.database.db.execute(sql`
        select quote_ident(table_name) as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`),
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(["todos", "todo_counts", "mail_outbox"]),
    );
    const holding: string[] = [];
    for (const { name } of tables) {
      const found = rowsOf<{ n: number }>(
        await app.database.db.execute(
          sql.raw(`select count(*)::int as n from ${name} t
            where t::text like '%${user.id}%' or lower(t::text) like '%${email}%'`),
        ),
      );
      if (found[0]!.n > 0) holding.push(name);
    }
    // Only the user-wide revocation event: an opaque id, kept one access-token lifetime.
    expect(holding).toEqual(["revocation_events"]);
  });
});

describe("deleting an account while it writes (review finding 2)", () => {
  it("deletes it, and neither the deletion nor the racing writes answer 500", async () => {
    const app = await createTestApp();
    try {
      for (let round = 0; round < 3; round += 1) {
        const { client, user } = await app.signUp();
        const tab = client.fork();
        let writing = true;
        const statuses: number[] = [];
        const writer = (async () => {
          // Bounded, and yielding to the event loop each time: in process, on PGlite, an
          // answer can come back without one, and the deletion's hashing thread must get in.
          for (let i = 0; writing && i < 300; i += 1) {
            statuses.push((await tab.post("/api/todos", { title: "racing" })).status);
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();
        await new Promise((resolve) => setTimeout(resolve, 20));
        // A 503 is the server shedding load (the password hasher busy on a loaded runner): it
        // changes nothing, and a client sends the request again, as this one does.
        let deleted = await client.delete("/api/auth/me", { password: STRONG_PASSWORD });
        for (let retry = 0; deleted.status === 503 && retry < 5; retry += 1) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          deleted = await client.delete("/api/auth/me", { password: STRONG_PASSWORD });
        }
        writing = false;
        await writer;
        expect(deleted.status).toBe(204);
        expect(statuses.filter((status) => ![201, 401, 503].includes(status))).toEqual([]);
        const left = rowsOf<{ n: number }>(
          await app.database.db.execute(
            sql`select count(*)::int as n from users where id = ${user.id}`,
          ),
        );
        expect(left[0]!.n).toBe(0);
      }
    } finally {
      await app.dispose();
    }
  });
});

describe("mail without an SMTP server (the quick start)", () => {
  it("writes each message to DATA_DIR/mail as .eml and logs its link", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidy-mail-"));
    const lines: string[] = [];
    const app = await createTestApp({
      mail: {
        transport: { kind: "files", directory: dir },
        from: "Tidy <no-reply@localhost>",
        publicUrl: "http://localhost:3000",
        newSignInAlerts: true,
        requestsPerClient: 20,
      },
      log: (line) => lines.push(line),
    });
    try {
      const { email } = await app.signUp();
      await app.client().post("/api/auth/password/forgot", { email });
      await app.auth.workers.runOnce();
      const files = readdirSync(dir).filter((name) => name.endsWith(".eml"));
      expect(files).toHaveLength(2); // verify the address, reset the password
      const reset = files
        .map((name) => readFileSync(join(dir, name), "utf8"))
        .find((eml) => /Subject: Reset/.test(eml));
      expect(reset).toMatch(/^To: [^\n]*@example\.test/m);
      expect(lines.join("\n")).toMatch(
        /link: http:\/\/localhost:3000\/reset-password\?token=[\w-]{43}/,
      );
    } finally {
      await app.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
