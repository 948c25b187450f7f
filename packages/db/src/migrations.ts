import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { Database } from "./database.js";

/** A folder of drizzle-kit migrations and the table (in schema `drizzle`) that records them. */
export type DrizzleMigrations = { folder: string; table: string };

/** An arbitrary constant: the advisory lock that serialises migrations of concurrent starts. */
const MIGRATION_LOCK_KEY = 7_310_924_418;

/**
 * Applies every pending migration. On PostgreSQL an advisory lock makes concurrent starts of
 * several processes wait for each other instead of racing on the same DDL.
 */
export async function migrateDatabase(
  database: Database,
  migrations: DrizzleMigrations,
): Promise<void> {
  const config = { migrationsFolder: migrations.folder, migrationsTable: migrations.table };
  if (database.kind === "pglite") {
    await migratePglite(database.db as unknown as PgliteDatabase, config);
    return;
  }
  const client = database.postgres!;
  const reserved = await client.reserve();
  try {
    await reserved`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(database.db as unknown as PostgresJsDatabase, config);
  } finally {
    await reserved`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => {});
    reserved.release();
  }
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
  // PGlite answers `{ rows }`, postgres.js an array of rows.
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    created_at: string | number;
  }[];
  const applied = rows[0];
  return applied !== undefined && Number(applied.created_at) >= newest.when;
}
