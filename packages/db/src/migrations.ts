import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { Database, Db } from "./database.js";

/** A folder of drizzle-kit migrations and the table (in schema `drizzle`) that records them. */
export type DrizzleMigrations = { folder: string; table: string };

/** An arbitrary constant: the advisory lock that serialises migrations of concurrent starts. */
const MIGRATION_LOCK_KEY = 7_310_924_418;

/**
 * Applies every pending migration. On PostgreSQL concurrent starts of several processes wait
 * for each other instead of racing on the same DDL: see {@link migratePostgresLocked}.
 *
 * @example
 * await migrateDatabase(database, { folder: "./drizzle", table: "__app_migrations" });
 */
export async function migrateDatabase(
  database: Database,
  migrations: DrizzleMigrations,
): Promise<void> {
  if (database.kind === "pglite") {
    const config = { migrationsFolder: migrations.folder, migrationsTable: migrations.table };
    await migratePglite(database.db as unknown as PgliteDatabase, config);
    return;
  }
  await migratePostgresLocked(database.db, migrations);
}

/**
 * drizzle's PostgreSQL migrator — the same journal table, hashes and order — in one
 * transaction that first takes a transaction-scoped advisory lock. Not drizzle's own
 * `migrate`: it opens a transaction of its own, so a lock around it has to be session-level,
 * and through a pooler in transaction mode (PgBouncer) a session-level lock and its unlock
 * can land on different server connections, leaving the lock held for good. A transaction
 * keeps one server connection from `begin` to `commit`, and the lock ends with it.
 */
async function migratePostgresLocked(db: Db, migrations: DrizzleMigrations): Promise<void> {
  const files = readMigrationFiles({ migrationsFolder: migrations.folder });
  const table = sql`${sql.identifier("drizzle")}.${sql.identifier(migrations.table)}`;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`create schema if not exists ${sql.identifier("drizzle")}`);
    await tx.execute(
      sql`create table if not exists ${table} (id serial primary key, hash text not null, created_at bigint)`,
    );
    const result: unknown = await tx.execute(
      sql`select created_at from ${table} order by created_at desc limit 1`,
    );
    const [last] = rowsOf<{ created_at: string | number }>(result);
    for (const migration of files) {
      if (last !== undefined && Number(last.created_at) >= migration.folderMillis) continue;
      for (const statement of migration.sql) await tx.execute(sql.raw(statement));
      await tx.execute(
        sql`insert into ${table} ("hash", "created_at") values (${migration.hash}, ${migration.folderMillis})`,
      );
    }
  });
}

/** PGlite answers `{ rows }`, postgres.js an array of rows. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

type Journal = { entries: { tag: string; when: number }[] };

/** The committed migrations do not change while the process runs: read the journal once. */
const newestMigrationByFolder = new Map<string, Promise<Journal["entries"][number] | undefined>>();
function newestMigration(folder: string) {
  let newest = newestMigrationByFolder.get(folder);
  if (!newest) {
    newest = readFile(join(folder, "meta", "_journal.json"), "utf8").then((text) =>
      (JSON.parse(text) as Journal).entries.at(-1),
    );
    newestMigrationByFolder.set(folder, newest);
  }
  return newest;
}

/** True when the newest committed migration has been applied (the readiness check). */
export async function isMigrated(
  database: Database,
  migrations: DrizzleMigrations,
): Promise<boolean> {
  const newest = await newestMigration(migrations.folder);
  if (!newest) return true;
  const result: unknown = await database.db.execute(
    sql`select created_at from ${sql.identifier("drizzle")}.${sql.identifier(migrations.table)}
        order by created_at desc limit 1`,
  );
  const [applied] = rowsOf<{ created_at: string | number }>(result);
  return applied !== undefined && Number(applied.created_at) >= newest.when;
}
