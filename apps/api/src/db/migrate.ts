import { fileURLToPath } from "node:url";
import { migrateAuth, pendingAuthMigrations } from "@hybrid-auth/auth";
import { isMigrated, migrateDatabase, type Database } from "@hybrid-auth/db";
import { APP_AUTH_PLUGINS } from "../auth-plugins.js";

/** The to-do tables' drizzle-kit migrations (`pnpm db:generate` writes them). */
export const TODO_MIGRATIONS = {
  folder: fileURLToPath(new URL("../../drizzle", import.meta.url)),
  table: "__todos_migrations",
};

/**
 * The whole schema: the auth package's tables (and its plugins') first, then the to-dos,
 * whose rows reference `users`. Both steps are idempotent and lock against concurrent starts.
 */
export async function migrateApp(database: Database): Promise<void> {
  await migrateAuth({ db: database.db, plugins: APP_AUTH_PLUGINS });
  await migrateDatabase(database, TODO_MIGRATIONS);
}

/** Whether every migration, the auth package's and the to-dos', has been applied. */
export async function isAppMigrated(database: Database): Promise<boolean> {
  const pending = await pendingAuthMigrations({ db: database.db, plugins: APP_AUTH_PLUGINS });
  return pending.length === 0 && (await isMigrated(database, TODO_MIGRATIONS));
}
