import { sql } from "drizzle-orm";
import { getTableConfig, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@hybrid-auth/db/testing";
import { createAuth } from "../create-auth.js";
import { AuthConfigError } from "../options/config-error.js";
import { definePlugin } from "../plugins/plugin.js";
import { securityEvents } from "../plugins/security-events/index.js";
import { createCoreTables } from "../schema/core-tables.js";
import { accountLifecycle, accountLifecycleTables } from "../plugins/account-lifecycle/index.js";
import { securityEventsTable } from "../plugins/security-events/table.js";
import { tableNamer } from "../schema/table-names.js";
import { migrateAuth, pendingAuthMigrations } from "./migrate-auth.js";
import { MigrationError } from "./migration.js";

const SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.dispose()));
});

/** A database with nothing in it: each test migrates it itself. */
async function emptyDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase({ migrate: async () => {} });
  databases.push(database);
  return database;
}

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

async function tableNames(database: TestDatabase): Promise<string[]> {
  const result = await database.db.execute(
    sql`select table_name from information_schema.tables where table_schema = current_schema()
        order by table_name`,
  );
  return rowsOf<{ table_name: string }>(result).map((row) => row.table_name);
}

async function columnsOf(database: TestDatabase, table: string) {
  const result = await database.db.execute(
    sql`select column_name, is_nullable from information_schema.columns
        where table_schema = current_schema() and table_name = ${table} order by column_name`,
  );
  return rowsOf<{ column_name: string; is_nullable: string }>(result).map(
    (row) => `${row.column_name}${row.is_nullable === "YES" ? "?" : ""}`,
  );
}

describe("migrateAuth", () => {
  it("creates the core's and the plugins' tables, records them, and is idempotent", async () => {
    const database = await emptyDatabase();
    const options = { db: database.db, plugins: [securityEvents()] };
    expect(await pendingAuthMigrations(options)).toEqual([
      "core/0001_core",
      "core/0002_user_fields",
      "core/0003_session_token_history",
      "core/0004_email_verified_at",
      "core/0005_authentication_strength",
      "core/0006_session_revoked_reason",
      "security-events/0001_security_events",
      "security-events/0002_security_events_created_at_idx",
      "security-events/0003_security_events_actor",
      "security-events/0004_security_events_detail",
    ]);
    const first = await migrateAuth(options);
    expect(first.applied).toHaveLength(10);
    expect(await tableNames(database)).toEqual([
      "auth_migrations",
      "pending_sign_ins",
      "rate_limits",
      "revocation_events",
      "security_events",
      "session_token_history",
      "sessions",
      "users",
    ]);
    expect((await migrateAuth(options)).applied).toEqual([]);
    expect(await pendingAuthMigrations(options)).toEqual([]);
  });

  it("creates exactly the columns (and nullability) of the drizzle tables", async () => {
    const database = await emptyDatabase();
    const lifecycle = accountLifecycle({
      mailer: { send: async () => {} },
      from: "Tidy <no-reply@tidy.example>",
      publicUrl: "https://tidy.example",
    });
    await migrateAuth({ db: database.db, plugins: [securityEvents(), lifecycle] });
    const core = createCoreTables();
    const tables = [
      ...Object.values(core),
      securityEventsTable(tableNamer(""), core),
      ...Object.values(accountLifecycleTables(tableNamer(""), core)),
    ];
    for (const table of tables) {
      const config = getTableConfig(table);
      const expected = config.columns
        .map((column) => `${column.name}${column.notNull ? "" : "?"}`)
        .sort();
      expect(await columnsOf(database, config.name), config.name).toEqual(expected);
    }
  });

  it("serialises concurrent runs: each migration applies once", async () => {
    const database = await emptyDatabase();
    const runs = await Promise.all(
      [1, 2, 3].map(() => migrateAuth({ db: database.db, plugins: [securityEvents()] })),
    );
    expect(runs.flatMap((run) => run.applied).sort()).toEqual([
      "core/0001_core",
      "core/0002_user_fields",
      "core/0003_session_token_history",
      "core/0004_email_verified_at",
      "core/0005_authentication_strength",
      "core/0006_session_revoked_reason",
      "security-events/0001_security_events",
      "security-events/0002_security_events_created_at_idx",
      "security-events/0003_security_events_actor",
      "security-events/0004_security_events_detail",
    ]);
  });

  it("a failing migration leaves the database as it was", async () => {
    const database = await emptyDatabase();
    const broken = definePlugin({
      id: "broken",
      migrations: [
        {
          id: "0001_half",
          statements: (t) => [
            `create table ${t("broken_notes")} ("id" uuid primary key)`,
            `alter table ${t("no_such_table")} add column "x" text`,
          ],
        },
      ],
    });
    const failure = await migrateAuth({ db: database.db, plugins: [broken] }).catch((e) => e);
    expect(failure).toBeInstanceOf(MigrationError);
    expect(String(failure.message)).toContain("broken/0001_half failed at statement 2");
    // Not even the core's tables, nor the journal: the run was one transaction.
    expect(await tableNames(database)).toEqual([]);
  });

  it("refuses a migration that was edited after it ran", async () => {
    const database = await emptyDatabase();
    const version = (body: string) =>
      definePlugin({
        id: "notes",
        migrations: [{ id: "0001", statements: (t) => [`create table ${t("notes")} (${body})`] }],
      });
    await migrateAuth({ db: database.db, plugins: [version(`"id" uuid primary key`)] });
    await expect(
      migrateAuth({ db: database.db, plugins: [version(`"id" text primary key`)] }),
    ).rejects.toThrow(/notes\/0001 was changed after it was applied/);
  });

  it("will not adopt a host's own `users` table, and a table prefix avoids it", async () => {
    const database = await emptyDatabase();
    await database.db.execute(sql`create table users (id serial primary key, login text)`);
    await database.db.execute(sql`insert into users (login) values ('host-user')`);
    const refused = await migrateAuth({ db: database.db }).catch((e) => e);
    expect(refused).toBeInstanceOf(MigrationError);
    expect(String(refused.message)).toMatch(/tablePrefix/);
    expect(await tableNames(database)).toEqual(["users"]);
    expect(await columnsOf(database, "users")).toEqual(["id", "login?"]);

    await migrateAuth({ db: database.db, tablePrefix: "auth_", plugins: [securityEvents()] });
    expect(await tableNames(database)).toEqual([
      "auth_auth_migrations",
      "auth_pending_sign_ins",
      "auth_rate_limits",
      "auth_revocation_events",
      "auth_security_events",
      "auth_session_token_history",
      "auth_sessions",
      "auth_users",
      "users",
    ]);
  });

  it("will not adopt a host's `users` table even with exactly our columns", async () => {
    const database = await emptyDatabase();
    await database.db.execute(sql`create table users (
      id uuid primary key, email text not null, name text, password_hash text not null,
      role text not null, disabled_at timestamptz, created_at timestamptz not null,
      updated_at timestamptz not null)`);
    const refused = await migrateAuth({ db: database.db }).catch((e) => e);
    expect(refused).toBeInstanceOf(MigrationError);
    expect(String(refused.message)).toMatch(/is not this package's.*tablePrefix/s);
    expect(await tableNames(database)).toEqual(["users"]);
  });

  it("refuses two owners of one table name, naming the option", async () => {
    const database = await emptyDatabase();
    const squatter = definePlugin({
      id: "squatter",
      tables: (name) => ({ sessions: pgTable(name("sessions"), { id: uuid("id"), x: text("x") }) }),
    });
    const error = await migrateAuth({ db: database.db, plugins: [squatter] }).catch((e) => e);
    expect(error).toBeInstanceOf(AuthConfigError);
    expect(error.option).toBe("plugins.squatter");
    await expect(
      createAuth({ db: database.db, secret: SECRET, plugins: [squatter] }),
    ).rejects.toThrow(AuthConfigError);
  });

  it("createAuth refuses a database that lacks migrations, naming migrateAuth", async () => {
    const database = await emptyDatabase();
    await migrateAuth({ db: database.db });
    await expect(
      createAuth({ db: database.db, secret: SECRET, plugins: [securityEvents()] }),
    ).rejects.toThrow(/security-events\/0001_security_events, .*: run migrateAuth/);
  });
});
