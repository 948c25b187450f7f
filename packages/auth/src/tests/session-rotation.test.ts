import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { securityEvents, sessions } from "../schema/index.js";
import { parseSetCookie } from "../testing/index.js";
import { createTestHost, type TestHost } from "./test-host.js";

let t: TestHost;
beforeAll(async () => {
  t = await createTestHost();
});
afterAll(() => t.dispose());

const TTL = 600;
const GRACE = 20;

function cookieNames(response: Response): string[] {
  return response.headers.getSetCookie().map((header) => parseSetCookie(header).name);
}

async function sessionRow(userId: string) {
  const [row] = await t.database.db.select().from(sessions).where(eq(sessions.userId, userId));
  return row!;
}

/** The session was revoked as stolen, and its owner can see why. */
async function expectSessionBurnt(userId: string) {
  expect((await sessionRow(userId)).revokedAt).not.toBeNull();
  const events = await t.database.db
    .select()
    .from(securityEvents)
    .where(eq(securityEvents.userId, userId));
  expect(events.map((event) => event.type)).toContain("token_reuse_detected");
}

describe("session-token rotation", () => {
  it("rotates on the first reissue after a token lifetime, without extending the session", async () => {
    const { client, user } = await t.signUp();
    const before = await sessionRow(user.id);
    const oldToken = client.cookies.get("auth_session");
    t.clock.advanceSeconds(TTL + 1);
    const response = await client.get("/api/notes");
    expect(response.status).toBe(200);
    expect(cookieNames(response).sort()).toEqual(["auth_access", "auth_session"]);
    expect(client.cookies.get("auth_session")).not.toBe(oldToken);
    const after = await sessionRow(user.id);
    expect(after.expiresAt.getTime()).toBe(before.expiresAt.getTime());
    expect(after.previousTokenHash).toBe(before.tokenHash);
    const maxAge = response.headers
      .getSetCookie()
      .map(parseSetCookie)
      .find((c) => c.name === "auth_session")!.attributes["max-age"];
    expect(Number(maxAge)).toBe(Math.floor((before.expiresAt.getTime() - t.clock.now()) / 1000));
  });

  it("rotates at most once per access-token lifetime", async () => {
    const { client } = await t.signUp();
    t.clock.advanceSeconds(TTL + 1);
    await client.get("/api/auth/session");
    const rotated = client.cookies.get("auth_session");
    t.clock.advanceSeconds(TTL - 10);
    client.cookies.delete("auth_access");
    const again = await client.get("/api/auth/session");
    expect(cookieNames(again)).toEqual(["auth_access"]);
    expect(client.cookies.get("auth_session")).toBe(rotated);
  });

  it("honours the rotated-out token during the grace window", async () => {
    const { client } = await t.signUp();
    const laggingTab = client.fork();
    laggingTab.cookies.delete("auth_access");
    t.clock.advanceSeconds(TTL + 1);
    await client.get("/api/auth/session"); // rotates
    t.clock.advanceSeconds(GRACE - 5);
    const response = await laggingTab.get("/api/notes");
    expect(response.status).toBe(200);
    expect(cookieNames(response)).toEqual(["auth_access"]);
  });

  it("revokes the whole session and records the event when an old token comes back later", async () => {
    const { client, user } = await t.signUp();
    const thief = client.fork();
    thief.cookies.delete("auth_access");
    t.clock.advanceSeconds(TTL + 1);
    expect((await client.get("/api/auth/session")).status).toBe(200); // the owner rotates
    t.clock.advanceSeconds(GRACE + 1);
    expect((await thief.get("/api/notes")).status).toBe(401);
    // The legitimate holder of the new token is signed out too: the session is burnt.
    client.cookies.delete("auth_access");
    expect((await client.get("/api/notes")).status).toBe(401);
    await expectSessionBurnt(user.id);
  });

  it("any earlier token of the session's family is reuse: a thief cannot wait out two rotations", async () => {
    const { client, user } = await t.signUp();
    const thief = client.fork();
    thief.cookies.delete("auth_access");
    // The thief uses the stolen token and keeps it fresh: two rotations on its side.
    for (let rotation = 0; rotation < 2; rotation += 1) {
      t.clock.advanceSeconds(TTL + 1);
      expect((await thief.get("/api/notes")).status).toBe(200);
    }
    // The owner comes back with the token it had: two rotations old, far past any grace.
    client.cookies.delete("auth_access");
    expect((await client.get("/api/notes")).status).toBe(401);
    // The whole session is burnt, the thief's current token included, and the reuse recorded.
    thief.cookies.delete("auth_access");
    expect((await thief.get("/api/notes")).status).toBe(401);
    await expectSessionBurnt(user.id);
  });

  it("50 concurrent requests with one expired access token: no 5xx, no sign-out, one rotation", async () => {
    const { client, user } = await t.signUp();
    t.clock.advanceSeconds(TTL + 1);
    t.queries.reset();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => client.fork().get("/api/auth/session")),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const newTokens = new Set(
      responses.flatMap((r) =>
        r.headers
          .getSetCookie()
          .map(parseSetCookie)
          .filter((c) => c.name === "auth_session")
          .map((c) => c.value),
      ),
    );
    expect(newTokens.size).toBe(1);
    // One shared lookup (which rotated the token), and the rotated-out token kept for reuse
    // detection: two statements for fifty requests.
    expect(t.queries.statements.map((statement) => statement.split(" ")[0])).toEqual([
      "update",
      "insert",
    ]);
    const row = await sessionRow(user.id);
    expect(row.revokedAt).toBeNull();
  });

  it("two processes racing one rotation both keep the user signed in", async () => {
    const { client } = await t.signUp();
    const sibling = await t.sibling();
    t.clock.advanceSeconds(TTL + 1);
    const session = client.cookies.get("auth_session")!;
    const request = () =>
      new Request("http://localhost/api/auth/session", {
        headers: { Cookie: `auth_session=${session}` },
      });
    const [a, b] = await Promise.all([t.app.fetch(request()), sibling.app.fetch(request())]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await sibling.auth.close();
  });
});
