/**
 * WSTG-ATHZ: authorization. Path tricks around the auth middleware, mass assignment of
 * server-owned fields (privilege escalation) and insecure direct object references.
 * todos.test.ts already covers the basic cross-user PATCH/DELETE and POST extras.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { securityEvents, sessions, users } from "@hybrid-auth/auth/schema";
import { todos } from "../../todos/schema.js";
import {
  createTestApp,
  STRONG_PASSWORD,
  uniqueEmail,
  type TestApp,
} from "../../testing/test-app.js";
import {
  NOBODYS_ID,
  OTHER_STRONG_PASSWORD,
  expectProblem,
  pointersOf,
  rawPost,
  type SignedIn,
} from "./helpers.js";

type Todo = { id: string; title: string; completed: boolean; createdAt: string; updatedAt: string };

let t: TestApp;
let alice: SignedIn;
let bob: SignedIn;
let aliceTodo: Todo;
let aliceSessionId: string;

beforeAll(async () => {
  t = await createTestApp();
  [alice, bob] = [await t.signUp(), await t.signUp()];
  const response = await alice.client.post("/api/todos", { title: "alice's secret" });
  aliceTodo = ((await response.json()) as { todo: Todo }).todo;
  const { session } = (await (await alice.client.get("/api/auth/session")).json()) as {
    session: { sessionId: string };
  };
  aliceSessionId = session.sessionId;
});
afterAll(() => t.dispose());

async function aliceState() {
  const db = t.database.db;
  return {
    todos: await db.select().from(todos).where(eq(todos.userId, alice.user.id)),
    user: await db.select().from(users).where(eq(users.id, alice.user.id)),
    sessions: await db
      .select({ id: sessions.id, revokedAt: sessions.revokedAt })
      .from(sessions)
      .where(eq(sessions.userId, alice.user.id)),
  };
}

describe("WSTG-ATHZ-01 / ATHZ-02 paths around the auth middleware", () => {
  it.each([
    "/api/todos/",
    "/api/todos//",
    "/api/%74odos",
    "/api/./todos",
    "/api/x/../todos",
    "/api/todos/%2e%2e/todos",
    "/api//todos",
    "/API/todos",
    "/api/todos;jsessionid=x",
    "/api/todos%2F",
    `/api/todos/${NOBODYS_ID}/`,
    "/api/todos/..%2F..%2Fauth%2Fsessions",
  ])("an anonymous request to %s is refused (401/404), never served", async (path) => {
    for (const [method, json] of [
      ["GET", undefined],
      ["POST", { title: "sneaked in" }],
    ] as const) {
      const response = await t.client().request(method, path, json ? { json } : {});
      expect([401, 404, 405]).toContain(response.status);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    const rows = await t.database.db.select().from(todos).where(eq(todos.title, "sneaked in"));
    expect(rows).toEqual([]);
  });

  it("listings only ever contain the caller's own records", async () => {
    const failed = await t
      .client()
      .post("/api/auth/login", { email: alice.email, password: "wrong-password-1" });
    expect(failed.status).toBe(401);
    const [todoList, sessionList, activity] = await Promise.all(
      ["/api/todos", "/api/auth/sessions", "/api/auth/activity"].map(async (path) => {
        const response = await bob.client.get(path);
        expect(response.status).toBe(200);
        return response.text();
      }),
    );
    for (const text of [todoList, sessionList, activity]) {
      expect(text).not.toContain(aliceTodo.id);
      expect(text).not.toContain(aliceSessionId);
      expect(text).not.toContain(alice.user.id);
    }
    const { events } = JSON.parse(activity!) as { events: { type: string }[] };
    expect(events.map((event) => event.type)).toEqual(["signed_up"]);
    // Alice sees the failed attempt on her own account.
    const own = (await (await alice.client.get("/api/auth/activity")).json()) as {
      events: { type: string }[];
    };
    expect(own.events.map((event) => event.type)).toContain("sign_in_failed");
  });

  it("failed sign-ins for unknown emails are shown to nobody", async () => {
    await t
      .client()
      .post("/api/auth/login", { email: uniqueEmail("ghost"), password: "nope-nope-1" });
    const orphans = await t.database.db
      .select()
      .from(securityEvents)
      .where(eq(securityEvents.type, "sign_in_failed"));
    const unknown = orphans.filter((event) => event.userId === null);
    expect(unknown.length).toBeGreaterThan(0);
    for (const who of [alice, bob]) {
      const { events } = (await (await who.client.get("/api/auth/activity")).json()) as {
        events: { id: string }[];
      };
      const ids = new Set(events.map((event) => event.id));
      for (const event of unknown) expect(ids.has(String(event.id))).toBe(false);
    }
  });
});

describe("WSTG-ATHZ-03 privilege escalation through mass assignment (WSTG-INPV-20)", () => {
  it.each([
    ["role", { role: "admin" }],
    ["id", { id: NOBODYS_ID }],
    ["passwordHash", { passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$x$y" }],
    ["disabledAt", { disabledAt: null }],
    ["createdAt", { createdAt: "2000-01-01T00:00:00.000Z" }],
    ["emailVerified", { emailVerified: true }],
  ])("sign-up refuses a client-chosen %s (422) and creates nothing", async (field, extra) => {
    const email = uniqueEmail("mass");
    const response = await t
      .client()
      .post("/api/auth/register", { email, password: STRONG_PASSWORD, ...extra });
    expect(pointersOf(await expectProblem(response, 422))).toEqual([`/${field}`]);
    expect(await t.database.db.select().from(users).where(eq(users.email, email))).toEqual([]);
  });

  it.each([
    ["__proto__", '"__proto__":{"role":"admin","isAdmin":true}'],
    ["constructor.prototype", '"constructor":{"prototype":{"role":"admin","isAdmin":true}}'],
  ])(
    "sign-up with a %s payload neither escalates nor pollutes prototypes",
    async (_what, extra) => {
      const email = uniqueEmail("proto");
      const body = `{"email":"${email}","password":"${STRONG_PASSWORD}",${extra}}`;
      const response = await rawPost(t.client(), "POST", "/api/auth/register", body);
      await expectProblem(response, 422);
      expect(({} as Record<string, unknown>).role).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(await t.database.db.select().from(users).where(eq(users.email, email))).toEqual([]);
    },
  );

  it.each([
    [
      "login with a role",
      "/api/auth/login",
      () => ({ email: alice.email, password: alice.password, role: "admin" }),
    ],
    [
      "login as someone else by userId",
      "/api/auth/login",
      () => ({ email: bob.email, password: bob.password, userId: alice.user.id }),
    ],
    [
      "password change for another userId",
      "/api/auth/password",
      () => ({
        currentPassword: bob.password,
        newPassword: OTHER_STRONG_PASSWORD,
        userId: alice.user.id,
      }),
    ],
    [
      "password change with an email",
      "/api/auth/password",
      () => ({
        currentPassword: bob.password,
        newPassword: OTHER_STRONG_PASSWORD,
        email: alice.email,
      }),
    ],
  ] as [string, string, () => Record<string, unknown>][])(
    "%s is refused (422) and changes nothing",
    async (_what, path, body) => {
      const before = await aliceState();
      const client = bob.client.fork();
      const response = await client.post(path, body());
      expect(pointersOf(await expectProblem(response, 422)).length).toBe(1);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await aliceState()).toEqual(before);
    },
  );

  it.each([
    ["userId (moving it to bob)", () => ({ title: "mine now", userId: bob.user.id })],
    ["id", () => ({ completed: true, id: NOBODYS_ID })],
    ["createdAt", () => ({ completed: true, createdAt: "2000-01-01T00:00:00.000Z" })],
    ["updatedAt", () => ({ completed: true, updatedAt: "2999-01-01T00:00:00.000Z" })],
  ] as [string, () => Record<string, unknown>][])(
    "PATCH of a to-do refuses %s (422) and leaves it untouched",
    async (_what, body) => {
      const before = await aliceState();
      const response = await alice.client.patch(`/api/todos/${aliceTodo.id}`, body());
      await expectProblem(response, 422);
      expect(await aliceState()).toEqual(before);
    },
  );

  it("PATCH with a __proto__ userId is refused and pollutes nothing", async () => {
    const before = await aliceState();
    const response = await rawPost(
      alice.client,
      "PATCH",
      `/api/todos/${aliceTodo.id}`,
      `{"completed":true,"__proto__":{"userId":"${bob.user.id}"}}`,
    );
    await expectProblem(response, 422);
    expect(({} as Record<string, unknown>).userId).toBeUndefined();
    expect(await aliceState()).toEqual(before);
  });
});

describe("WSTG-ATHZ-04 insecure direct object references", () => {
  it.each([
    ["PATCH", () => `/api/todos/${aliceTodo.id}`, { completed: true }],
    ["PATCH", () => `/api/todos/${aliceTodo.id.toUpperCase()}`, { title: "pwned" }],
    ["DELETE", () => `/api/todos/${aliceTodo.id}`, undefined],
    ["DELETE", () => `/api/todos/${aliceTodo.id.toUpperCase()}`, undefined],
    ["DELETE", () => `/api/auth/sessions/${aliceSessionId}`, undefined],
    ["DELETE", () => `/api/auth/sessions/${aliceSessionId.toUpperCase()}`, undefined],
  ] as [string, () => string, unknown][])(
    "bob's %s of alice's object answers exactly like a missing one and changes nothing",
    async (method, path, json) => {
      const before = await aliceState();
      const options = json === undefined ? {} : { json };
      const theirs = await bob.client.request(method, path(), options);
      const missingPath = path().replace(/[0-9a-f-]{36}$/i, NOBODYS_ID);
      const missing = await bob.client.request(method, missingPath, options);
      const problem = await expectProblem(theirs, 404);
      expect(problem).toEqual(await expectProblem(missing, 404));
      expect(await aliceState()).toEqual(before);
      expect((await alice.client.get("/api/auth/session")).status).toBe(200);
    },
  );

  it("object ids are random v4 UUIDs, not guessable sequences", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await bob.client.post("/api/todos", { title: `n${i}` });
      ids.push(((await response.json()) as { todo: Todo }).todo.id);
    }
    for (const id of [...ids, aliceSessionId, alice.user.id]) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    // No two consecutive ids share a long common prefix (no time-ordered or counter ids).
    for (let i = 1; i < ids.length; i += 1) {
      expect(ids[i]!.slice(0, 8)).not.toBe(ids[i - 1]!.slice(0, 8));
    }
  });
});
