import { openDatabase } from "@hybrid-auth/db";

/**
 * How long after its last statement an idle PostgreSQL backend reports its transaction counts
 * (PostgreSQL 15+: a backend flushes its pending statistics when it goes idle, at most once a
 * second; one that flushed less than a second ago waits PGSTAT_IDLE_INTERVAL, 10 s), plus a
 * margin. Measured here: a burst's counts appeared 10.0–10.4 s after it ended.
 */
export const PG_STAT_IDLE_FLUSH_MS = 11_000;

export type TransactionCounter = {
  /** `xact_commit + xact_rollback` of each database, by URL, as the statistics show it now. */
  read(databaseUrls: readonly string[]): Promise<number[]>;
  close(): Promise<void>;
};

/**
 * Reads the transaction counters of `pg_stat_database` through a connection to `serverUrl`'s
 * own database, so the reads are not counted in the databases they read about.
 *
 * @example
 * const counter = await transactionCounter("postgres://postgres@127.0.0.1:5432/postgres");
 * const [before] = await counter.read([scratch.url]);
 */
export async function transactionCounter(serverUrl: string): Promise<TransactionCounter> {
  const connection = await openDatabase({ url: serverUrl, maxConnections: 1 });
  const sql = connection.postgres!;
  return {
    read: async (databaseUrls) => {
      // Each statement is its own transaction: a fresh snapshot of the statistics.
      await sql.unsafe("select pg_stat_clear_snapshot()");
      const names = databaseUrls.map((url) => decodeURIComponent(new URL(url).pathname.slice(1)));
      const rows = await sql.unsafe<{ datname: string; count: string }[]>(
        "select datname, (xact_commit + xact_rollback)::text as count from pg_stat_database where datname = any($1)",
        [names],
      );
      return names.map((name) => {
        const row = rows.find((r) => r.datname === name);
        if (!row) throw new Error(`no statistics for database ${name}`);
        return Number(row.count);
      });
    },
    close: () => connection.close(),
  };
}
