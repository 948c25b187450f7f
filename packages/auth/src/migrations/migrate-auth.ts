import { sql } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import type { Db } from "../db.js";
import type { AuthOptions } from "../options/auth-options.js";
import { AuthConfigError } from "../options/config-error.js";
import { validateSchemaOptions } from "../options/validate-options.js";
import type { AuthPlugin } from "../plugins/plugin.js";
import { createCoreTables } from "../schema/core-tables.js";
import { quoteIdentifier, tableNamer } from "../schema/table-names.js";
import { CORE_MIGRATIONS } from "./core-migrations.js";
import { applyMigrations, type MigrationReport, type MigrationSet } from "./migration.js";

/** The options that decide the schema: the same values `createAuth` gets. */
export type SchemaOptions = Pick<AuthOptions, "db" | "tablePrefix" | "plugins">;

/**
 * The migration sets of the core and of each plugin, with the tables each must produce.
 * Throws an `AuthConfigError` when two owners claim one table name.
 */
export function migrationSets(tablePrefix: string, plugins: readonly AuthPlugin[]): MigrationSet[] {
  const name = tableNamer(tablePrefix);
  const core = createCoreTables(tablePrefix);
  const sets: MigrationSet[] = [
    { owner: "core", migrations: CORE_MIGRATIONS, tables: Object.values(core) },
  ];
  for (const plugin of plugins) {
    const tables: PgTable[] = plugin.tables ? Object.values(plugin.tables(name, core)) : [];
    sets.push({ owner: plugin.id, migrations: plugin.migrations ?? [], tables });
  }
  const owners = new Map<string, string>([[name("auth_migrations"), "core"]]);
  for (const set of sets) {
    for (const table of set.tables) {
      const tableName = getTableConfig(table).name;
      const owner = owners.get(tableName);
      if (owner !== undefined) {
        const where = set.owner === "core" ? "tablePrefix" : `plugins.${set.owner}`;
        throw new AuthConfigError(where, `table "${tableName}" is also ${owner}'s`);
      }
      owners.set(tableName, set.owner);
    }
  }
  return sets;
}

/**
 * Creates or upgrades the package's tables (and its plugins') in the host's database: run it
 * at start-up or as a deploy step, with the options you give `createAuth`. Idempotent,
 * serialised by an advisory lock, all or nothing; no drizzle-kit step needed.
 *
 * @example
 * const options = { db, secret, plugins: [securityEvents()] };
 * await migrateAuth(options);
 * const auth = await createAuth(options);
 */
export async function migrateAuth(options: SchemaOptions): Promise<MigrationReport> {
  validateSchemaOptions(options);
  const prefix = options.tablePrefix ?? "";
  return applyMigrations(options.db, {
    tablePrefix: prefix,
    sets: migrationSets(prefix, options.plugins ?? []),
  });
}

/** The ids of the migrations not yet applied (`core/0002_user_fields`, …). */
export async function pendingMigrations(
  db: Db,
  tablePrefix: string,
  sets: readonly MigrationSet[],
): Promise<string[]> {
  const journal = quoteIdentifier(tableNamer(tablePrefix)("auth_migrations"));
  const exists: unknown = await db.execute(sql`select to_regclass(${journal}) as "table"`);
  const rows = (Array.isArray(exists) ? exists : (exists as { rows: unknown[] }).rows) as {
    table: string | null;
  }[];
  const applied = new Set<string>();
  if (rows[0]?.table) {
    const result: unknown = await db.execute(sql.raw(`select "id" from ${journal}`));
    const ids = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
      id: string;
    }[];
    for (const row of ids) applied.add(row.id);
  }
  return sets.flatMap((set) =>
    set.migrations.map((m) => `${set.owner}/${m.id}`).filter((id) => !applied.has(id)),
  );
}

/**
 * The migrations `migrateAuth` would apply, by id; empty when the schema is current. For a
 * readiness check.
 *
 * @example
 * const ready = (await pendingAuthMigrations(options)).length === 0;
 */
export async function pendingAuthMigrations(options: SchemaOptions): Promise<string[]> {
  validateSchemaOptions(options);
  const prefix = options.tablePrefix ?? "";
  return pendingMigrations(options.db, prefix, migrationSets(prefix, options.plugins ?? []));
}
