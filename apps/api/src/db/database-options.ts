import type { DatabaseOptions } from "@hybrid-auth/db";
import type { Config } from "../config.js";

/**
 * How the app opens its database: PostgreSQL at DATABASE_URL — without named prepared
 * statements behind a transaction-mode pooler, with LISTEN on DATABASE_LISTEN_URL when set —
 * or embedded PGlite in DATA_DIR.
 *
 * @example
 * const database = await openDatabase(databaseOptions(config, { maxConnections: 2 }));
 */
export function databaseOptions(
  config: Pick<Config, "databaseUrl" | "databaseListenUrl" | "databasePooler" | "dataDir">,
  { maxConnections }: { maxConnections?: number } = {},
): DatabaseOptions {
  if (!config.databaseUrl) return { dataDir: `${config.dataDir}/pglite` };
  return {
    url: config.databaseUrl,
    listenUrl: config.databaseListenUrl,
    prepare: config.databasePooler !== "transaction",
    maxConnections,
  };
}

/**
 * What the app says when the revocation transport's start-up check fails: which variables
 * fix it.
 */
export const LISTEN_HINT =
  "When DATABASE_URL goes through a pooler in transaction mode (PgBouncer pool_mode = transaction), set DATABASE_POOLER=transaction " +
  "and DATABASE_LISTEN_URL to a direct connection to the same database.";
