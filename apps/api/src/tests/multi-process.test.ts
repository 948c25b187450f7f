import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createAuth, createPostgresRevocationTransport, type Auth } from "@hybrid-auth/auth";
import { parseSetCookie } from "@hybrid-auth/auth/testing";
import { createTestDatabase, type TestDatabase } from "@hybrid-auth/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// Not exported by @hybrid-auth/db/testing (yet): the one place tests read which server to use.
import { testDatabaseUrl } from "../../../../packages/db/src/testing/env.js";
import { STRONG_PASSWORD, TEST_SECRET, uniqueEmail } from "../testing/test-app.js";
import { freePort } from "../testing/free-port.js";
import { migrateApp } from "../db/migrate.js";

/**
 * Real processes on real PostgreSQL: three API servers (the third one a node:cluster of two
 * workers) over one database. Revocations must reach every process within a second, while
 * the hot path stays free of database queries; and again after the LISTEN connections die.
 */

const serverUrl = testDatabaseUrl();
const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const REVOCATIONS = 25;
const ACCESS_COOKIE = "__Host-auth_access";
const SESSION_COOKIE = "__Host-auth_session";

type Reply = { status: number; body: string; setCookies: string[] };

/** One HTTP request on a fresh connection, so that a cluster spreads them over its workers. */
function call(
  base: string,
  method: string,
  path: string,
  options: { cookie?: string; json?: unknown; localAddress?: string } = {},
): Promise<Reply> {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string> = {};
  if (options.cookie) headers.Cookie = options.cookie;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return new Promise((resolve, reject) => {
    const target = new URL(path, base);
    const { localAddress } = options;
    const req = request(target, { method, headers, agent: false, localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const setCookie = res.headers["set-cookie"] ?? [];
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          setCookies: Array.isArray(setCookie) ? setCookie : [setCookie],
        });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

type ApiProcess = {
  name: string;
  url: string;
  child: ChildProcess;
  /** Pids of the processes that serve requests (the workers, for a cluster). */
  servingPids: number[];
  output: () => string;
  stop(): Promise<void>;
};

/** The API's entry (from its sources) in its own process; resolves once every worker listens. */
async function startApi(name: string, env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const workers = Number(env.WEB_CONCURRENCY ?? "1");
  const child = spawn(
    process.execPath,
    ["--conditions=@hybrid-auth/source", "--import", "tsx", "apps/api/src/index.ts"],
    {
      cwd: repoRoot,
      // Only what the server needs: no inherited environment.
      env: {
        NODE_ENV: "production",
        AUTH_SECRET: TEST_SECRET,
        // Production needs a key of its own for second-factor secrets.
        AUTH_ENCRYPTION_KEYS: "dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyYnl0ZXM=",
        // Production needs a mail server; this test reads no mail (port 9 refuses at once).
        SMTP_URL: "smtp://127.0.0.1:9",
        DATA_DIR: mkdtempSync(join(tmpdir(), "multi-process-")),
        LOG_LEVEL: "error",
        HOST: "127.0.0.1",
        PORT: String(port),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const servingPids: number[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 45_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      for (const match of chunk.toString().matchAll(/listening on [^\n]*?(?:worker (\d+))?\)/g)) {
        servingPids.push(match[1] ? Number(match[1]) : child.pid!);
      }
      if (servingPids.length >= workers) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
  });
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    child,
    servingPids,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Both cookies, as a browser sends them, and the access cookie alone. */
function cookieHeaders(reply: Reply): { cookie: string; accessOnly: string } {
  const cookies = reply.setCookies.map(parseSetCookie);
  const pick = (name: string) => cookies.find((cookie) => cookie.name === name)?.value;
  const access = pick(ACCESS_COOKIE);
  const session = pick(SESSION_COOKIE);
  if (!access || !session) throw new Error(`no auth cookies in ${reply.setCookies.join(" | ")}`);
  const accessOnly = `${ACCESS_COOKIE}=${access}`;
  return { cookie: `${accessOnly}; ${SESSION_COOKIE}=${session}`, accessOnly };
}

let signUps = 0;

/**
 * Signs a new user up. Each from its own loopback address (127.0.0.2, .3, …; Linux routes all
 * of 127/8 to lo): sign-ups are rate-limited per client address, and these are many users.
 */
async function register(server: ApiProcess) {
  signUps += 1;
  const reply = await call(server.url, "POST", "/api/auth/register", {
    json: { email: uniqueEmail("multi"), password: STRONG_PASSWORD },
    localAddress: `127.0.${Math.floor(signUps / 250)}.${2 + (signUps % 250)}`,
  });
  expect(reply.status, reply.body).toBe(201);
  const { user } = JSON.parse(reply.body) as { user: { id: string } };
  return { userId: user.id, ...cookieHeaders(reply) };
}

/**
 * Polls `path` (`GET /api/auth/session` by default) until `refused` holds for `streak` replies in a row (a cluster of two workers
 * answers alternately: a streak of three covers both); returns the milliseconds from `since`
 * to the first reply of that streak, and how many replies it took.
 */
async function pollUntil(
  server: ApiProcess,
  cookie: string,
  refused: (reply: Reply) => boolean,
  since: number,
  { streak = 1, timeoutMs = 5000 } = {},
  path = "/api/auth/session",
): Promise<{ delayMs: number; requests: number }> {
  let run = 0;
  let firstOfRun = 0;
  for (let requests = 1; ; requests += 1) {
    const reply = await call(server.url, "GET", path, { cookie });
    const now = performance.now();
    if (refused(reply)) {
      if (run === 0) firstOfRun = now;
      run += 1;
      if (run >= streak) return { delayMs: firstOfRun - since, requests };
    } else {
      expect(reply.status, `${server.name}: ${reply.body}\n${server.output().slice(-3000)}`).toBe(
        200,
      );
      run = 0;
    }
    if (now - since > timeoutMs)
      throw new Error(`${server.name} still accepts after ${timeoutMs} ms`);
  }
}

const unauthorized = (reply: Reply) => reply.status === 401;
const streakFor = (server: ApiProcess) => (server.servingPids.length > 1 ? 3 : 1);

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
    for (const server of [b, c]) {
      const reply = await call(server.url, "GET", users, { cookie: manager.cookie });
      expect(reply.status, `${server.name}: ${reply.body}`).toBe(200);
    }
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
