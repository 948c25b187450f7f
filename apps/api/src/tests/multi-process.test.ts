import { performance } from "node:perf_hooks";
import { createAuth, createPostgresRevocationTransport, type Auth } from "@hybrid-auth/auth";
import { createTestDatabase, type TestDatabase } from "@hybrid-auth/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// Not exported by @hybrid-auth/db/testing (yet): the one place tests read which server to use.
import { testDatabaseUrl } from "../../../../packages/db/src/testing/env.js";
import { TEST_SECRET } from "../testing/test-app.js";
import {
  call,
  pollUntil,
  register,
  startApi,
  streakFor,
  unauthorized,
  type ApiProcess,
  type Reply,
} from "../testing/api-processes.js";
import { migrateApp } from "../db/migrate.js";

/**
 * Real processes on real PostgreSQL: three API servers (the third one a node:cluster of two
 * workers) over one database. Revocations must reach every process within a second, while
 * the hot path stays free of database queries; and again after the LISTEN connections die.
 */

const serverUrl = testDatabaseUrl();
const REVOCATIONS = 25;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(label: string, delays: number[]) {
  const sorted = [...delays].sort((a, b) => a - b);
  const stats = {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1)!,
  };
  console.log(
    `${label}: n=${stats.n} p50=${stats.p50.toFixed(1)} ms p99=${stats.p99.toFixed(1)} ms ` +
      `max=${stats.max.toFixed(1)} ms`,
  );
  return stats;
}

describe.skipIf(!serverUrl)("several API processes on one PostgreSQL", () => {
  let database: TestDatabase;
  let a: ApiProcess, b: ApiProcess, c: ApiProcess;
  const started: ApiProcess[] = [];
  /** This test process: a fourth party on the database, for the admin API. */
  let admin: Auth | undefined;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: migrateApp });
    const [row] = await database.postgres!<{ name: string }[]>`select current_database() as name`;
    const url = new URL(serverUrl!);
    url.pathname = `/${row!.name}`;
    const env = { DATABASE_URL: url.toString() };
    const starting = [
      startApi("A", env),
      startApi("B", env),
      startApi("C", { ...env, WEB_CONCURRENCY: "2" }),
    ];
    // Keep whatever started, so afterAll stops it even when another one failed.
    const results = await Promise.allSettled(starting);
    for (const result of results) if (result.status === "fulfilled") started.push(result.value);
    const failure = results.find((result) => result.status === "rejected");
    if (failure) throw failure.reason;
    [a, b, c] = started as [ApiProcess, ApiProcess, ApiProcess];
    admin = await createAuth({
      db: database.db,
      secret: TEST_SECRET,
      revocationTransport: createPostgresRevocationTransport(database.postgres!),
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop()));
    await admin?.close();
    await database?.dispose();
  }, 30_000);

  /** The LISTEN backends on the test database (the query column shows the last statement). */
  const listeners = async () =>
    (
      await database.postgres!`
        select pid from pg_stat_activity
        where datname = current_database() and query ilike 'listen%'`
    ).length;
  const killListeners = async () =>
    (
      await database.postgres!`
        select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and query ilike 'listen%'`
    ).length;

  it("every process listens, and a cluster serves from two workers", async () => {
    expect(c.servingPids).toHaveLength(2);
    // A, B, C's two workers, and this test process.
    expect(await listeners()).toBe(5);
  });

  it("cookies from A work on B and C, and log-out-everywhere reaches both within a second", async () => {
    const delays: number[] = [];
    let refusedAtOnce = 0;
    for (let i = 0; i < REVOCATIONS; i += 1) {
      const { cookie, accessOnly } = await register(a);
      for (const server of [b, c]) {
        const reply = await call(server.url, "GET", "/api/auth/session", { cookie });
        expect(reply.status, `${server.name}: ${reply.body}`).toBe(200);
      }
      const logout = await call(a.url, "POST", "/api/auth/logout-all", { cookie });
      const since = performance.now();
      expect(logout.status).toBe(204);
      // The access cookie alone: the refusal must come from the in-memory revocation list
      // (no session cookie to fall back on, so no database lookup could produce the 401).
      await Promise.all(
        [b, c].map(async (server) => {
          const streak = streakFor(server);
          const result = await pollUntil(server, accessOnly, unauthorized, since, { streak });
          delays.push(result.delayMs);
          if (result.requests === streak) refusedAtOnce += 1;
        }),
      );
    }
    const stats = summary(`log-out-everywhere, A → B and C (${REVOCATIONS} revocations)`, delays);
    console.log(`refused on the very first request: ${refusedAtOnce} of ${delays.length}`);
    expect(stats.max).toBeLessThan(1000);
  }, 60_000);

  it("a role change made by another process gives fresh claims on B and C", async () => {
    const { userId, cookie } = await register(a);
    const roleOf = (reply: Reply) =>
      reply.status === 200
        ? (JSON.parse(reply.body) as { session: { role: string } }).session.role
        : "";
    for (const server of [b, c]) {
      expect(roleOf(await call(server.url, "GET", "/api/auth/session", { cookie }))).toBe("user");
    }
    expect(await admin!.admin.setRole(userId, "admin")).toBe(true);
    const since = performance.now();
    const results = await Promise.all(
      [b, c].map((server) =>
        pollUntil(server, cookie, (reply) => roleOf(reply) === "admin", since, {
          streak: streakFor(server),
        }),
      ),
    );
    summary(
      "role change, test process → B and C",
      results.map((result) => result.delayMs),
    );
    for (const result of results) expect(result.delayMs).toBeLessThan(1000);
  });

  it("a manager demoted through the admin console on A is refused by the admin routes on B and C at once", async () => {
    const administrator = await register(a);
    const manager = await register(a);
    expect(await admin!.admin.setRole(administrator.userId, "admin")).toBe(true);
    expect(await admin!.admin.setRole(manager.userId, "manager")).toBe(true);
    const users = "/api/admin/users?limit=1";
    // Promotions reach the processes by notification, like any role change: until then a
    // token still says "user" and the admin routes answer 403. The administrator acts on A.
    const allowed = (reply: Reply) => reply.status === 200;
    const promoted = performance.now();
    const until = { meanwhile: 403 };
    await Promise.all([
      pollUntil(a, administrator.cookie, allowed, promoted, until, users),
      ...[b, c].map((server) =>
        pollUntil(
          server,
          manager.cookie,
          allowed,
          promoted,
          { ...until, streak: streakFor(server) },
          users,
        ),
      ),
    ]);
    const demote = await call(a.url, "PATCH", `/api/admin/users/${manager.userId}`, {
      cookie: administrator.cookie,
      json: { role: "user" },
    });
    expect(demote.status, demote.body).toBe(200);
    const since = performance.now();
    const forbidden = (reply: Reply) => reply.status === 403;
    const results = await Promise.all(
      [b, c].map((server) =>
        pollUntil(server, manager.cookie, forbidden, since, { streak: streakFor(server) }, users),
      ),
    );
    summary(
      "demotion through the admin console, A → B and C",
      results.map((result) => result.delayMs),
    );
    for (const result of results) expect(result.delayMs).toBeLessThan(1000);
  });

  it("an event whose notification was missed is applied when the listeners reconnect", async () => {
    const { userId, cookie, accessOnly } = await register(a);
    // What a process that was disconnected at commit time is left with: the durable row, and
    // no notification (written here without pg_notify).
    await database.postgres!`
      insert into revocation_events (scope, subject_id, not_before)
      values ('user', ${userId}, ${new Date().toISOString()})`;
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const server of [b, c]) {
      expect((await call(server.url, "GET", "/api/auth/session", { cookie })).status).toBe(200);
    }
    expect(await killListeners()).toBe(5);
    const since = performance.now();
    const results = await Promise.all(
      [b, c].map((server) =>
        pollUntil(server, accessOnly, unauthorized, since, {
          streak: streakFor(server),
          timeoutMs: 10_000,
        }),
      ),
    );
    summary(
      "missed notification, applied by the reload after reconnect (from the kill)",
      results.map((result) => result.delayMs),
    );
    for (const result of results) expect(result.delayMs).toBeLessThan(5000);
    await expect.poll(listeners, { timeout: 5000 }).toBe(5);
  });

  it("after the LISTEN connections are killed, a revocation still reaches B and C", async () => {
    const { cookie, accessOnly } = await register(a);
    for (const server of [b, c]) {
      expect((await call(server.url, "GET", "/api/auth/session", { cookie })).status).toBe(200);
    }
    expect(await killListeners()).toBe(5);
    // Revoke at once: B and C may be between connections and miss the notification itself.
    const logout = await call(a.url, "POST", "/api/auth/logout-all", { cookie });
    const since = performance.now();
    expect(logout.status).toBe(204);
    const results = await Promise.all(
      [b, c].map((server) =>
        pollUntil(server, accessOnly, unauthorized, since, {
          streak: streakFor(server),
          timeoutMs: 10_000,
        }),
      ),
    );
    summary(
      "log-out-everywhere right after the LISTEN connections were killed",
      results.map((result) => result.delayMs),
    );
    for (const result of results) expect(result.delayMs).toBeLessThan(5000);
    await expect.poll(listeners, { timeout: 5000 }).toBe(5);
  });

  it("the cluster's primary stops its workers on SIGTERM", async () => {
    const workers = [...c.servingPids];
    await c.stop();
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(() => workers.filter(alive), { timeout: 5000 }).toEqual([]);
  });
});
