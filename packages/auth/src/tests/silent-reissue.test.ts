import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSetCookie } from "../testing/index.js";
import { createTestHost, type TestHost } from "./test-host.js";

let t: TestHost;
beforeAll(async () => {
  t = await createTestHost();
});
afterAll(() => t.dispose());

const TTL = 600;

describe("hot path", () => {
  it("authenticates a valid access token with zero database queries", async () => {
    const { client } = await t.signUp();
    await client.get("/api/auth/session"); // warm the verified-token cache too
    t.queries.reset();
    for (let i = 0; i < 5; i += 1) {
      expect((await client.get("/api/auth/session")).status).toBe(200);
    }
    expect(t.queries.count).toBe(0);
    // A fresh copy of the token that this process never saw verifies without the DB as well.
    const sibling = await t.sibling();
    const copy = client.fork();
    t.queries.reset();
    const response = await sibling.app.fetch(
      new Request("http://localhost/api/auth/session", {
        headers: { Cookie: `auth_access=${copy.cookies.get("auth_access")}` },
      }),
    );
    expect(response.status).toBe(200);
    expect(t.queries.count).toBe(0);
    await sibling.auth.close();
  });
});

describe("silent reissue", () => {
  it("after expiry: one session lookup, a new access cookie, the request served", async () => {
    const { client } = await t.signUp();
    // Within the first token lifetime the session token is not due for rotation yet.
    t.clock.advanceSeconds(TTL / 2);
    client.cookies.delete("auth_access");
    const before = client.cookies.get("auth_access");
    const session = client.cookies.get("auth_session");
    t.queries.reset();
    const response = await client.get("/api/notes");
    expect(response.status).toBe(200);
    const statements = t.queries.statements.filter((sql) => !sql.includes('"todos"'));
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^update "sessions"/);
    const setCookies = response.headers.getSetCookie().map(parseSetCookie);
    expect(setCookies.map((c) => c.name)).toEqual(["auth_access"]);
    expect(client.cookies.get("auth_access")).not.toBe(before);
    expect(client.cookies.get("auth_session")).toBe(session);
    // …and the next request is back on the hot path.
    t.queries.reset();
    expect((await client.get("/api/auth/session")).status).toBe(200);
    expect(t.queries.count).toBe(0);
  });

  it("reissues when the access cookie is missing altogether", async () => {
    const { client } = await t.signUp();
    client.cookies.delete("auth_access");
    expect((await client.get("/api/auth/session")).status).toBe(200);
    expect(client.cookies.has("auth_access")).toBe(true);
  });

  it("serves twenty concurrent requests with the same expired token, all authenticated", async () => {
    const { client } = await t.signUp();
    t.clock.advanceSeconds(TTL + 1);
    t.queries.reset();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => client.fork().get("/api/auth/session")),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    for (const response of responses) {
      expect(response.headers.getSetCookie().map((h) => parseSetCookie(h).name)).toContain(
        "auth_access",
      );
    }
    // One shared lookup (single flight), not twenty; it rotated the session token, whose
    // predecessor is kept for reuse detection (one insert).
    expect(t.queries.statements.map((statement) => statement.split(" ")[0])).toEqual([
      "update",
      "insert",
    ]);
  });

  it("updates last_seen_at on reissue", async () => {
    const { client } = await t.signUp();
    t.clock.advanceSeconds(TTL + 30);
    await client.get("/api/auth/session");
    const { sessions } = (await (await client.get("/api/auth/sessions")).json()) as {
      sessions: { lastSeenAt: string }[];
    };
    expect(Date.parse(sessions[0]!.lastSeenAt)).toBe(t.clock.now());
  });
});

describe("session lifetimes", () => {
  it("refuses a session past its idle timeout (7 days)", async () => {
    const { client } = await t.signUp();
    t.clock.advanceSeconds(7 * 24 * 3600 + 1);
    const response = await client.get("/api/notes");
    expect(response.status).toBe(401);
    expect(client.sessionCookies).toEqual([]);
  });

  it("keeps an active session alive past 7 days, but not past 30", async () => {
    const { client } = await t.signUp();
    for (let day = 0; day < 29; day += 1) {
      t.clock.advanceSeconds(24 * 3600);
      expect((await client.get("/api/auth/session")).status).toBe(200);
    }
    t.clock.advanceSeconds(24 * 3600 + 1);
    expect((await client.get("/api/auth/session")).status).toBe(401);
  });

  it("a deleted user's session stops working (at once through the admin API)", async () => {
    const { client, user } = await t.signUp();
    expect(await t.auth.admin.deleteUser(user.id)).toBe(true);
    expect((await client.get("/api/auth/session")).status).toBe(401);
  });

  it("a user deleted behind the API's back is refused once the access token expires", async () => {
    const { client, user } = await t.signUp();
    const { users } = await import("../schema/index.js");
    const { eq } = await import("drizzle-orm");
    await t.database.db.delete(users).where(eq(users.id, user.id));
    t.clock.advanceSeconds(TTL + 1);
    expect((await client.get("/api/auth/session")).status).toBe(401);
  });
});
