import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import type { Db, Tx } from "../db.js";
import { quoteIdentifier, tableNamer } from "../schema/table-names.js";

/**
 * One schema change of the core or of a plugin: plain SQL statements, run in order. `t`
 * turns a base table (or index) name into the host's quoted, prefixed name.
 *
 * @example
 * const migration: AuthMigration = {
 *   id: "0001_notes",
 *   statements: (t) => [`create table ${t("notes")} ("id" uuid primary key)`],
 * };
 */
export type AuthMigration = {
  /** Unique within its owner, sortable: `0001_create_notes`. Never reused, never edited. */
  id: string;
  statements: (t: (base: string) => string) => readonly string[];
};

/** The migrations of one owner (`core` or a plugin id) and the tables they must produce. */
export type MigrationSet = {
  owner: string;
  migrations: readonly AuthMigration[];
  /** Checked after migrating: each must exist with every column drizzle expects. */
  tables: readonly PgTable[];
};

/** A migration could not be applied; nothing of this run was kept. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

/** What a run of {@link applyMigrations} did. */
export type MigrationReport = { applied: string[] };

const checksum = (statements: readonly string[]) =>
  createHash("sha256").update(statements.join("\n;\n")).digest("hex");

/** postgres.js answers an array of rows, PGlite `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * Applies the pending migrations of every set in one transaction, under a transaction-level
 * advisory lock (concurrent starts wait for each other), recording each in
 * `<prefix>auth_migrations`. Idempotent; a failure rolls everything of this run back.
 */
export async function applyMigrations(
  db: Db,
  options: { tablePrefix: string; sets: readonly MigrationSet[] },
): Promise<MigrationReport> {
  const name = tableNamer(options.tablePrefix);
  const t = (base: string) => quoteIdentifier(name(base));
  const journal = t("auth_migrations");
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`hybrid-auth-migrations:${options.tablePrefix}`}))`,
    );
    await tx.execute(
      sql.raw(`create table if not exists ${journal} (
        "id" text primary key not null,
        "checksum" text not null,
        "applied_at" timestamp with time zone default now() not null
      )`),
    );
    const done = new Map(
      rowsOf<{ id: string; checksum: string }>(
        await tx.execute(sql.raw(`select "id", "checksum" from ${journal}`)),
      ).map((row) => [row.id, row.checksum]),
    );
    const applied: string[] = [];
    for (const set of options.sets) {
      for (const migration of set.migrations) {
        const id = `${set.owner}/${migration.id}`;
        const statements = migration.statements(t);
        const sum = checksum(statements);
        const recorded = done.get(id);
        if (recorded !== undefined) {
          if (recorded !== sum) {
            throw new MigrationError(
              `Migration ${id} was changed after it was applied; add a new migration instead.`,
            );
          }
          continue;
        }
        await runStatements(tx, id, statements);
        await tx.execute(
          sql`insert into ${sql.raw(journal)} ("id", "checksum") values (${id}, ${sum})`,
        );
        applied.push(id);
      }
      for (const table of set.tables) await verifyTable(tx, table);
    }
    return { applied };
  });
}

async function runStatements(tx: Tx, id: string, statements: readonly string[]) {
  for (const [index, statement] of statements.entries()) {
    try {
      await tx.execute(sql.raw(statement));
    } catch (error) {
      // drizzle wraps the driver's error (and quotes the whole query): report PostgreSQL's own.
      const root = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const reason = root instanceof Error ? root.message : String(root);
      throw new MigrationError(
        `Migration ${id} failed at statement ${index + 1} (${reason}). Nothing was changed. ` +
          "If a table of that name belongs to your application, set the `tablePrefix` option.",
        { cause: error },
      );
    }
  }
}

/** A table of that name that lacks our columns is someone else's: refuse to share it. */
async function verifyTable(tx: Tx, table: PgTable) {
  const config = getTableConfig(table);
  const rows = rowsOf<{ column_name: string }>(
    await tx.execute(
      sql`select column_name from information_schema.columns
          where table_schema = current_schema() and table_name = ${config.name}`,
    ),
  );
  const present = new Set(rows.map((row) => row.column_name));
  const missing = config.columns.map((column) => column.name).filter((c) => !present.has(c));
  if (missing.length > 0) {
    throw new MigrationError(
      `Table "${config.name}" lacks the columns ${missing.join(", ")}: it is not this ` +
        "package's table. Nothing was changed; set the `tablePrefix` option to use other names.",
    );
  }
}
