import { Hono } from "hono";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthEnv } from "../authenticator.js";
import { definePlugin } from "../plugins/plugin.js";
import { securityEvents } from "../plugins/security-events/index.js";
import { STRONG_PASSWORD } from "../testing/sign-up.js";
import { createAdminHost, type AdminHost } from "../tests/admin-host.js";
import { createTestHost, type TestHost } from "../tests/test-host.js";
import { REAUTHENTICATION_REQUIRED_TYPE } from "./step-up.js";

const AUTH = "/api/auth";
const ELEVEN_MINUTES = 11 * 60 * 1000;
type Json = Record<string, unknown>;

/**
 * A stand-in second factor, so these tests exercise the core alone: users in `enrolled` have
 * an enforced factor "test-code" that can step up; the code "123456" proves it.
 */
const enrolled = new Set<string>();
const testFactor = definePlugin({
  id: "test-factor",
  setup: (context) => ({
    secondFactor: {
      methods: async (_db, userId) =>
        enrolled.has(userId) ? [{ name: "test-code", enforced: true, stepUp: true }] : [],
    },
    routes: new Hono<AuthEnv>()
      .post("/test-factor/verify", async (c) => {
        const pending = await context.pendingSignIn(c);
        const { code } = await c.req.json<{ code: string }>();
        if (code !== "123456") return c.json({ wrong: true }, 422);
        return c.json({ user: await context.completeSignIn(c, pending, "test-code") });
      })
      .post("/test-factor/reauthenticate", context.requireAuth, async (c) =>
        c.json(await context.reauthenticated(c, "test-code")),
      )
      .post("/test-factor/sensitive", context.requireAuth, context.requireRecentAuth, (c) =>
        c.json({ done: true }),
      ),
  }),
});

let t: TestHost;
beforeAll(async () => {
  t = await createTestHost({ plugins: [securityEvents(), testFactor] });
});
afterAll(() => t.dispose());

const cookieNames = (response: Response) =>
  response.headers.getSetCookie().map((cookie) => cookie.split("=")[0]);

describe("step-up (recent authentication)", () => {
  it("lets a fresh sign-in through, refuses after the max age with the methods, no query when fresh", async () => {
    const { client } = await t.signUp();
    t.queries.reset();
    expect((await client.post(`${AUTH}/test-factor/sensitive`)).status).toBe(200);
    expect(t.queries.count).toBe(0);

    t.clock.advance(ELEVEN_MINUTES);
    const refused = await client.post(`${AUTH}/test-factor/sensitive`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(await refused.json()).toMatchObject({
      type: REAUTHENTICATION_REQUIRED_TYPE,
      status: 401,
      methods: ["password"],
      maxAgeSeconds: 600,
    });
  });

  it("POST /reauthenticate with the password records the proof; the retried action passes", async () => {
    const { client } = await t.signUp();
    t.clock.advance(ELEVEN_MINUTES);
    expect((await client.post(`${AUTH}/test-factor/sensitive`)).status).toBe(401);

    const wrong = await client.post(`${AUTH}/reauthenticate`, { password: "not-it-at-all-1" });
    expect(wrong.status).toBe(422);
    expect((await client.post(`${AUTH}/test-factor/sensitive`)).status).toBe(401);

    const proof = await client.post(`${AUTH}/reauthenticate`, { password: STRONG_PASSWORD });
    expect(proof.status).toBe(200);
    const { authTime } = (await proof.json()) as { authTime: string };
    expect(Date.parse(authTime)).toBe(Math.floor(t.clock.now() / 1000) * 1000);
    expect(cookieNames(proof)).toContain("auth_access");
    expect((await client.post(`${AUTH}/test-factor/sensitive`)).status).toBe(200);

    // A silent reissue (no access cookie) keeps the proof: it lives on the session row.
    client.cookies.delete("auth_access");
    const session = (await (await client.get(`${AUTH}/session`)).json()) as {
      session: { authTime: string };
    };
    expect(session.session.authTime).toBe(authTime);
    expect((await client.post(`${AUTH}/test-factor/sensitive`)).status).toBe(200);

    const events = (await (await client.get(`${AUTH}/activity`)).json()) as {
      events: { type: string; detail?: Json }[];
    };
    expect(events.events[0]).toMatchObject({
      type: "reauthenticated",
      detail: { method: "password" },
    });
    expect(events.events.map((event) => event.type)).toContain("password_check_failed");
  });

  it("guards the core's and the plugins' sensitive routes: password change, email change, account deletion", async () => {
    const { client } = await t.signUp();
    t.clock.advance(ELEVEN_MINUTES);
    const change = await client.post(`${AUTH}/password`, {
      currentPassword: STRONG_PASSWORD,
      newPassword: "a-brand-new-Passphrase-77",
    });
    expect(change.status).toBe(401);
    expect(((await change.json()) as Json).type).toBe(REAUTHENTICATION_REQUIRED_TYPE);
  });

  it("refuses the password as a step-up for a user with an enforced second factor (403, methods)", async () => {
    const { client, user } = await t.signUp();
    enrolled.add(user.id);
    t.clock.advance(ELEVEN_MINUTES);
    const refused = await client.post(`${AUTH}/test-factor/sensitive`);
    expect(await refused.json()).toMatchObject({ status: 401, methods: ["test-code"] });
    const password = await client.post(`${AUTH}/reauthenticate`, { password: STRONG_PASSWORD });
    expect(password.status).toBe(403);
    expect(await password.json()).toMatchObject({
      type: REAUTHENTICATION_REQUIRED_TYPE,
      methods: ["test-code"],
    });
    expect((await client.post(`${AUTH}/test-factor/sensitive`)).status).toBe(401);
    expect((await client.post(`${AUTH}/test-factor/reauthenticate`)).status).toBe(200);
    expect((await client.post(`${AUTH}/test-factor/sensitive`)).status).toBe(200);
  });
});

describe("the password step with a second factor enrolled", () => {
  async function enrolledUser() {
    const signedUp = await t.signUp();
    enrolled.add(signedUp.user.id);
    return signedUp;
  }

  it("opens no session: only the pending cookie, which no other route accepts", async () => {
    const signedUp = await enrolledUser();
    const { user } = signedUp;
    const browser = t.client();
    const before = await t.database.db.execute(sql`select count(*)::int as n from sessions`);
    const login = await browser.post(`${AUTH}/login`, {
      email: user.email,
      password: STRONG_PASSWORD,
    });
    expect(login.status).toBe(200);
    expect(await login.json()).toEqual({ twoFactorRequired: true, methods: ["test-code"] });
    expect(cookieNames(login)).toEqual(["auth_pending"]);
    const pendingCookie = login.headers.getSetCookie()[0]!;
    expect(pendingCookie).toMatch(/HttpOnly/);
    expect(pendingCookie).toMatch(/SameSite=Lax/);
    expect(pendingCookie).toMatch(/Max-Age=300/);
    const after = await t.database.db.execute(sql`select count(*)::int as n from sessions`);
    expect(after).toEqual(before);

    for (const path of ["/me", "/session", "/sessions", "/activity"]) {
      expect((await browser.get(`${AUTH}${path}`)).status, path).toBe(401);
    }
    expect((await browser.post(`${AUTH}/logout-all`)).status).toBe(401);
    expect(
      (await browser.post(`${AUTH}/reauthenticate`, { password: STRONG_PASSWORD })).status,
    ).toBe(401);
    expect((await browser.post(`${AUTH}/test-factor/sensitive`)).status).toBe(401);

    // The owner sees that someone knew the password, whether or not the second step follows.
    const owner = (await (await signedUp.client.get(`${AUTH}/activity`)).json()) as {
      events: { type: string }[];
    };
    expect(owner.events[0]?.type).toBe("second_factor_requested");

    const wrong = await browser.post(`${AUTH}/test-factor/verify`, { code: "000000" });
    expect(wrong.status).toBe(422);
    const done = await browser.post(`${AUTH}/test-factor/verify`, { code: "123456" });
    expect(done.status).toBe(200);
    expect(cookieNames(done).sort()).toEqual([
      "auth_access",
      "auth_device",
      "auth_pending",
      "auth_session",
    ]);
    const sessions = (await (await browser.get(`${AUTH}/sessions`)).json()) as {
      sessions: { current: boolean; signInMethods: string[] }[];
    };
    expect(sessions.sessions.find((s) => s.current)?.signInMethods).toEqual([
      "password",
      "test-code",
    ]);
    // Single use.
    const again = await browser.post(`${AUTH}/test-factor/verify`, { code: "123456" });
    expect(again.status).toBe(401);
  });

  it("expires after 5 minutes, and ends when the password changes meanwhile", async () => {
    const { user, client } = await enrolledUser();
    const late = t.client();
    await late.post(`${AUTH}/login`, { email: user.email, password: STRONG_PASSWORD });
    t.clock.advance(5 * 60 * 1000 + 1000);
    const expired = await late.post(`${AUTH}/test-factor/verify`, { code: "123456" });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as Json).type).toBe("/problems/second-factor-expired");

    const raced = t.client();
    await raced.post(`${AUTH}/login`, { email: user.email, password: STRONG_PASSWORD });
    // The owner (signed in just now, elsewhere) changes the password.
    await client.post(`${AUTH}/test-factor/reauthenticate`);
    const changed = await client.post(`${AUTH}/password`, {
      currentPassword: STRONG_PASSWORD,
      newPassword: "a-brand-new-Passphrase-78",
    });
    expect(changed.status).toBe(204);
    expect((await raced.post(`${AUTH}/test-factor/verify`, { code: "123456" })).status).toBe(401);
  });

  it("a disabled account's pending sign-in goes nowhere", async () => {
    const { user } = await enrolledUser();
    const browser = t.client();
    await browser.post(`${AUTH}/login`, { email: user.email, password: STRONG_PASSWORD });
    await t.auth.admin.disableUser(user.id);
    expect((await browser.post(`${AUTH}/test-factor/verify`, { code: "123456" })).status).toBe(401);
  });
});

describe("administrative changes need a recent proof", () => {
  let admins: AdminHost;
  beforeAll(async () => {
    admins = await createAdminHost();
  });
  afterAll(() => admins.dispose());

  it("refuses every admin mutation past the max age, and allows it after a step-up", async () => {
    const admin = await admins.userWithRole("admin");
    const target = await admins.signUp();
    admins.clock.advance(ELEVEN_MINUTES);
    const id = target.user.id;
    const attempts = [
      () => admin.client.patch(`/api/admin/users/${id}`, { role: "manager" }),
      () => admin.client.post(`/api/admin/users/${id}/sessions/revoke`),
      () => admin.client.delete(`/api/admin/users/${id}`),
    ];
    for (const attempt of attempts) {
      const refused = await attempt();
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as Json).type).toBe(REAUTHENTICATION_REQUIRED_TYPE);
    }
    // Reading needs no step-up.
    expect((await admin.client.get(`/api/admin/users/${id}`)).status).toBe(200);
    // A user without the permission learns nothing about step-up: 403 first.
    expect((await target.client.delete(`/api/admin/users/${admin.user.id}`)).status).toBe(403);

    expect(
      (await admin.client.post(`${AUTH}/reauthenticate`, { password: STRONG_PASSWORD })).status,
    ).toBe(200);
    expect((await attempts[0]!()).status).toBe(200);
  });
});
