import { hc } from "hono/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthRoutes } from "../routes.js";
import { createAdminHost, type AdminHost } from "../tests/admin-host.js";
import { createTestHost, type TestHost } from "../tests/test-host.js";
import { parseSetCookie, TestClient, type SignedUp } from "../testing/index.js";
import type { SessionEndedReason } from "./ended-session.js";

let t: TestHost;
beforeAll(async () => {
  t = await createTestHost();
});
afterAll(() => t.dispose());

const TTL = 600;
const DAY = 24 * 60 * 60;

/** The problem+json of a 401, parsed. */
async function problemOf(response: Response) {
  expect(response.status).toBe(401);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return (await response.json()) as Record<string, unknown>;
}

/** The request was refused because its session ended, for `reason`, and its cookies cleared. */
async function expectEnded(response: Response, reason: SessionEndedReason) {
  const problem = await problemOf(response);
  expect(problem).toMatchObject({
    type: "/problems/session-ended",
    title: "Your session ended",
    status: 401,
    reason,
  });
  expect(problem.detail).toEqual(expect.any(String));
  // Only the reason: nothing about the session, its device or its user.
  expect(Object.keys(problem).sort()).toEqual(["detail", "reason", "status", "title", "type"]);
  const cleared = response.headers
    .getSetCookie()
    .map(parseSetCookie)
    .filter((cookie) => cookie.attributes["max-age"] === "0")
    .map((cookie) => cookie.name);
  expect(cleared.sort()).toEqual(["auth_access", "auth_session"]);
}

async function expectPlain(response: Response) {
  expect(await problemOf(response)).toEqual({
    type: "about:blank",
    title: "Unauthorized",
    status: 401,
    detail: "Sign in to continue.",
  });
}

/** The same user signed in on a second device. */
async function secondDevice(
  host: { fetch: (r: Request) => Response | Promise<Response> },
  user: SignedUp,
) {
  const device = new TestClient(host.fetch);
  const response = await device.post("/api/auth/login", {
    email: user.email,
    password: user.password,
  });
  expect(response.status).toBe(200);
  return device;
}

const fetchOf = (host: TestHost) => ({ fetch: (request: Request) => host.app.fetch(request) });

async function sessionIdOf(client: TestClient): Promise<string> {
  const body = (await (await client.get("/api/auth/session")).json()) as {
    session: { sessionId: string };
  };
  return body.session.sessionId;
}

describe("a request without auth cookies", () => {
  it("keeps the plain 401, on a host route and on GET /session", async () => {
    const anonymous = t.client();
    await expectPlain(await anonymous.get("/api/notes"));
    await expectPlain(await anonymous.get("/api/auth/session"));
    await expectPlain(await anonymous.get("/api/auth/me"));
  });

  it("a cookie that names no session at all gets the plain 401 too", async () => {
    const stranger = t.client({ Cookie: `auth_session=${"A".repeat(43)}` });
    await expectPlain(await stranger.get("/api/notes"));
  });
});

describe("the 401 says why the session ended", () => {
  it("signed_out: this device was signed out from another one's list", async () => {
    const owner = await t.signUp();
    const phone = await secondDevice(fetchOf(t), owner);
    const phoneSession = await sessionIdOf(phone);
    expect((await owner.client.delete(`/api/auth/sessions/${phoneSession}`)).status).toBe(204);
    await expectEnded(await phone.get("/api/notes"), "signed_out");
    // Its cookies are gone now: the next request is plainly signed out.
    expect(phone.sessionCookies).toEqual([]);
    await expectPlain(await phone.get("/api/notes"));
  });

  it("signed_out: another device logged out the other devices", async () => {
    const owner = await t.signUp();
    const phone = await secondDevice(fetchOf(t), owner);
    expect((await owner.client.post("/api/auth/logout-others")).status).toBe(204);
    await expectEnded(await phone.get("/api/auth/me"), "signed_out");
  });

  it("signed_out_everywhere: another device logged out everywhere", async () => {
    const owner = await t.signUp();
    const phone = await secondDevice(fetchOf(t), owner);
    expect((await owner.client.post("/api/auth/logout-all")).status).toBe(204);
    await expectEnded(await phone.get("/api/notes"), "signed_out_everywhere");
  });

  it("password_changed: another device changed the password", async () => {
    const owner = await t.signUp();
    const phone = await secondDevice(fetchOf(t), owner);
    const change = await owner.client.post("/api/auth/password", {
      currentPassword: owner.password,
      newPassword: "amber-lantern-orchard-57",
    });
    expect(change.status).toBe(204);
    await expectEnded(await phone.get("/api/notes"), "password_changed");
    // The device that changed it stays signed in.
    expect((await owner.client.get("/api/notes")).status).toBe(200);
  });

  it("token_reuse: a rotated-out token came back after its grace window", async () => {
    const { client } = await t.signUp();
    const stolen = client.fork();
    stolen.cookies.delete("auth_access");
    t.clock.advanceSeconds(TTL + 1);
    expect((await client.get("/api/auth/session")).status).toBe(200); // rotates
    t.clock.advanceSeconds(60);
    await expectEnded(await stolen.get("/api/notes"), "token_reuse");
    // The owner's current token ended with the session, and it is told the same.
    client.cookies.delete("auth_access");
    await expectEnded(await client.get("/api/notes"), "token_reuse");
  });

  it("account_disabled: an administrator disabled the account", async () => {
    const { client, user } = await t.signUp();
    expect(await t.auth.admin.disableUser(user.id)).toBe(true);
    await expectEnded(await client.get("/api/notes"), "account_disabled");
  });

  it("expired: unused for longer than the idle timeout", async () => {
    const { client } = await t.signUp();
    t.clock.advanceSeconds(7 * DAY + 1);
    await expectEnded(await client.get("/api/notes"), "expired");
  });

  it("expired: past the absolute lifetime, however often it was used", async () => {
    const { client } = await t.signUp();
    for (let day = 6; day < 30; day += 6) {
      t.clock.advanceSeconds(6 * DAY);
      expect((await client.get("/api/notes")).status, `day ${day}`).toBe(200);
    }
    t.clock.advanceSeconds(6 * DAY);
    await expectEnded(await client.get("/api/notes"), "expired");
  });

  it("a password check (no session needed) leaves an ended session's cookies for the next request to explain", async () => {
    const owner = await t.signUp();
    const phone = await secondDevice(fetchOf(t), owner);
    expect((await owner.client.post("/api/auth/logout-all")).status).toBe(204);
    const check = await phone.post("/api/auth/password/check", {
      password: "violet-kettle-harbour-93",
    });
    expect(check.status).toBe(200);
    expect(check.headers.getSetCookie()).toEqual([]);
    await expectEnded(await phone.get("/api/notes"), "signed_out_everywhere");
  });

  it("with the access cookie alone, the access token's session says why", async () => {
    const owner = await t.signUp();
    const phone = await secondDevice(fetchOf(t), owner);
    phone.cookies.delete("auth_session");
    expect((await owner.client.post("/api/auth/logout-all")).status).toBe(204);
    await expectEnded(await phone.get("/api/notes"), "signed_out_everywhere");
  });

  it("finds out why with one query more than the live lookup's, shared by concurrent requests", async () => {
    const owner = await t.signUp();
    const phone = await secondDevice(fetchOf(t), owner);
    phone.cookies.delete("auth_access");
    expect((await owner.client.post("/api/auth/logout-all")).status).toBe(204);
    t.queries.reset();
    const responses = await Promise.all([phone.fork().get("/api/notes"), phone.get("/api/notes")]);
    for (const response of responses) await expectEnded(response, "signed_out_everywhere");
    // The live lookup, the rotated-out and retired-token checks (as before), and the reason:
    // once for both requests (single flight).
    expect(t.queries.statements.map((sql) => sql.split(" ")[0])).toEqual([
      "update",
      "select",
      "select",
      "select",
    ]);
  });
});

describe("GET /session?optional=true, the probe that is not an error", () => {
  /** Hono's typed client, as the SPA uses it, over a test browser (GET only). */
  const client = (browser: TestClient) =>
    hc<AuthRoutes>("http://localhost/api/auth", {
      fetch: (input: string | URL | Request) => {
        const url = new URL(input instanceof Request ? input.url : input);
        return browser.get(url.pathname + url.search);
      },
    });

  it("signed in: the session, as without the query, with no database query", async () => {
    const { client: browser, user } = await t.signUp();
    await browser.get("/api/auth/session");
    t.queries.reset();
    const response = await client(browser).session.$get({ query: { optional: "true" } });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.session?.userId).toBe(user.id);
    expect(t.queries.count).toBe(0);
  });

  it("never signed in: 200 {session: null}", async () => {
    const response = await client(t.client()).session.$get({ query: { optional: "true" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ session: null });
  });

  it("a session that ended: 200 {session: null, ended: {reason}}, the cookies cleared", async () => {
    const owner = await t.signUp();
    const phone = await secondDevice(fetchOf(t), owner);
    expect((await owner.client.post("/api/auth/logout-others")).status).toBe(204);
    const response = await phone.get("/api/auth/session?optional=true");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ session: null, ended: { reason: "signed_out" } });
    expect(phone.sessionCookies).toEqual([]);
    expect(await (await phone.get("/api/auth/session?optional=true")).json()).toEqual({
      session: null,
    });
  });

  it("without the query (or optional=false) answers 401 as before; another value is a 400", async () => {
    const owner = await t.signUp();
    const phone = await secondDevice(fetchOf(t), owner);
    expect((await owner.client.post("/api/auth/logout-all")).status).toBe(204);
    await expectEnded(await phone.fork().get("/api/auth/session"), "signed_out_everywhere");
    await expectEnded(await phone.get("/api/auth/session?optional=false"), "signed_out_everywhere");
    const invalid = await t.client().get("/api/auth/session?optional=yes");
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      type: "/problems/invalid-query",
      errors: [{ pointer: "/optional", detail: 'must be "true" or "false"' }],
    });
  });
});

describe("revoked_by_admin", () => {
  let host: AdminHost;
  beforeAll(async () => {
    host = await createAdminHost();
  });
  afterAll(() => host.dispose());

  it("an administrator signed the user out everywhere, or ended one session", async () => {
    const admin = await host.userWithRole("admin");
    const user = await host.signUp();
    const phone = await secondDevice(host, user);
    const phoneSession = await sessionIdOf(phone);
    const one = await admin.client.delete(
      `/api/admin/users/${user.user.id}/sessions/${phoneSession}`,
    );
    expect(one.status).toBe(204);
    await expectEnded(await phone.get("/api/notes"), "revoked_by_admin");
    const all = await admin.client.post(`/api/admin/users/${user.user.id}/sessions/revoke`);
    expect(all.status).toBe(200);
    await expectEnded(await user.client.get("/api/notes"), "revoked_by_admin");
  });

  it("the admin console's permission guard says why too", async () => {
    const admin = await host.userWithRole("admin");
    const laptop = await secondDevice(host, admin);
    expect((await laptop.get("/api/admin/users")).status).toBe(200);
    expect((await admin.client.post("/api/auth/logout-others")).status).toBe(204);
    await expectEnded(await laptop.get("/api/admin/users"), "signed_out");
  });
});
