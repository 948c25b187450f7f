import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestClient } from "../../testing/test-client.js";
import { rowsOf } from "../../retention/retention.js";
import { createLifecycleHost, type LifecycleHost, PUBLIC_URL } from "../../tests/lifecycle-host.js";
import { STRONG_PASSWORD, uniqueEmail } from "../../tests/test-host.js";

const NEW_PASSWORD = "copper-lantern-meadow-41";

let host: LifecycleHost;
beforeAll(async () => {
  host = await createLifecycleHost();
});
afterAll(() => host.dispose());

const anonymous = () => host.client();
const problem = async (response: Response) => (await response.json()) as { detail: string };

async function me(client: TestClient) {
  const response = await client.get("/api/auth/me");
  return (await response.json()) as {
    user: { email: string; name: string | null; emailVerified: boolean };
  };
}

async function activity(client: TestClient) {
  const response = await client.get("/api/auth/activity");
  return ((await response.json()) as { events: { type: string }[] }).events.map((e) => e.type);
}

describe("email verification", () => {
  it("mails a link at sign-up that verifies the address once", async () => {
    const { client, email } = await host.signUp();
    expect((await me(client)).user.emailVerified).toBe(false);
    const token = await host.tokenFrom(email, "/verify-email");
    const mail = host.mailTo(email).at(-1)!;
    expect(mail.subject).toContain("Tidy");
    expect(mail.html).toContain(`${PUBLIC_URL}/verify-email?token=`);
    expect(mail.from).toBe("no-reply@tidy.example");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect((await anonymous().post("/api/auth/email/verify", { token })).status).toBe(204);
    expect((await me(client)).user.emailVerified).toBe(true);
    expect(await activity(client)).toContain("email_verified");
    // Used once: the same link again is a clear 400.
    const again = await anonymous().post("/api/auth/email/verify", { token });
    expect(again.status).toBe(400);
    expect((await problem(again)).detail).toMatch(/invalid, was already used or has expired/);
    // Verified: asking for another link is a conflict, not a mail.
    expect((await client.post("/api/auth/email/verify/request")).status).toBe(409);
  });

  it("refuses an expired link (24 h) and a link overtaken by a newer one", async () => {
    const { client, email } = await host.signUp();
    const first = await host.tokenFrom(email, "/verify-email");
    expect((await client.post("/api/auth/email/verify/request")).status).toBe(202);
    const second = await host.tokenFrom(email, "/verify-email");
    expect(second).not.toBe(first);
    expect((await anonymous().post("/api/auth/email/verify", { token: first })).status).toBe(400);
    host.clock.advance(24 * 60 * 60 * 1000 + 1000);
    expect((await anonymous().post("/api/auth/email/verify", { token: second })).status).toBe(400);
    expect((await me(client)).user.emailVerified).toBe(false);
  });

  it("answers 400, never 500, for malformed tokens", async () => {
    for (const token of ["x", "A".repeat(43), "💥".repeat(20), "' or 1=1 --"]) {
      expect((await anonymous().post("/api/auth/email/verify", { token })).status).toBe(400);
    }
    expect(
      (await anonymous().post("/api/auth/email/verify", { token: "a".repeat(201) })).status,
    ).toBe(422);
  });
});

describe("forgot and reset password", () => {
  it("answers the same for known and unknown emails, and mails only the account", async () => {
    const { email } = await host.signUp();
    const unknown = uniqueEmail("nobody");
    const known = await anonymous().post("/api/auth/password/forgot", { email });
    const missing = await anonymous().post("/api/auth/password/forgot", { email: unknown });
    expect(known.status).toBe(202);
    expect(missing.status).toBe(202);
    expect(await known.text()).toBe(await missing.text());
    await host.deliver();
    expect(host.mailTo(unknown)).toHaveLength(0);
    expect(host.mailTo(email).some((mail) => mail.subject.includes("Reset"))).toBe(true);
  });

  it("sends the same SQL for a known and an unknown email (no timing difference to measure)", async () => {
    const { email } = await host.signUp();
    const shapes = async (address: string) => {
      host.queries.reset();
      expect((await anonymous().post("/api/auth/password/forgot", { email: address })).status).toBe(
        202,
      );
      // Parameters differ (the address, a random key); the statements themselves may not.
      return host.queries.statements.map((statement) => statement.replace(/\$\d+/g, "?"));
    };
    const knownStatements = await shapes(email);
    const unknownStatements = await shapes(uniqueEmail("nobody"));
    expect(knownStatements.length).toBeGreaterThan(0);
    expect(unknownStatements).toEqual(knownStatements);
  });

  it("resets the password with the link, signs every device out at once, and the link dies", async () => {
    const { client, email } = await host.signUp();
    const laptop = client;
    const phone = host.client();
    expect((await phone.post("/api/auth/login", { email, password: STRONG_PASSWORD })).status).toBe(
      200,
    );
    expect((await anonymous().post("/api/auth/password/forgot", { email })).status).toBe(202);
    const token = await host.tokenFrom(email, "/reset-password");

    const weak = await anonymous().post("/api/auth/password/reset", {
      token,
      newPassword: "password",
    });
    expect(weak.status).toBe(422);
    const reset = await anonymous().post("/api/auth/password/reset", {
      token,
      newPassword: NEW_PASSWORD,
    });
    expect(reset.status).toBe(204);
    // Both devices still hold unexpired access tokens: the next request is refused anyway.
    expect((await laptop.get("/api/notes")).status).toBe(401);
    expect((await phone.get("/api/notes")).status).toBe(401);
    const oldPassword = await anonymous().post("/api/auth/login", {
      email,
      password: STRONG_PASSWORD,
    });
    expect(oldPassword.status).toBe(401);
    const signedIn = host.client();
    expect((await signedIn.post("/api/auth/login", { email, password: NEW_PASSWORD })).status).toBe(
      200,
    );
    expect((await me(signedIn)).user.emailVerified).toBe(true);
    expect(await activity(signedIn)).toEqual(
      expect.arrayContaining(["password_reset_requested", "password_reset"]),
    );
    // Used: the link is dead, and the check says so too.
    expect((await anonymous().post("/api/auth/password/reset/check", { token })).status).toBe(400);
    const replay = await anonymous().post("/api/auth/password/reset", {
      token,
      newPassword: "another-Strong-pass-77",
    });
    expect(replay.status).toBe(400);
    // And the owner is told.
    await host.deliver();
    expect(host.mailTo(email).some((mail) => mail.subject.includes("password was changed"))).toBe(
      true,
    );
  });

  it("lets one of two concurrent uses of a link win, never both", async () => {
    const { email } = await host.signUp();
    await anonymous().post("/api/auth/password/forgot", { email });
    const token = await host.tokenFrom(email, "/reset-password");
    const [a, b] = await Promise.all([
      anonymous().post("/api/auth/password/reset", { token, newPassword: NEW_PASSWORD }),
      anonymous().post("/api/auth/password/reset", { token, newPassword: "second-Winner-pass-55" }),
    ]);
    expect([a.status, b.status].sort()).toEqual([204, 400]);
  });

  it("a password change racing a reset cannot undo it (review finding 4)", async () => {
    const { client, email } = await host.signUp();
    await anonymous().post("/api/auth/password/forgot", { email });
    const token = await host.tokenFrom(email, "/reset-password");
    // The change checks the current password, then hashes the new one; the reset commits
    // while it hashes.
    const hasher = host.auth.internals.hasher;
    const hash = hasher.hash.bind(hasher);
    let raced = false;
    hasher.hash = async (password) => {
      const hashed = await hash(password);
      if (!raced) {
        raced = true;
        const reset = await anonymous().post("/api/auth/password/reset", {
          token,
          newPassword: NEW_PASSWORD,
        });
        expect(reset.status).toBe(204);
      }
      return hashed;
    };
    try {
      const change = await client.post("/api/auth/password", {
        currentPassword: STRONG_PASSWORD,
        newPassword: "attacker-Chosen-pw-99",
      });
      expect([401, 409]).toContain(change.status);
    } finally {
      hasher.hash = hash;
    }
    expect(
      (await anonymous().post("/api/auth/login", { email, password: NEW_PASSWORD })).status,
    ).toBe(200);
  });

  it("kills the link after 30 minutes, and when the password changes another way", async () => {
    const { client, email } = await host.signUp();
    await anonymous().post("/api/auth/password/forgot", { email });
    const stale = await host.tokenFrom(email, "/reset-password");
    host.clock.advance(30 * 60 * 1000 + 1000);
    expect(
      (
        await anonymous().post("/api/auth/password/reset", {
          token: stale,
          newPassword: NEW_PASSWORD,
        })
      ).status,
    ).toBe(400);

    await anonymous().post("/api/auth/password/forgot", { email });
    const token = await host.tokenFrom(email, "/reset-password");
    // Signed in over half an hour ago: a password change needs a fresh proof first.
    const proof = await client.post("/api/auth/reauthenticate", { password: STRONG_PASSWORD });
    expect(proof.status).toBe(200);
    const changed = await client.post("/api/auth/password", {
      currentPassword: STRONG_PASSWORD,
      newPassword: "changed-Another-way-12",
    });
    expect(changed.status).toBe(204);
    expect(
      (await anonymous().post("/api/auth/password/reset", { token, newPassword: NEW_PASSWORD }))
        .status,
    ).toBe(400);
  });

  it("limits mail per address the same way for known and unknown emails", async () => {
    const { email } = await host.signUp();
    const unknown = uniqueEmail("nobody");
    const statuses = async (address: string) => {
      const seen: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        seen.push((await anonymous().post("/api/auth/password/forgot", { email: address })).status);
      }
      return seen;
    };
    expect(await statuses(email)).toEqual([202, 202, 202, 202, 202, 429]);
    expect(await statuses(unknown)).toEqual([202, 202, 202, 202, 202, 429]);
  });
});

describe("mail budgets (review findings 5 and 6)", () => {
  it("anonymous verification resends cannot spend the owner's password-reset budget", async () => {
    const { email } = await host.signUp();
    for (let i = 0; i < 6; i += 1) {
      await anonymous().post("/api/auth/email/verify/request", { email });
    }
    expect((await anonymous().post("/api/auth/password/forgot", { email })).status).toBe(202);
  });

  it("one account cannot mail any number of addresses through email changes", async () => {
    const { client } = await host.signUp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const response = await client.post("/api/auth/email/change", {
        newEmail: uniqueEmail(`target${i}`),
        password: STRONG_PASSWORD,
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });
});

describe("changing the email", () => {
  it("needs the password, refuses a taken address, and switches only when the link is opened", async () => {
    const { client, email } = await host.signUp();
    const other = await host.signUp();
    const newEmail = uniqueEmail("moved");
    const verifyToken = await host.tokenFrom(email, "/verify-email");

    const wrong = await client.post("/api/auth/email/change", {
      newEmail,
      password: "not-the-password",
    });
    expect(wrong.status).toBe(422);
    const taken = await client.post("/api/auth/email/change", {
      newEmail: other.email,
      password: STRONG_PASSWORD,
    });
    expect(taken.status).toBe(409);
    const asked = await client.post("/api/auth/email/change", {
      newEmail,
      password: STRONG_PASSWORD,
    });
    expect(asked.status).toBe(202);
    expect((await me(client)).user.email).toBe(email);

    const token = await host.tokenFrom(newEmail, "/confirm-email");
    const notice = host.mailTo(email).find((mail) => mail.subject.includes("being changed"));
    expect(notice?.text).toContain(newEmail);
    const pending = (await (await client.get("/api/auth/me/export")).json()) as Record<
      string,
      { pendingEmailChange?: unknown }
    >;
    expect(pending["account-lifecycle"]?.pendingEmailChange).toMatchObject({ newEmail });
    expect((await anonymous().post("/api/auth/email/change/confirm", { token })).status).toBe(204);
    await host.deliver();
    expect(host.mailTo(email).some((mail) => mail.subject.includes("was changed"))).toBe(true);
    const after = (await me(client)).user;
    expect(after).toMatchObject({ email: newEmail, emailVerified: true });
    expect((await anonymous().post("/api/auth/email/change/confirm", { token })).status).toBe(400);
    // The verification link sent to the old address died with it.
    expect((await anonymous().post("/api/auth/email/verify", { token: verifyToken })).status).toBe(
      400,
    );
    const login = await anonymous().post("/api/auth/login", {
      email: newEmail,
      password: STRONG_PASSWORD,
    });
    expect(login.status).toBe(200);
    expect(await activity(client)).toEqual(
      expect.arrayContaining(["email_change_requested", "email_changed"]),
    );
  });

  it("answers 409 when the address was taken between the request and the link", async () => {
    const { client } = await host.signUp();
    const newEmail = uniqueEmail("race");
    await client.post("/api/auth/email/change", { newEmail, password: STRONG_PASSWORD });
    const token = await host.tokenFrom(newEmail, "/confirm-email");
    await host.signUp({ email: newEmail });
    expect((await anonymous().post("/api/auth/email/change/confirm", { token })).status).toBe(409);
  });
});

describe("a disabled account (issue 14 review, F5)", () => {
  it("cannot verify or change its address with links mailed before it was disabled; can once enabled", async () => {
    const { client, email, user } = await host.signUp();
    const verifyToken = await host.tokenFrom(email, "/verify-email");
    const newEmail = uniqueEmail("while-disabled");
    await client.post("/api/auth/email/change", { newEmail, password: STRONG_PASSWORD });
    const changeToken = await host.tokenFrom(newEmail, "/confirm-email");
    expect(await host.auth.admin.disableUser(user.id)).toBe(true);
    const verify = () => anonymous().post("/api/auth/email/verify", { token: verifyToken });
    const confirm = () =>
      anonymous().post("/api/auth/email/change/confirm", { token: changeToken });
    expect((await verify()).status).toBe(400);
    expect((await confirm()).status).toBe(400);
    const [row] = rowsOf<{ email: string; email_verified_at: Date | null }>(
      await host.database.db.execute(
        sql`select email, email_verified_at from users where id = ${user.id}`,
      ),
    );
    expect(row).toEqual({ email, email_verified_at: null });
    // The refusal redeemed nothing: the links work again once the account is enabled.
    expect(await host.auth.admin.enableUser(user.id)).toBe(true);
    expect((await verify()).status).toBe(204);
    expect((await confirm()).status).toBe(204);
  });
});

describe("taking an account back (review finding 1)", () => {
  it("a pending email change dies with a password reset: no pre-account hijack", async () => {
    // The attacker registers the victim's address first and asks to move it to their own.
    const victim = uniqueEmail("victim");
    const attackerMailbox = uniqueEmail("attacker");
    const attacker = await host.signUp({ email: victim, password: "attacker-Chosen-pw-77" });
    await attacker.client.post("/api/auth/email/change", {
      newEmail: attackerMailbox,
      password: "attacker-Chosen-pw-77",
    });
    const change = await host.tokenFrom(attackerMailbox, "/confirm-email");
    // The victim recovers the address with a reset.
    await anonymous().post("/api/auth/password/forgot", { email: victim });
    const reset = await host.tokenFrom(victim, "/reset-password");
    expect(
      (
        await anonymous().post("/api/auth/password/reset", {
          token: reset,
          newPassword: NEW_PASSWORD,
        })
      ).status,
    ).toBe(204);
    expect(
      (await anonymous().post("/api/auth/email/change/confirm", { token: change })).status,
    ).toBe(400);
    const owner = host.client();
    expect(
      (await owner.post("/api/auth/login", { email: victim, password: NEW_PASSWORD })).status,
    ).toBe(200);
    expect((await me(owner)).user.email).toBe(victim);
  });

  it("a pending email change dies with a password change and with signing out everywhere", async () => {
    for (const recover of ["password", "logout-all"] as const) {
      const { client, email } = await host.signUp();
      const target = uniqueEmail("thief");
      await client.post("/api/auth/email/change", { newEmail: target, password: STRONG_PASSWORD });
      const change = await host.tokenFrom(target, "/confirm-email");
      const owner = host.client();
      await owner.post("/api/auth/login", { email, password: STRONG_PASSWORD });
      if (recover === "password") {
        const changed = await owner.post("/api/auth/password", {
          currentPassword: STRONG_PASSWORD,
          newPassword: NEW_PASSWORD,
        });
        expect(changed.status).toBe(204);
      } else {
        expect((await owner.post("/api/auth/logout-all")).status).toBe(204);
      }
      expect(
        (await anonymous().post("/api/auth/email/change/confirm", { token: change })).status,
        recover,
      ).toBe(400);
    }
  });

  it("a reset takes the alerts setting back to its default (an earlier holder may have turned it off)", async () => {
    const email = uniqueEmail("prehijack");
    const squatter = await host.signUp({ email, password: "squatter-Chosen-pw-77" });
    await squatter.client.patch("/api/auth/me/notifications", { newSignInAlerts: false });
    await anonymous().post("/api/auth/password/forgot", { email });
    const token = await host.tokenFrom(email, "/reset-password");
    await anonymous().post("/api/auth/password/reset", { token, newPassword: NEW_PASSWORD });
    const owner = host.client();
    await owner.post("/api/auth/login", { email, password: NEW_PASSWORD });
    expect(await (await owner.get("/api/auth/me/notifications")).json()).toEqual({
      newSignInAlerts: true,
    });
  });
});

describe("re-authentication (review finding 3)", () => {
  it("limits wrong passwords per account across addresses, and shows them to the owner", async () => {
    let address = 0;
    const spread = await createLifecycleHost(
      {},
      // Every request from a new address: a stolen session guessing from a botnet.
      { getClientIp: () => `198.51.100.${(address += 1) % 250}` },
    );
    try {
      const { client } = await spread.signUp();
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) {
        const response = await client.delete("/api/auth/me", { password: `guess-number-${i}` });
        statuses.push(response.status);
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(422));
      expect(statuses.slice(10)).toEqual([429, 429]);
      // Even the right password waits now: the window, not the guess, decides.
      expect((await client.delete("/api/auth/me", { password: STRONG_PASSWORD })).status).toBe(429);
      expect(await activity(client)).toContain("password_check_failed");
    } finally {
      await spread.dispose();
    }
  });
});

describe("profile", () => {
  it("edits the name and validates it", async () => {
    const { client } = await host.signUp();
    const response = await client.patch("/api/auth/me", { name: "  Ada Lovelace " });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { user: { name: string } }).user.name).toBe("Ada Lovelace");
    expect((await client.patch("/api/auth/me", { name: "x".repeat(101) })).status).toBe(422);
    expect((await client.patch("/api/auth/me", { name: null })).status).toBe(200);
    expect((await client.patch("/api/auth/me", { role: "admin", name: "Eve" })).status).toBe(422);
    // Names that lie about themselves (review finding 12): a right-to-left override, a
    // zero-width space, a control character. Joiners in emoji stay allowed.
    for (const name of ["Admin\u202Enimda", "Ad\u200Bmin", "Bell\u0007"]) {
      expect((await client.patch("/api/auth/me", { name })).status, JSON.stringify(name)).toBe(422);
    }
    expect((await client.patch("/api/auth/me", { name: "Ada 👩\u200D💻" })).status).toBe(200);
    expect((await anonymous().patch("/api/auth/me", { name: "x" })).status).toBe(401);
  });
});

describe("new sign-in alerts", () => {
  it("mails when a browser new to the account signs in, not for a known one, and can be turned off", async () => {
    const { client, email } = await host.signUp();
    const newSignIns = () =>
      host.mailTo(email).filter((mail) => mail.subject.startsWith("New sign-in"));
    const stranger = host.client({ "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" });
    await stranger.post("/api/auth/login", { email, password: STRONG_PASSWORD });
    await host.deliver();
    expect(newSignIns()).toHaveLength(1);
    expect(newSignIns()[0]!.text).toContain("Firefox");
    // The same browser again: it is known now.
    await stranger.post("/api/auth/logout");
    await stranger.post("/api/auth/login", { email, password: STRONG_PASSWORD });
    await host.deliver();
    expect(newSignIns()).toHaveLength(1);
    // A browser that drops its cookies: one alert a day for it and its address, not one a
    // sign-in.
    for (let i = 0; i < 3; i += 1) {
      const forgetful = host.client({
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
      });
      await forgetful.post("/api/auth/login", { email, password: STRONG_PASSWORD });
    }
    await host.deliver();
    expect(newSignIns()).toHaveLength(1);
    host.clock.advance(24 * 60 * 60 * 1000);
    await host
      .client({ "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" })
      .post("/api/auth/login", { email, password: STRONG_PASSWORD });
    await host.deliver();
    expect(newSignIns()).toHaveLength(2);

    const off = await client.patch("/api/auth/me/notifications", { newSignInAlerts: false });
    expect(await off.json()).toEqual({ newSignInAlerts: false });
    await host.client().post("/api/auth/login", { email, password: STRONG_PASSWORD });
    await host.deliver();
    expect(newSignIns()).toHaveLength(2);
  });
});

describe("export", () => {
  it("downloads the profile, sessions and events, and no hash or token", async () => {
    const { client, email, user } = await host.signUp();
    const response = await client.get("/api/auth/me/export");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toMatch(
      /^attachment; filename="tidy-export-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    const text = await response.text();
    const data = JSON.parse(text) as Record<string, unknown>;
    expect(data).toMatchObject({ user: { id: user.id, email }, sessions: [expect.any(Object)] });
    expect(data["security-events"]).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: "signed_up" })]),
    );
    expect(text).not.toMatch(/argon2|password_?hash|token_?hash/i);
    expect((await anonymous().get("/api/auth/me/export")).status).toBe(401);
  });
});

describe("deleting the account", () => {
  it("needs the password, then leaves no row of the user in any table", async () => {
    const { client, email, user } = await host.signUp();
    const phone = host.client();
    await phone.post("/api/auth/login", { email, password: STRONG_PASSWORD });
    await client.post("/api/auth/password/forgot", { email });
    await host.deliver();
    await client.patch("/api/auth/me", { name: "Doomed" });

    expect((await client.delete("/api/auth/me", { password: "wrong-password-1" })).status).toBe(
      422,
    );
    const deleted = await client.delete("/api/auth/me", { password: STRONG_PASSWORD });
    expect(deleted.status).toBe(204);
    expect(client.sessionCookies).toEqual([]);
    expect((await phone.get("/api/notes")).status).toBe(401);
    expect(
      (await anonymous().post("/api/auth/login", { email, password: STRONG_PASSWORD })).status,
    ).toBe(401);

    const tables = await host.database.db.execute(sql`
      select quote_ident(table_name) as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`);
    const holding: string[] = [];
    for (const { name } of rowsOf<{ name: string }>(tables)) {
      const found = await host.database.db.execute(
        sql.raw(`select count(*)::int as n from ${name} t
          where t::text like '%${user.id}%' or lower(t::text) like '%${email}%'`),
      );
      if (rowsOf<{ n: number }>(found)[0]!.n > 0) holding.push(name);
    }
    // Only the user-wide revocation event (an opaque id, pruned after one token lifetime).
    expect(holding).toEqual(["revocation_events"]);
  });
});
