import { mkdirSync } from "node:fs";
import { lockDataDir } from "./data-dir-lock.js";
import { PGlite } from "@electric-sql/pglite";
import type { Logger } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { preparingClient } from "./prepared-statements.js";

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
  /**
   * Named prepared statements (default `true`; drizzle's queries too, see
   * {@link preparingClient}: one round trip each instead of two). `false` behind a pooler in
   * transaction mode that does not track them (PgBouncer before 1.21): the next statement of
   * a client may run on another server connection, which never saw the statement prepared.
   */
  prepare?: boolean | undefined;
  /**
   * `postgres://…` of a direct connection (no pooler in between) for `LISTEN`, which needs a
   * session of its own; unset: `LISTEN` uses `url`. See {@link Database.listener}.
   */
  listenUrl?: string | undefined;
};

export type Database = {
  readonly db: Db;
  readonly kind: "pglite" | "postgres";
  /** The postgres.js client when `kind` is "postgres" (queries, transactions, NOTIFY). */
  readonly postgres: postgres.Sql | undefined;
  /**
   * The client to `LISTEN` on when `kind` is "postgres": one on `listenUrl` when set (a
   * direct connection past a transaction-mode pooler), else `postgres` itself.
   */
  readonly listener: postgres.Sql | undefined;
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

/** postgres.js options every client shares. */
const CLIENT_OPTIONS = {
  onnotice: () => {},
  // A host that does not answer fails the request after 5 s instead of hanging it.
  connect_timeout: 5,
  backoff: reconnectBackoffSeconds,
} satisfies postgres.Options<Record<string, never>>;

/**
 * Opens embedded PGlite (no `url`) or real PostgreSQL (`url` set) behind one drizzle API.
 * Behind PgBouncer in transaction mode: `prepare: false`, and `listenUrl` a direct connection.
 *
 * @example
 * const database = await openDatabase({
 *   url: "postgres://app@pgbouncer:6432/app",
 *   prepare: false,
 *   listenUrl: "postgres://app@db:5432/app",
 * });
 */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const logger = queryLogger(options.onQuery);
  if (options.url) {
    const client = postgres(options.url, {
      ...CLIENT_OPTIONS,
      max: options.maxConnections ?? 10,
      prepare: options.prepare ?? true,
    });
    // postgres.js opens the LISTEN connection on first `listen` only: nothing until then.
    const listener = options.listenUrl
      ? postgres(options.listenUrl, { ...CLIENT_OPTIONS, max: 1 })
      : client;
    const db = drizzlePostgres(preparingClient(client), { logger }) as unknown as Db;
    return {
      db,
      kind: "postgres",
      postgres: client,
      listener,
      pglite: undefined,
      ping: async () => {
        await client`select 1`;
      },
      close: async () => {
        await Promise.all([
          client.end({ timeout: 5 }),
          listener === client ? undefined : listener.end({ timeout: 5 }),
        ]);
      },
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
    listener: undefined,
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
