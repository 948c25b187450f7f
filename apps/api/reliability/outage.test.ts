import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  listAllTodos,
  createScratchDatabase,
  postgresControl,
  postgresUrl,
  query,
  sleep,
  startServer,
  UNTHROTTLED,
  type Reply,
  type RunningServer,
  type ScratchDatabase,
} from "./helpers.js";

/**
 * PostgreSQL stopped for a few seconds under traffic (`pg_ctlcluster … stop -m fast`, then
 * start): the hot path keeps answering 200, database routes answer 503 problem+json with
 * Retry-After within 5 s instead of hanging, everything recovers by itself within 5 s of the
 * database's return (the LISTEN connection included), and no acknowledged write is lost.
 * PostgreSQL is always started again, in a `finally`, whatever happens.
 */
const OUTAGE_MS = 4000;
const AFTER_MS = 7000;
const USERS = 6;

let database: ScratchDatabase;
let server: RunningServer;
const control = postgresControl(postgresUrl());

beforeAll(async () => {
  database = await createScratchDatabase(postgresUrl(), "reliability_outage");
  server = await startServer({ ...UNTHROTTLED, DATABASE_URL: database.url });
});

afterAll(async () => {
  control.ensureStarted();
  await server?.stop();
  await database?.drop();
});

type Sample = Reply & { kind: "hot" | "reissue" | "list" | "create"; title?: string };

async function listenerCount(): Promise<number> {
  const rows = await query<{ n: number }>(
    postgresUrl(),
    `select count(*)::int as n from pg_stat_activity
      where datname = '${new URL(database.url).pathname.slice(1)}' and query ilike 'listen%'`,
  );
  return rows[0]?.n ?? 0;
}

describe("PostgreSQL stopped for a few seconds under traffic", () => {
  it("keeps the hot path up, answers 503 fast, recovers within 5 s, loses nothing", async () => {
    const clients: Client[] = [];
    for (let i = 0; i < USERS; i += 1) {
      const client = new Client(server.url);
      await client.signUp(`outage-${i}-${Date.now()}@example.test`);
      clients.push(client);
    }
    expect(await listenerCount()).toBe(1);

    const samples: Sample[] = [];
    const acknowledged = new Set<string>();
    let running = true;
    let serial = 0;
    const loop = async (kind: Sample["kind"], client: Client) => {
      const session = `__Host-auth_session=${client.cookie("__Host-auth_session")}`;
      while (running) {
        let reply: Reply;
        let title: string | undefined;
        try {
          if (kind === "hot") {
            // Fixed cookies (not following Set-Cookie): the same valid access token throughout.
            reply = await client.request("GET", "/api/auth/session", {
              cookie: client.cookieHeader,
            });
          } else if (kind === "reissue") {
            reply = await client.request("GET", "/api/auth/session", { cookie: session });
          } else if (kind === "list") {
            reply = await client.request("GET", "/api/todos", { cookie: client.cookieHeader });
          } else {
            title = `outage write ${(serial += 1)}`;
            reply = await client.request("POST", "/api/todos", {
              json: { title },
              cookie: client.cookieHeader,
            });
            if (reply.status === 201) acknowledged.add(title);
          }
        } catch (error) {
          reply = {
            status: 0,
            contentType: null,
            retryAfter: null,
            body: String(error),
            ms: 15_000,
            at: performance.now(),
          };
        }
        samples.push({ ...reply, kind, ...(title ? { title } : {}) });
        await sleep(20);
      }
    };
    const loops = clients.flatMap((client) =>
      (["hot", "reissue", "list", "create"] as const).map((kind) => loop(kind, client)),
    );

    let stoppedAt = 0;
    let startedAt = 0;
    let listenerBackMs: number | undefined;
    try {
      await sleep(1500);
      await control.stop();
      stoppedAt = performance.now();
      await sleep(OUTAGE_MS);
    } finally {
      try {
        await control.start();
      } finally {
        startedAt = performance.now();
        control.ensureStarted();
      }
    }
    try {
      while (performance.now() - startedAt < AFTER_MS) {
        if (listenerBackMs === undefined && (await listenerCount().catch(() => 0)) === 1) {
          listenerBackMs = performance.now() - startedAt;
        }
        await sleep(100);
      }
    } finally {
      running = false;
      await Promise.all(loops);
    }

    const during = samples.filter((s) => s.at > stoppedAt && s.at - s.ms < startedAt);
    const databaseRoutes = samples.filter((s) => s.kind !== "hot");
    const failures = databaseRoutes.filter((s) => s.status < 200 || s.status >= 300);
    const lastFailure = Math.max(startedAt, ...failures.map((s) => s.at));
    const recoveryMs = lastFailure - startedAt;
    const hot = samples.filter((s) => s.kind === "hot");
    const byKind = (kind: Sample["kind"]) => {
      const mine = during.filter((s) => s.kind === kind);
      const statuses = new Map<number, number>();
      for (const s of mine) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
      return `${kind} ${JSON.stringify(Object.fromEntries(statuses))} max ${Math.max(0, ...mine.map((s) => s.ms)).toFixed(0)} ms`;
    };
    console.log(
      `outage: ${samples.length} requests; during the ${OUTAGE_MS} ms outage: ` +
        (["hot", "reissue", "list", "create"] as const).map(byKind).join("; ") +
        `; database routes all 2xx again ${recoveryMs.toFixed(0)} ms after PostgreSQL was started; ` +
        `LISTEN connection back after ${listenerBackMs?.toFixed(0)} ms; ${acknowledged.size} writes acknowledged`,
    );

    // The hot path needs no database: 200 before, during and after.
    expect(hot.filter((s) => s.status !== 200)).toEqual([]);
    // Database routes: 2xx or an honest 503 problem+json with Retry-After, never a hang.
    for (const s of databaseRoutes) {
      expect(s.ms).toBeLessThan(5000);
      if (s.status >= 200 && s.status < 300) continue;
      expect({ kind: s.kind, status: s.status, body: s.body }).toMatchObject({ status: 503 });
      expect(s.contentType).toBe("application/problem+json");
      expect(Number(s.retryAfter)).toBeGreaterThan(0);
    }
    // The outage was real: every kind of database route saw 503s during it.
    for (const kind of ["reissue", "list", "create"] as const) {
      expect(during.some((s) => s.kind === kind && s.status === 503)).toBe(true);
    }
    // Recovery by itself within 5 s of the database's return, the LISTEN connection included.
    expect(recoveryMs).toBeLessThan(5000);
    expect(listenerBackMs).toBeDefined();
    expect(listenerBackMs!).toBeLessThan(5000);
    // No acknowledged write lost.
    const stored = new Set<string>();
    for (const client of clients) {
      const reply = await listAllTodos(client, { cookie: client.cookieHeader });
      expect(reply.status).toBe(200);
      for (const todo of reply.todos) stored.add(todo.title);
    }
    expect([...acknowledged].filter((title) => !stored.has(title))).toEqual([]);
  });
});
