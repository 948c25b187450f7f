/**
 * PostgreSQL connections: every API process may open a pool of 10 plus its LISTEN connection,
 * so 8 processes under load want 88 of a default server's 100 (3 of them reserved for
 * superusers). Other users of the same server (other benches, test runs) can push a burst into
 * "too many clients"; the bench says so before it starts rather than failing half-way.
 */
import { openDatabase } from "@hybrid-auth/db";

/** Per API process: the pool (postgres.js default used by @hybrid-auth/db) and LISTEN. */
export const CONNECTIONS_PER_PROCESS = 11;

export type ConnectionBudget = { max: number; inUse: number; free: number; wanted: number };

/**
 * Reads the server's connection limit and use, against what `processes` API processes want.
 *
 * @example
 * const budget = await connectionBudget(serverUrl, 8);
 * if (budget.free < budget.wanted) console.warn("…");
 */
export async function connectionBudget(
  serverUrl: string,
  processes: number,
): Promise<ConnectionBudget> {
  const database = await openDatabase({ url: serverUrl, maxConnections: 1 });
  try {
    const [row] = await database.postgres!<{ max: number; reserved: number; used: number }[]>`
      select current_setting('max_connections')::int as max,
             current_setting('superuser_reserved_connections')::int as reserved,
             (select count(*)::int from pg_stat_activity where backend_type = 'client backend') as used`;
    const max = row!.max - row!.reserved;
    // This bench itself: the session pool (4) and the burst's observer (1).
    const wanted = processes * CONNECTIONS_PER_PROCESS + 5;
    return { max, inUse: row!.used, free: max - row!.used, wanted };
  } finally {
    await database.close();
  }
}
