import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { hashSessionToken } from "../../../../packages/auth/src/tokens/session-token.js";
import { PasswordHasher } from "../../../../packages/auth/src/password/hasher.js";
import { ManualClock, TestClient } from "@hybrid-auth/auth/testing";
import { migrateDatabase } from "@hybrid-auth/db";
import { createTestDatabase, type TestDatabase } from "@hybrid-auth/db/testing";
import { createApp } from "../app.js";
import { testAuthConfig, STRONG_PASSWORD } from "../testing/test-app.js";
import { isAppMigrated, migrateApp } from "./migrate.js";

/**
 * The layout before the auth package owned its schema: one drizzle-kit folder for every
 * table (migrations 0000–0002), recorded in drizzle's default journal table.
 */
const LEGACY = {
  folder: fileURLToPath(new URL("./legacy-drizzle-0002", import.meta.url)),
  table: "__drizzle_migrations",
};

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.dispose()));
});

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

async function query<T>(database: TestDatabase, statement: ReturnType<typeof sql>) {
  return rowsOf<T>(await database.db.execute(statement));
}

/** Every row of every table, as text: what an upgrade must keep. */
async function snapshot(database: TestDatabase) {
  const tables = [
    "users",
    "sessions",
    "revocation_events",
    "security_events",
    "rate_limits",
    "todos",
  ];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    out[table] = await query(
      database,
      // Columns added since (`fields`, `email_verified_at`, `actor_id`, `detail`, `auth_time`,
      // `sign_in_methods`, `revoked_reason`) are checked on their own.
      sql`select to_jsonb(t) - 'fields' - 'email_verified_at' - 'actor_id' - 'detail' - 'auth_time' - 'sign_in_methods' - 'revoked_reason' as row from ${sql.identifier(table)} t order by 1::text`,
    );
  }
  return out;
}

describe("upgrading a database made by the old single drizzle folder (migration 0002)", () => {
  it("keeps every row, adds the new columns, and the old accounts keep working", async () => {
    const database = await createTestDatabase({
      migrate: (legacy) => migrateDatabase(legacy, LEGACY),
    });
    databases.push(database);
    const now = new Date();
    const passwordHash = await new PasswordHasher().hash(STRONG_PASSWORD);
    const sessionToken = "legacy-session-token-".padEnd(43, "x");
    await database.db.execute(sql`
      insert into users (id, email, name, password_hash, role, created_at, updated_at)
      values ('00000000-0000-4000-8000-000000000001', 'old@example.test', 'Old Timer',
              ${passwordHash}, 'admin', ${now.toISOString()}, ${now.toISOString()})`);
    await database.db.execute(sql`
      insert into sessions (id, user_id, token_hash, rotated_at, created_at, last_seen_at, expires_at, user_agent, ip)
      values ('00000000-0000-4000-8000-0000000000aa', '00000000-0000-4000-8000-000000000001',
              ${hashSessionToken(sessionToken)}, ${now.toISOString()}, ${now.toISOString()},
              ${now.toISOString()}, ${new Date(now.getTime() + 86_400_000).toISOString()},
              'Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0', '192.0.2.1')`);
    await database.db.execute(sql`
      insert into revocation_events (scope, subject_id, not_before)
      values ('user', '00000000-0000-4000-8000-000000000001', ${now.toISOString()})`);
    await database.db.execute(sql`
      insert into security_events (user_id, session_id, type, ip, created_at)
      values ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000aa',
              'signed_in', '192.0.2.1', ${now.toISOString()})`);
    await database.db.execute(
      sql`insert into rate_limits (key, points) values ('auth-sign-ins:x', 3)`,
    );
    await database.db.execute(sql`
      insert into todos (user_id, title, completed, created_at, updated_at)
      values ('00000000-0000-4000-8000-000000000001', 'survive the upgrade', true,
              ${now.toISOString()}, ${now.toISOString()})`);
    const before = await snapshot(database);

    expect(await isAppMigrated(database)).toBe(false);
    await migrateApp(database);
    expect(await isAppMigrated(database)).toBe(true);
    await migrateApp(database); // idempotent

    expect(await snapshot(database)).toEqual(before);
    const [added] = await query<{ fields: unknown; email_verified_at: unknown }>(
      database,
      sql`select fields, email_verified_at from users`,
    );
    expect(added).toEqual({ fields: {}, email_verified_at: null });
    const events = await query(database, sql`select actor_id, detail from security_events`);
    expect(events).toEqual([{ actor_id: null, detail: null }]);
    // Old sessions count their creation as the last proof of identity, by password.
    const sessions = await query(
      database,
      sql`select auth_time = created_at as "fromCreation", sign_in_methods as methods, revoked_reason as "revokedReason" from sessions`,
    );
    expect(sessions).toEqual([{ fromCreation: true, methods: ["password"], revokedReason: null }]);

    // The old session cookie still signs in (silent reissue), the old password still works.
    const clock = new ManualClock(Date.now());
    const { app, auth } = await createApp({
      database,
      clock,
      config: { auth: testAuthConfig(), bodyLimitBytes: 65_536 },
      webDistDir: false,
    });
    try {
      const browser = new TestClient((request) => app.fetch(request));
      browser.cookies.set("auth_session", sessionToken);
      const todos = await browser.get("/api/todos");
      expect(todos.status).toBe(200);
      expect(await todos.json()).toMatchObject({ todos: [{ title: "survive the upgrade" }] });
      const other = new TestClient((request) => app.fetch(request));
      const login = await other.post("/api/auth/login", {
        email: "old@example.test",
        password: STRONG_PASSWORD,
      });
      expect(login.status).toBe(200);
      expect(await login.json()).toMatchObject({ user: { role: "admin", name: "Old Timer" } });
      const activity = await other.get("/api/auth/activity");
      expect((await activity.json()) as unknown).toMatchObject({
        events: [{ type: "signed_in" }, { type: "signed_in", ip: "192.0.2.1" }],
      });
    } finally {
      await auth.close();
    }
  });

  it("also upgrades a database from before session rotation (migration 0000)", async () => {
    const database = await createTestDatabase({ migrate: async () => {} });
    databases.push(database);
    const initial = await import("node:fs/promises").then((fs) =>
      fs.readFile(`${LEGACY.folder}/0000_initial.sql`, "utf8"),
    );
    for (const statement of initial.split("--> statement-breakpoint")) {
      await database.db.execute(sql.raw(statement));
    }
    const now = new Date().toISOString();
    await database.db.execute(sql`
      insert into users (id, email, password_hash, created_at, updated_at)
      values ('00000000-0000-4000-8000-000000000002', 'older@example.test', 'x', ${now}, ${now})`);
    await database.db.execute(sql`
      insert into sessions (user_id, token_hash, created_at, last_seen_at, expires_at)
      values ('00000000-0000-4000-8000-000000000002', 'h', ${now}, ${now}, ${now})`);
    await migrateApp(database);
    const [session] = await query<{ rotated_at: string; created_at: string }>(
      database,
      sql`select rotated_at::text, created_at::text from sessions`,
    );
    expect(session!.rotated_at).toBe(session!.created_at);
  });
});
