import { createTestDatabase, type TestDatabase } from "@hybrid-auth/db/testing";
import { migrateAuth, type SchemaOptions } from "../migrations/migrate-auth.js";

/**
 * A fresh database with the package's tables (and those of `schema.plugins`, under
 * `schema.tablePrefix`): in-memory PGlite, or a throwaway PostgreSQL database with
 * `TEST_DATABASE_URL`.
 */
export function createAuthTestDatabase(
  schema: Omit<SchemaOptions, "db"> = {},
  onQuery?: (sql: string) => void,
): Promise<TestDatabase> {
  return createTestDatabase({
    onQuery,
    migrate: async (database) => void (await migrateAuth({ ...schema, db: database.db })),
  });
}
