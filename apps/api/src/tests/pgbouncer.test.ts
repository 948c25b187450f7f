import { performance } from "node:perf_hooks";
import { openDatabase } from "@hybrid-auth/db";
import {
  createTestDatabase,
  pgbouncerMissing,
  startPgBouncer,
  testDatabaseUrl,
  type PgBouncer,
  type TestDatabase,
} from "@hybrid-auth/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppMigrated } from "../db/migrate.js";
import {
  call,
  pollUntil,
  register,
  startApi,
  unauthorized,
  type ApiProcess,
} from "../testing/api-processes.js";

/**
 * The API behind PgBouncer in transaction mode (Debian's 1.18, started by the test): two
 * processes with DATABASE_URL through the pooler — which migrates the empty database as they
 * start — and DATABASE_LISTEN_URL direct. A revocation on A reaches B; a setup that would
 * LISTEN through the pooler refuses to start instead of losing revocations.
 */

const serverUrl = testDatabaseUrl();
const missing = serverUrl ? pgbouncerMissing() : "no PostgreSQL (TEST_DATABASE_URL)";
const REVOCATIONS = 5;

describe.skipIf(missing !== undefined)("API processes behind PgBouncer (transaction mode)", () => {
  let pooler: PgBouncer;
  /** An empty database, direct: what the pooler must not hide is checked through it. */
  let database: TestDatabase;
  let directUrl: string;
  let pooledUrl: string;
  let a: ApiProcess, b: ApiProcess;
  const started: ApiProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: async () => {} });
    directUrl = database.url!;
    pooler = await startPgBouncer({ serverUrl: serverUrl! });
    pooledUrl = pooler.urlFor(directUrl);
    const env = {
      DATABASE_URL: pooledUrl,
      DATABASE_POOLER: "transaction",
      DATABASE_LISTEN_URL: directUrl,
    };
    // Both migrate the empty database at start, through the pooler, at the same time.
    const results = await Promise.allSettled([startApi("A", env), startApi("B", env)]);
    for (const result of results) if (result.status === "fulfilled") started.push(result.value);
    const failure = results.find((result) => result.status === "rejected");
    if (failure) throw new Error(`${String(failure.reason)}\n${pooler.log().slice(-3000)}`);
    [a, b] = started as [ApiProcess, ApiProcess];
  }, 90_000);

  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop()));
    await pooler?.stop();
    await database?.dispose();
  }, 30_000);

  it("is a pooler in transaction mode: more clients at once than server connections", async () => {
    const config = await pooler.show("config");
    expect(config.find((row) => row.key === "pool_mode")?.value).toBe("transaction");
    // Each client keeps its connection to the pooler open while the next one queries: in
    // session mode the client past the pool size would wait for a server connection (and
    // fail after query_wait_timeout); in transaction mode they take turns on a few.
    const clients = pooler.poolSize + 3;
    const pooled = await openDatabase({ url: pooledUrl, prepare: false, maxConnections: clients });
    try {
      const sql = pooled.postgres!;
      const reserved = await Promise.all(Array.from({ length: clients }, () => sql.reserve()));
      const pids = new Set<number>();
      for (const client of reserved) {
        const [row] = await client<{ pid: number }[]>`select pg_backend_pid() as pid`;
        pids.add(row!.pid);
      }
      for (const client of reserved) client.release();
      expect(pids.size).toBeLessThanOrEqual(pooler.poolSize);
      expect(pids.size).toBeLessThan(clients);
    } finally {
      await pooled.close();
    }
  });

  it("migrated the database through the pooler, and left no advisory lock held", async () => {
    const pooled = await openDatabase({ url: pooledUrl, prepare: false });
    try {
      expect(await isAppMigrated(pooled)).toBe(true);
    } finally {
      await pooled.close();
    }
    const locks = await database.postgres!<{ held: number }[]>`
      select count(*)::int as held from pg_locks
      where locktype = 'advisory'
        and database = (select oid from pg_database where datname = current_database())`;
    expect(locks[0]!.held).toBe(0);
  });

  it("LISTENs on the direct connection, not through the pooler", async () => {
    // A and B listen on their own direct sessions, which the pooler never sees.
    const listeners = await database.postgres!<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and query ilike 'listen%'`;
    expect(listeners[0]!.n).toBe(2);
  });

  it("log-out-everywhere on A is refused on B, from the in-memory list", async () => {
    let refusedAtOnce = 0;
    for (let i = 0; i < REVOCATIONS; i += 1) {
      const { cookie, accessOnly } = await register(a);
      const before = await call(b.url, "GET", "/api/auth/session", { cookie });
      expect(before.status, before.body).toBe(200);
      const logout = await call(a.url, "POST", "/api/auth/logout-all", { cookie });
      expect(logout.status).toBe(204);
      // The access cookie alone: only the revocation list can refuse it.
      const result = await pollUntil(b, accessOnly, unauthorized, performance.now());
      if (result.requests === 1) refusedAtOnce += 1;
    }
    console.log(`through PgBouncer, refused on B's very first request: ${refusedAtOnce} of 5`);
  }, 60_000);

  it("refuses to start with DATABASE_POOLER=transaction and no DATABASE_LISTEN_URL", async () => {
    const start = startApi("no listen URL", {
      DATABASE_URL: pooledUrl,
      DATABASE_POOLER: "transaction",
    });
    await expect(start).rejects.toThrow(/exited with 1[\s\S]*DATABASE_LISTEN_URL: is not set/);
  }, 60_000);

  it("refuses to start when its LISTEN connection goes through the pooler after all", async () => {
    // The listen URL names the pooler by another spelling: config cannot tell, the check can.
    const throughPooler = new URL(pooledUrl);
    throughPooler.hostname = "localhost";
    const start = startApi("listen through the pooler", {
      DATABASE_URL: pooledUrl,
      DATABASE_POOLER: "transaction",
      DATABASE_LISTEN_URL: throughPooler.toString(),
    });
    await expect(start).rejects.toThrow(
      /exited with 1[\s\S]*did not reach the LISTEN connection[\s\S]*DATABASE_LISTEN_URL/,
    );
  }, 60_000);

  it("refuses to start when nothing says DATABASE_URL is a pooler", async () => {
    const start = startApi("pooler undeclared", { DATABASE_URL: pooledUrl });
    // The delivery check stops it — or, first, a prepared statement another server connection
    // never saw: either way it never serves.
    await expect(start).rejects.toThrow(
      /exited with 1[\s\S]*(did not reach the LISTEN connection|prepared statement)/,
    );
  }, 60_000);
});
