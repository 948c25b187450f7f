import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestClient } from "../testing/test-client.js";
import { createTestHost, type TestHost } from "./test-host.js";

let t: TestHost;
beforeAll(async () => {
  t = await createTestHost();
});
afterAll(() => t.dispose());

/** A signed-in user with a second device whose access token is fresh and unexpired. */
async function twoDevices() {
  const first = await t.signUp();
  const second = t.client();
  await second.post("/api/auth/login", { email: first.email, password: first.password });
  expect((await second.get("/api/auth/session")).status).toBe(200);
  return { ...first, second };
}

describe("revocation takes effect on the next request, access token unexpired", () => {
  it("logout: a copy of the signed-out cookies is refused", async () => {
    const { client } = await t.signUp();
    const copy = client.fork();
    await client.post("/api/auth/logout");
    t.clock.advanceSeconds(1);
    expect((await copy.get("/api/auth/session")).status).toBe(401);
  });

  it("logout-all, logout-others, revoke one, password change", async () => {
    const a = await twoDevices();
    await a.client.post("/api/auth/logout-all");
    expect((await a.second.get("/api/auth/session")).status).toBe(401);

    const b = await twoDevices();
    await b.client.post("/api/auth/logout-others");
    expect((await b.second.get("/api/auth/session")).status).toBe(401);

    const c = await twoDevices();
    const { sessions } = (await (await c.client.get("/api/auth/sessions")).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    await c.client.delete(`/api/auth/sessions/${sessions.find((s) => !s.current)!.id}`);
    expect((await c.second.get("/api/auth/session")).status).toBe(401);

    const d = await twoDevices();
    await d.client.post("/api/auth/password", {
      currentPassword: d.password,
      newPassword: "amber-lighthouse-quietly-17",
    });
    expect((await d.second.get("/api/auth/session")).status).toBe(401);
  });

  it("the refused device's cookies are cleared", async () => {
    const a = await twoDevices();
    await a.client.post("/api/auth/logout-all");
    const response = await a.second.get("/api/notes");
    expect(response.status).toBe(401);
    expect(a.second.sessionCookies).toEqual([]);
  });
});

describe("role changes and disabling", () => {
  it("a role change gives fresh claims on the next request of every device", async () => {
    const { client, user, second } = await twoDevices();
    await t.auth.admin.setRole(user.id, "admin");
    for (const device of [client, second]) {
      const { session } = (await (await device.get("/api/auth/session")).json()) as {
        session: { role: string };
      };
      expect(session.role).toBe("admin");
    }
  });

  it("disabling signs the user out everywhere and refuses sign-in", async () => {
    const { client, user, email, password, second } = await twoDevices();
    await t.auth.admin.disableUser(user.id);
    expect((await client.get("/api/auth/session")).status).toBe(401);
    expect((await second.get("/api/auth/session")).status).toBe(401);
    expect((await t.client().post("/api/auth/login", { email, password })).status).toBe(401);
  });
});

describe("durable events", () => {
  it("a restarted process still refuses a token revoked before the restart", async () => {
    const { client } = await t.signUp();
    const copy = client.fork();
    await client.post("/api/auth/logout");
    const restarted = await t.sibling();
    const response = await restarted.app.fetch(
      new Request("http://localhost/api/auth/session", {
        headers: { Cookie: `auth_access=${copy.cookies.get("auth_access")}` },
      }),
    );
    expect(response.status).toBe(401);
    await restarted.auth.close();
  });

  it("events older than one access-token lifetime are dropped from memory", async () => {
    const list = t.auth.internals.revocations.list;
    const { client } = await t.signUp();
    await client.post("/api/auth/logout");
    expect(list.size).toBeGreaterThan(0);
    t.clock.advanceSeconds(601 + 2);
    list.prune(t.clock.now());
    expect(list.size).toBe(0);
  });
});

describe("a reissue racing a revocation across a second boundary (PostgreSQL race)", () => {
  /**
   * The revoking request reads its instant (…x.900 s), then, before its transaction writes,
   * another device's silent reissue runs in the next second (…(x+1).050 s): it still sees the
   * session live and mints a token with `iat` = x+1, after the revocation's instant. On
   * PostgreSQL two pool connections interleave exactly so (3 in 48 logout trials); here the
   * interleaving is forced at the revocation's `db.transaction`.
   */
  async function raceRevocation(
    revoke: (client: TestClient) => Promise<Response>,
    startsAtMs = 900,
  ) {
    const victim = await t.signUp();
    const otherTab = victim.client.fork();
    t.clock.advanceSeconds(601); // the access token has expired: the next request reissues
    // The revoking request starts at x.900 (x.startsAtMs).
    t.clock.advance((startsAtMs - (t.clock.now() % 1000) + 1000) % 1000);
    const db = t.database.db as unknown as { transaction: (...args: unknown[]) => unknown };
    const original = db.transaction;
    let raced: Response | undefined;
    db.transaction = async function (this: unknown, ...args: unknown[]) {
      db.transaction = original;
      t.clock.advance(150); // (x+1).050: the racing reissue reaches the database first
      raced = await otherTab.get("/api/notes");
      return original.apply(this, args);
    };
    try {
      expect((await revoke(victim.client)).status).toBe(204);
    } finally {
      db.transaction = original;
    }
    expect(raced?.status).toBe(200);
    const mintedInRace = otherTab.cookies.get("auth_access")!;
    t.clock.advance(100);
    return t.client().get("/api/notes", { Cookie: `auth_access=${mintedInRace}` });
  }

  it("logout: the access token minted in the race is refused", async () => {
    expect((await raceRevocation((c) => c.post("/api/auth/logout"))).status).toBe(401);
  });

  it("logout-all: the access token minted in the race is refused", async () => {
    expect((await raceRevocation((c) => c.post("/api/auth/logout-all"))).status).toBe(401);
  });

  it("raises the stored cutoff only when the commit crossed a second: within one, it changes no verdict", async () => {
    // Starts at x.100, the race at x.250: the racing token's `iat` is x, stale by the
    // first cutoff already, so no second transaction (and NOTIFY) is needed.
    const raisedCutoff = (statement: string) => /^update "revocation_events"/i.test(statement);
    t.queries.reset();
    expect((await raceRevocation((c) => c.post("/api/auth/logout"), 100)).status).toBe(401);
    expect(t.queries.statements.filter(raisedCutoff)).toEqual([]);
    t.queries.reset();
    expect((await raceRevocation((c) => c.post("/api/auth/logout"), 900)).status).toBe(401);
    expect(t.queries.statements.filter(raisedCutoff)).toHaveLength(1);
  });
});
