import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

/** Any drizzle PostgreSQL database (PGlite, postgres.js, node-postgres…). */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Both drivers report PostgreSQL's SQLSTATE; drizzle wraps it in `cause`. */
function hasSqlState(error: unknown, sqlState: string): boolean {
  for (let current = error; current instanceof Error || isRecord(current);) {
    if (isRecord(current) && current["code"] === sqlState) return true;
    current = isRecord(current) ? current["cause"] : undefined;
  }
  return false;
}

/** A unique constraint refused the row (SQLSTATE 23505). */
export const isUniqueViolation = (error: unknown): boolean => hasSqlState(error, "23505");

/** A row referenced a key that is gone (SQLSTATE 23503): e.g. its user was just deleted. */
export const isForeignKeyViolation = (error: unknown): boolean => hasSqlState(error, "23503");

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
