import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

/** Any drizzle PostgreSQL database (PGlite, postgres.js, node-postgres…). */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Both drivers report PostgreSQL's SQLSTATE; drizzle wraps it in `cause`. */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error; current instanceof Error || isRecord(current);) {
    if (isRecord(current) && current["code"] === "23505") return true;
    current = isRecord(current) ? current["cause"] : undefined;
  }
  return false;
}

/** A row referenced a key that is gone (SQLSTATE 23503): e.g. its user was just deleted. */
export function isForeignKeyViolation(error: unknown): boolean {
  for (let current = error; current instanceof Error || isRecord(current);) {
    if (isRecord(current) && current["code"] === "23503") return true;
    current = isRecord(current) ? current["cause"] : undefined;
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
