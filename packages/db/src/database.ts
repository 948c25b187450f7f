import { mkdirSync } from "node:fs";
import { lockDataDir } from "./data-dir-lock.js";
import { PGlite } from "@electric-sql/pglite";
import type { Logger } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";

/** The drizzle database every package works against, whichever driver sits below it. */
export type Db = PgDatabase<PgQueryResultHKT>;

/** A drizzle transaction handle; it has the query API of {@link Db}. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type DatabaseOptions = {
  /** `postgres://…` for real PostgreSQL; leave unset for embedded PGlite. */
  url?: string | undefined;
  /** PGlite only: the directory that keeps the data; unset keeps it in memory. */
  dataDir?: string | undefined;
  /** Called with the SQL text of every statement drizzle sends (query counting, logging). */
  onQuery?: ((sql: string) => void) | undefined;
  /** postgres.js pool size (default 10). */
  maxConnections?: number | undefined;
};

export type Database = {
  readonly db: Db;
  readonly kind: "pglite" | "postgres";
  /** The postgres.js client when `kind` is "postgres" (LISTEN/NOTIFY, advisory locks). */
  readonly postgres: postgres.Sql | undefined;
  /** The PGlite instance when `kind` is "pglite". */
  readonly pglite: PGlite | undefined;
  /** Runs a trivial query; rejects when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
};

/**
 * Seconds postgres.js waits before reconnecting a connection that closed with an error: a
 * growing delay with jitter, capped at one second. Its own default grows to 20 s, so after
 * an outage queries (and the LISTEN connection of the revocation transport) could wait that
 * long for the database that is already back; with the cap, everything recovers within
 * about a second of its return, and requests made during the outage fail fast (503).
 */
export function reconnectBackoffSeconds(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1);
}

function queryLogger(onQuery: DatabaseOptions["onQuery"]): Logger | undefined {
  return onQuery ? { logQuery: (sql) => onQuery(sql) } : undefined;
}

/** Opens embedded PGlite (no `url`) or real PostgreSQL (`url` set) behind one drizzle API. */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const logger = queryLogger(options.onQuery);
  if (options.url) {
    const client = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      // A host that does not answer fails the request after 5 s instead of hanging it.
      connect_timeout: 5,
      backoff: reconnectBackoffSeconds,
    });
    const db = drizzlePostgres(client, { logger }) as unknown as Db;
    return {
      db,
      kind: "postgres",
      postgres: client,
      pglite: undefined,
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // One process at a time: two PGlite instances over one directory would corrupt it.
  const unlock = options.dataDir ? await lockDataDir(options.dataDir) : async () => {};
  let client: PGlite;
  try {
    client = options.dataDir ? new PGlite(options.dataDir) : new PGlite();
    await client.waitReady;
  } catch (error) {
    await unlock();
    throw error;
  }
  const db = drizzlePglite(client, { logger }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    postgres: undefined,
    pglite: client,
    ping: async () => {
      await client.query("select 1");
    },
    close: async () => {
      try {
        await client.close();
      } finally {
        await unlock();
      }
    },
  };
}
