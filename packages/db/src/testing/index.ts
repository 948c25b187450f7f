export { runningInCi, testDatabaseUrl, testRedisUrl } from "./env.js";
export { freePort } from "./free-port.js";
export { pgbouncerMissing, startPgBouncer, type PgBouncer } from "./pgbouncer.js";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type Database } from "../database.js";
import { testDatabaseUrl } from "./env.js";

export type TestDatabase = Database & {
  /** Closes the connection and, on PostgreSQL, drops the throwaway database. */
  dispose(): Promise<void>;
  /** On PostgreSQL, the throwaway database's URL (for another process or a CLI). */
  url?: string;
};

/**
 * A fresh database, migrated by `options.migrate`, for one test file: in-memory PGlite by default, or a
 * throwaway database on the PostgreSQL server named by `TEST_DATABASE_URL` / `DATABASE_URL`.
 * Each call is isolated from every other, so test files can run in parallel.
 */
export async function createTestDatabase(options: {
  onQuery?: (sql: string) => void;
  /** Brings the fresh database to the schema the tests need (the host's migrations). */
  migrate: (database: Database) => Promise<void>;
}): Promise<TestDatabase> {
  const serverUrl = testDatabaseUrl();
  if (!serverUrl) {
    const database = await openDatabase({ onQuery: options.onQuery });
    await options.migrate(database);
    return { ...database, dispose: () => database.close() };
  }
  const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({
    url: url.toString(),
    onQuery: options.onQuery,
    maxConnections: 5,
  });
  await options.migrate(database);
  return {
    ...database,
    url: url.toString(),
    dispose: async () => {
      await database.close();
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
