import { APPLICATION_ACTOR } from "../account.js";
import { count, eq } from "drizzle-orm";
import { bigserial, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { AuthEnv } from "../authenticator.js";
import type { CoreTables } from "../schema/core-tables.js";
import type { TableNamer } from "../schema/table-names.js";
import { createTestHost, STRONG_PASSWORD, uniqueEmail, type TestHost } from "../tests/test-host.js";
import type { AuthHookEvents, AuthHookName } from "./hooks.js";
import { definePlugin } from "./plugin.js";
import { securityEvents } from "./security-events/index.js";

function notesTable(name: TableNamer, core: CoreTables) {
  return pgTable(name("notes"), {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => core.users.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
  });
}

const seen: { name: AuthHookName; event: AuthHookEvents[AuthHookName] }[] = [];
const FAILING_EMAIL = "hook-fails@example.test";

/** A plugin with everything: a table and its migration, routes, hooks and claims. */
const notes = definePlugin({
  id: "notes",
  tables: (name, core) => ({ notes: notesTable(name, core) }),
  migrations: [
    {
      id: "0001_notes",
      statements: (t) => [
        `create table ${t("notes")} (
          "id" bigserial primary key,
          "user_id" uuid not null references ${t("users")} ("id") on delete cascade,
          "text" text not null
        )`,
      ],
    },
  ],
  setup: ({ db, tableName, tables, requireAuth }) => {
    const table = notesTable(tableName, tables);
    const record =
      <Name extends AuthHookName>(name: Name) =>
      (event: AuthHookEvents[Name]) =>
        void seen.push({ name, event });
    return {
      routes: new Hono<AuthEnv>().get("/notes", requireAuth, async (c) => {
        const { userId, claims } = c.get("auth");
        const rows = await db.select().from(table).where(eq(table.userId, userId));
        return c.json({ notes: rows.map((row) => row.text), plan: claims?.["plan"] });
      }),
      hooks: {
        async signedUp(event, tx) {
          record("signedUp")(event);
          await tx.insert(table).values({ userId: event.userId, text: "welcome" });
          const [user] = await tx
            .select()
            .from(tables.users)
            .where(eq(tables.users.id, event.userId));
          if (user?.email === FAILING_EMAIL) throw new Error("the plugin refuses this sign-up");
        },
        signedIn: record("signedIn"),
        signInFailed: record("signInFailed"),
        sessionsRevoked: record("sessionsRevoked"),
        passwordChanged: record("passwordChanged"),
        userUpdated: record("userUpdated"),
        userDeleted: record("userDeleted"),
      },
      claims: ({ fields }) => ({
        plan: typeof fields["plan"] === "string" ? fields["plan"] : "free",
      }),
    };
  },
});

let t: TestHost;
beforeAll(async () => {
  t = await createTestHost({
    plugins: [securityEvents(), notes],
    userFields: {
      plan: { schema: z.enum(["free", "pro"]) },
      company: { schema: z.string().trim().min(1).max(50), required: true },
      referrer: { schema: z.string().max(100), public: false },
    },
  });
});
afterAll(() => t.dispose());

const eventsNamed = <Name extends AuthHookName>(name: Name) =>
  seen.filter((entry) => entry.name === name).map((entry) => entry.event as AuthHookEvents[Name]);

async function register(body: Record<string, unknown>) {
  const client = t.client();
  const response = await client.post("/api/auth/register", {
    email: uniqueEmail(),
    password: STRONG_PASSWORD,
    company: "Acme",
    ...body,
  });
  return { client, response };
}

describe("plugin routes, tables and hooks", () => {
  it("mounts the plugin's routes behind the auth middleware", async () => {
    expect((await t.client().get("/api/auth/notes")).status).toBe(401);
    const { client, response } = await register({});
    expect(response.status).toBe(201);
    const notesResponse = await client.get("/api/auth/notes");
    expect(notesResponse.status).toBe(200);
    expect(await notesResponse.json()).toEqual({ notes: ["welcome"], plan: "free" });
  });

  it("a hook that throws undoes the whole sign-up: no user, no session, no rows", async () => {
    const users = async () =>
      (await t.database.db.select({ n: count() }).from(t.auth.internals.tables.users))[0]!.n;
    const before = await users();
    // The test host rethrows what would be a logged 500.
    const failed = t.client().post("/api/auth/register", {
      email: FAILING_EMAIL,
      password: STRONG_PASSWORD,
      company: "Acme",
    });
    await expect(failed).rejects.toThrow("the plugin refuses this sign-up");
    expect(await users()).toBe(before);
  });

  it("tells the hooks about sign-ins, failures, revocations, password changes and deletions", async () => {
    const { client, response } = await register({});
    const { user } = (await response.json()) as { user: { id: string; email: string } };
    const other = t.client();
    expect(
      (await other.post("/api/auth/login", { email: user.email, password: STRONG_PASSWORD }))
        .status,
    ).toBe(200);
    expect(eventsNamed("signedIn").at(-1)).toMatchObject({ userId: user.id });
    await t
      .client()
      .post("/api/auth/login", { email: "nobody@example.test", password: "wrong-password-1" });
    expect(eventsNamed("signInFailed").at(-1)).toMatchObject({
      userId: null,
      reason: "invalid_credentials",
    });

    const newPassword = "amber-lantern-orchard-57";
    expect(
      (await client.post("/api/auth/password", { currentPassword: STRONG_PASSWORD, newPassword }))
        .status,
    ).toBe(204);
    expect(eventsNamed("passwordChanged").at(-1)).toMatchObject({ userId: user.id });
    const revokedByChange = eventsNamed("sessionsRevoked").at(-1)!;
    expect(revokedByChange).toMatchObject({ userId: user.id, reason: "password_changed" });
    expect(revokedByChange.sessionIds).toHaveLength(1);

    expect((await client.post("/api/auth/logout-all")).status).toBe(204);
    expect(eventsNamed("sessionsRevoked").at(-1)).toMatchObject({
      reason: "signed_out_everywhere",
    });

    expect(await t.auth.admin.setRole(user.id, "manager")).toBe(true);
    expect(eventsNamed("userUpdated").at(-1)).toEqual({
      userId: user.id,
      change: { role: "manager" },
      before: { role: "user", disabled: false },
      actor: APPLICATION_ACTOR,
    });
    // Setting the role it already has changes nothing and tells no one.
    const told = eventsNamed("userUpdated").length;
    expect(await t.auth.admin.setRole(user.id, "manager")).toBe(true);
    expect(eventsNamed("userUpdated")).toHaveLength(told);
    expect(await t.auth.admin.deleteUser(user.id)).toBe(true);
    expect(eventsNamed("userDeleted").at(-1)).toEqual({
      userId: user.id,
      actor: APPLICATION_ACTOR,
    });
    expect(await t.auth.admin.deleteUser(user.id)).toBe(false);
    expect(await t.auth.admin.setRole("not-a-uuid", "admin")).toBe(false);
  });
});

describe("claims from plugins", () => {
  it("are in the access token, in GET /session, and survive a silent reissue", async () => {
    const { client } = await register({ plan: "pro" });
    const session = (await (await client.get("/api/auth/session")).json()) as {
      session: { claims?: Record<string, unknown> };
    };
    expect(session.session.claims).toEqual({ plan: "pro" });
    t.clock.advanceSeconds(601);
    const reissued = await client.get("/api/auth/notes");
    expect(reissued.headers.get("set-cookie")).toContain("auth_access=");
    expect(await reissued.json()).toMatchObject({ plan: "pro" });
  });
});

describe("extra user fields", () => {
  it("are validated, stored, and shown unless private", async () => {
    const { client, response } = await register({ plan: "pro", referrer: "a friend" });
    const body = (await response.json()) as { user: Record<string, unknown> };
    expect(body.user).toMatchObject({ plan: "pro", company: "Acme" });
    expect(body.user).not.toHaveProperty("referrer");
    const me = (await (await client.get("/api/auth/me")).json()) as {
      user: Record<string, unknown>;
    };
    expect(me.user).toMatchObject({ plan: "pro", company: "Acme" });
    expect(me.user).not.toHaveProperty("referrer");
  });

  it("answer 422 naming the field when invalid or missing, and still refuse unknown fields", async () => {
    const invalid = await register({ plan: "enterprise" });
    expect(invalid.response.status).toBe(422);
    expect(await invalid.response.json()).toMatchObject({ errors: [{ pointer: "/plan" }] });
    const missing = await register({ company: undefined });
    expect(missing.response.status).toBe(422);
    expect(await missing.response.json()).toMatchObject({
      errors: [{ pointer: "/company", detail: "is required" }],
    });
    const unknown = await register({ role: "admin" });
    expect(unknown.response.status).toBe(422);
    expect(await unknown.response.json()).toMatchObject({
      errors: [{ pointer: "/role", detail: "is not an accepted field" }],
    });
  });
});

describe("plugins that fail", () => {
  it("a failing sessionsRevoked hook never blocks a sign-out: it is rolled back and reported", async () => {
    const reported: string[] = [];
    const saboteur = definePlugin({
      id: "saboteur",
      setup: () => ({
        hooks: {
          sessionsRevoked: () => {
            throw new Error("audit store down");
          },
        },
      }),
    });
    const host = await createTestHost({
      plugins: [securityEvents(), saboteur],
      onHookError: (error, hook) => reported.push(`${hook}: ${(error as Error).message}`),
    });
    try {
      const { client, email, password } = await host.signUp();
      const stolen = client.fork();
      expect((await client.post("/api/auth/logout-all")).status).toBe(204);
      expect((await stolen.get("/api/auth/session")).status).toBe(401);
      expect(reported).toEqual(["sessionsRevoked: audit store down"]);
      // The other hook's write, made in the same savepoint before the failure, is kept.
      const again = host.client();
      expect((await again.post("/api/auth/login", { email, password })).status).toBe(200);
      const { events } = (await (await again.get("/api/auth/activity")).json()) as {
        events: { type: string }[];
      };
      expect(events.map((event) => event.type)).toContain("signed_out_everywhere");
    } finally {
      await host.dispose();
    }
  });

  it("a claims provider that fails at sign-up leaves no account behind", async () => {
    let broken = true;
    const flaky = definePlugin({
      id: "flaky",
      setup: () => ({
        claims: () => {
          if (broken) throw new Error("claims source down");
          return { ok: true };
        },
      }),
    });
    const host = await createTestHost({ plugins: [flaky] });
    try {
      const email = uniqueEmail();
      const client = host.client();
      await expect(
        client.post("/api/auth/register", { email, password: STRONG_PASSWORD }),
      ).rejects.toThrow("claims source down");
      broken = false;
      const retry = await client.post("/api/auth/register", { email, password: STRONG_PASSWORD });
      expect(retry.status).toBe(201);
    } finally {
      await host.dispose();
    }
  });
});
