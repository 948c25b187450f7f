import { randomUUID } from "node:crypto";
import { count, eq, inArray, sql } from "drizzle-orm";
import { testDatabaseUrl } from "@hybrid-auth/db/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createAuth } from "../create-auth.js";
import type { AuthOptions } from "../options/auth-options.js";
import { AuthConfigError } from "../options/config-error.js";
import { definePlugin } from "../plugins/plugin.js";
import { securityEvents, securityEventsTable } from "../plugins/security-events/index.js";
import { tableNamer } from "../schema/table-names.js";
import { createTestHost, TEST_SECRET, type TestHost } from "../tests/test-host.js";
import { deadSessionsTask } from "./core-tasks.js";
import { deleteBatch } from "./prune.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const IDLE_MS = 7 * DAY_MS;
const GRACE_MS = DAY_MS;

let t: TestHost;
beforeAll(async () => {
  t = await createTestHost({
    plugins: [securityEvents({ activityLimit: 3, maxEventsPerAccount: 3 })],
  });
});
afterAll(() => t.dispose());

const db = () => t.database.db;

/** Another auth instance (a process) over the shared test database, with its own plugins. */
function anotherAuth(options: Pick<AuthOptions, "plugins" | "retention">) {
  return createAuth({ db: db(), secret: TEST_SECRET, clock: t.clock, ...options });
}
const tables = () => t.auth.internals.tables;
const events = () => securityEventsTable(tableNamer(""), tables());

async function insertUser(): Promise<string> {
  const now = new Date(t.clock.now());
  const [row] = await db()
    .insert(tables().users)
    .values({
      email: `${randomUUID()}@example.test`,
      passwordHash: "not-a-hash",
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: tables().users.id });
  return row!.id;
}

/** A session row whose times are given relative to the clock's now (ms ago). */
async function insertSession(
  userId: string,
  ago: { created?: number; lastSeen?: number; expiresIn?: number; revoked?: number },
  historyRows = 0,
): Promise<string> {
  const now = t.clock.now();
  const [row] = await db()
    .insert(tables().sessions)
    .values({
      userId,
      tokenHash: randomUUID(),
      createdAt: new Date(now - (ago.created ?? 0)),
      rotatedAt: new Date(now - (ago.created ?? 0)),
      lastSeenAt: new Date(now - (ago.lastSeen ?? 0)),
      expiresAt: new Date(now + (ago.expiresIn ?? 30 * DAY_MS)),
      revokedAt: ago.revoked === undefined ? null : new Date(now - ago.revoked),
      authTime: new Date(now - (ago.created ?? 0)),
      signInMethods: ["password"],
    })
    .returning({ id: tables().sessions.id });
  const sessionId = row!.id;
  if (historyRows > 0) {
    await db()
      .insert(tables().sessionTokenHistory)
      .values(
        Array.from({ length: historyRows }, () => ({
          tokenHash: randomUUID(),
          sessionId,
          retiredAt: new Date(now),
        })),
      );
  }
  return sessionId;
}

async function existing(ids: string[]): Promise<string[]> {
  const { sessions } = tables();
  const rows = await db()
    .select({ id: sessions.id })
    .from(sessions)
    .where(inArray(sessions.id, ids));
  return rows.map((row) => row.id).sort();
}

async function historyOf(sessionId: string): Promise<number> {
  const { sessionTokenHistory: history } = tables();
  const [row] = await db()
    .select({ n: count() })
    .from(history)
    .where(eq(history.sessionId, sessionId));
  return row!.n;
}

async function insertEvents(userId: string | null, agesMs: number[]): Promise<void> {
  const now = t.clock.now();
  await db()
    .insert(events())
    .values(
      agesMs.map((age) => ({ userId, type: "signed_in" as const, createdAt: new Date(now - age) })),
    );
}

async function eventAges(userId: string | null): Promise<number[]> {
  const table = events();
  const rows = await db()
    .select({ createdAt: table.createdAt })
    .from(table)
    .where(userId === null ? sql`${table.userId} is null` : eq(table.userId, userId));
  return rows.map((row) => t.clock.now() - row.createdAt.getTime()).sort((a, b) => a - b);
}

describe("the retention job: sessions", () => {
  it("deletes dead sessions (revoked, expired, idle) past the grace with their token history; keeps live ones", async () => {
    const userId = await insertUser();
    const live = await insertSession(userId, { lastSeen: DAY_MS }, 5);
    const justRevoked = await insertSession(userId, { revoked: GRACE_MS / 2 }, 2);
    const revoked = await insertSession(userId, { revoked: GRACE_MS + 60_000 }, 3);
    const expired = await insertSession(userId, { expiresIn: -GRACE_MS - 60_000 }, 1);
    const justExpired = await insertSession(userId, { expiresIn: -60_000 });
    const idle = await insertSession(userId, { lastSeen: IDLE_MS + GRACE_MS + 60_000 }, 4);
    const nearlyIdle = await insertSession(userId, { lastSeen: IDLE_MS - 60_000 });
    const all = [live, justRevoked, revoked, expired, justExpired, idle, nearlyIdle];

    const report = await t.auth.retention.runOnce();

    expect(report.failed).toEqual([]);
    expect(report.yieldedToAnotherProcess).toBe(false);
    expect(await existing(all)).toEqual([live, justRevoked, justExpired, nearlyIdle].sort());
    expect(await historyOf(live)).toBe(5);
    expect(await historyOf(justRevoked)).toBe(2);
    for (const gone of [revoked, expired, idle]) expect(await historyOf(gone)).toBe(0);
    // 3 sessions and 8 history rows.
    expect(report.deleted["sessions"]).toBe(11);
    expect(t.auth.retention.taskNames).toEqual([
      "sessions",
      "revocation-events",
      "rate-limits",
      "pending-sign-ins",
      "security-events/window",
      "security-events/per-account",
    ]);
  });

  it("a batch deletes at most `limit` rows in a statement, however long a token family grew", async () => {
    const userId = await insertUser();
    const longFamily = await insertSession(userId, { revoked: 2 * GRACE_MS }, 25);
    const others = await Promise.all(
      Array.from({ length: 12 }, () => insertSession(userId, { revoked: 2 * GRACE_MS })),
    );
    const task = deadSessionsTask(tables(), { absoluteMs: 30 * DAY_MS, idleMs: IDLE_MS }, GRACE_MS);
    const batches: { deleted: number; done: boolean }[] = [];
    for (let i = 0; i < 100; i += 1) {
      const result = await db().transaction((tx) =>
        task.prune({ tx, nowMs: t.clock.now(), limit: 10 }),
      );
      if (typeof result === "number") throw new Error("the sessions task reports { done }");
      batches.push(result);
      if (result.done) break;
    }
    // No batch deleted more than 10 history rows, then at most 10 sessions.
    for (const batch of batches) expect(batch.deleted).toBeLessThanOrEqual(20);
    expect(batches.at(-1)?.done).toBe(true);
    expect(await existing([longFamily, ...others])).toEqual([]);
    expect(await historyOf(longFamily)).toBe(0);
  });

  it("leaves signed-in users signed in, token-reuse detection working, and the hot path at zero queries", async () => {
    const { client } = await t.signUp();
    const stolen = client.fork();
    // Rotate the session token twice (one access-token lifetime apart).
    for (let i = 0; i < 2; i += 1) {
      t.clock.advanceSeconds(601);
      client.cookies.delete("auth_access");
      expect((await client.get("/api/notes")).status).toBe(200);
    }
    await t.auth.retention.runOnce();
    t.queries.reset();
    expect((await client.get("/api/notes")).status).toBe(200);
    expect(t.queries.count).toBe(0);
    // The first token of the family, presented again, is still recognised as reuse.
    stolen.cookies.delete("auth_access");
    expect((await stolen.get("/api/notes")).status).toBe(401);
    client.cookies.delete("auth_access");
    expect((await client.get("/api/notes")).status).toBe(401);
  });
});

describe("the retention job: revocation events and rate limits", () => {
  it("keeps the revocation events of the last access-token lifetime, deletes older ones", async () => {
    const { revocationEvents } = tables();
    const now = t.clock.now();
    const subjectId = randomUUID();
    await db()
      .insert(revocationEvents)
      .values(
        [10_000, 12 * 60_000, 60 * 60_000].map((age) => ({
          scope: "session" as const,
          subjectId,
          notBefore: new Date(now - age),
        })),
      );
    await t.auth.retention.runOnce();
    const rows = await db()
      .select({ notBefore: revocationEvents.notBefore })
      .from(revocationEvents)
      .where(eq(revocationEvents.subjectId, subjectId));
    expect(rows.map((row) => now - row.notBefore.getTime())).toEqual([10_000]);
  });

  it("deletes expired limiter rows, keeps counting ones", async () => {
    const { rateLimits } = tables();
    const now = t.clock.now();
    await db()
      .insert(rateLimits)
      .values([
        { key: "retention-test:old", points: 3, expire: new Date(now - 10 * 60_000) },
        { key: "retention-test:live", points: 1, expire: new Date(now + 60_000) },
        { key: "retention-test:forever", points: 1, expire: null },
      ]);
    await t.auth.retention.runOnce();
    const keys = await db().select({ key: rateLimits.key }).from(rateLimits);
    expect(keys.map((row) => row.key).sort()).toEqual([
      "retention-test:forever",
      "retention-test:live",
    ]);
  });
});

describe("the retention job: security events", () => {
  it("keeps the window (90 days), users' and unknown emails' alike", async () => {
    const userId = await insertUser();
    await insertEvents(userId, [DAY_MS, 89 * DAY_MS, 91 * DAY_MS]);
    await insertEvents(null, [DAY_MS, 120 * DAY_MS]);
    const before = await eventAges(null);
    await t.auth.retention.runOnce();
    expect(await eventAges(userId)).toEqual([DAY_MS, 89 * DAY_MS]);
    expect((await eventAges(null)).filter((age) => age >= 90 * DAY_MS)).toEqual([]);
    expect(await eventAges(null)).toContain(DAY_MS);
    expect(before).toContain(120 * DAY_MS);
  });

  it("keeps the newest events of each account up to its cap", async () => {
    const flooded = await insertUser();
    const quiet = await insertUser();
    await insertEvents(
      flooded,
      [1, 2, 3, 4, 5, 6, 7].map((hours) => hours * 3_600_000),
    );
    await insertEvents(quiet, [3_600_000, 7_200_000]);
    await t.auth.retention.runOnce();
    expect(await eventAges(flooded)).toEqual([3_600_000, 7_200_000, 10_800_000]);
    expect(await eventAges(quiet)).toEqual([3_600_000, 7_200_000]);
  });

  it("sweeps every account in bounded batches", async () => {
    const auth = await anotherAuth({
      plugins: [securityEvents({ activityLimit: 1, maxEventsPerAccount: 2 })],
      retention: { autoStart: false, batchSize: 3 },
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        const userId = await insertUser();
        ids.push(userId);
        await insertEvents(
          userId,
          [1, 2, 3, 4].map((minutes) => minutes * 60_000),
        );
      }
      const report = await auth.retention.runOnce();
      expect(report.deleted["security-events/per-account"]).toBeGreaterThanOrEqual(14);
      for (const userId of ids) expect(await eventAges(userId)).toEqual([60_000, 120_000]);
      expect(report.batches).toBeGreaterThan(5);
    } finally {
      await auth.close();
    }
  });

  it("refuses bad plugin options", () => {
    expect(() => securityEvents({ retentionDays: 0 })).toThrow(RangeError);
    expect(() => securityEvents({ activityLimit: 50, maxEventsPerAccount: 10 })).toThrow(
      /maxEventsPerAccount/,
    );
    expect(() => securityEvents({ retentionDay: 3 } as never)).toThrow(AuthConfigError);
  });
});

describe("the retention job: running", () => {
  it("validates its options when createAuth runs", async () => {
    const base = { db: t.database.db, secret: TEST_SECRET };
    for (const [retention, option] of [
      [{ batchSize: 0 }, "retention.batchSize"],
      [{ batchSize: 100_000 }, "retention.batchSize"],
      [{ intervalSeconds: 1.5 }, "retention.intervalSeconds"],
      [{ deadSessionGraceSeconds: 0 }, "retention.deadSessionGraceSeconds"],
      [{ autoStart: "yes" }, "retention.autoStart"],
      [{ onError: 1 }, "retention.onError"],
      [{ every: 60 }, "retention.every"],
      [[], "retention"],
    ] as const) {
      await expect(createAuth({ ...base, retention: retention as never })).rejects.toMatchObject({
        name: "AuthConfigError",
        option,
      });
    }
  });

  it("reports a failing task and goes on with the next; a plugin's tasks run too", async () => {
    const calls: string[] = [];
    const onError = vi.fn();
    const plugin = definePlugin({
      id: "flaky",
      setup: () => ({
        retention: [
          {
            name: "fails",
            prune: () => Promise.reject(new Error("disk on fire")),
          },
          {
            name: "works",
            prune: async ({ limit }) => {
              calls.push(`works:${limit}`);
              return 0;
            },
          },
        ],
      }),
    });
    const auth = await anotherAuth({
      plugins: [plugin],
      retention: { autoStart: false, batchSize: 7, onError },
    });
    try {
      const report = await auth.retention.runOnce();
      expect(report.failed).toEqual(["flaky/fails"]);
      expect(onError).toHaveBeenCalledWith(expect.any(Error), "flaky/fails");
      expect(calls).toEqual(["works:7"]);
      expect(report.deleted["flaky/works"]).toBe(0);
    } finally {
      await auth.close();
    }
  });

  it("refuses a plugin task without a proper name", async () => {
    const plugin = definePlugin({
      id: "nameless",
      setup: () => ({ retention: [{ name: "Bad Name", prune: async () => 0 }] }),
    });
    await expect(
      createAuth({ db: t.database.db, secret: TEST_SECRET, plugins: [plugin] }),
    ).rejects.toMatchObject({ option: "plugins.nameless.retention[0].name" });
  });

  it("runs on its timer, survives errors, and stops with auth.close()", async () => {
    const runs: number[] = [];
    const onError = vi.fn();
    const plugin = definePlugin({
      id: "ticker",
      setup: () => ({
        retention: [
          {
            name: "tick",
            prune: async () => {
              runs.push(Date.now());
              if (runs.length === 1) throw new Error("first run fails");
              return 0;
            },
          },
        ],
      }),
    });
    const auth = await anotherAuth({
      plugins: [plugin],
      retention: { autoStart: true, intervalSeconds: 1, onError },
    });
    expect(auth.retention.started).toBe(true);
    await vi.waitFor(() => expect(runs.length).toBeGreaterThanOrEqual(2), { timeout: 5000 });
    expect(onError).toHaveBeenCalledWith(expect.any(Error), "ticker/tick");
    await auth.close();
    expect(auth.retention.started).toBe(false);
    const after = runs.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(runs.length).toBe(after);
  });

  it("a concurrent runOnce joins the run in progress", async () => {
    const [a, b] = [t.auth.retention.runOnce(), t.auth.retention.runOnce()];
    expect(a).toBe(b);
    await a;
  });
});

describe.runIf(testDatabaseUrl())("the retention job on PostgreSQL: one process at a time", () => {
  async function insertOldRevocationEvents(n: number): Promise<void> {
    const old = new Date(t.clock.now() - DAY_MS);
    await db()
      .insert(tables().revocationEvents)
      .values(
        Array.from({ length: n }, () => ({
          scope: "user" as const,
          subjectId: randomUUID(),
          notBefore: old,
        })),
      );
  }

  it("a process that finds the lock held leaves the work to the holder", async () => {
    await insertOldRevocationEvents(5);
    const client = t.database.postgres!;
    await client.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${"hybrid-auth-retention:"}))`;
      const report = await t.auth.retention.runOnce();
      expect(report.yieldedToAnotherProcess).toBe(true);
      expect(report.batches).toBe(0);
    });
    const report = await t.auth.retention.runOnce();
    expect(report.deleted["revocation-events"]).toBe(5);
  });

  it("two processes started together: the batches never overlap, every row is deleted once", async () => {
    await insertOldRevocationEvents(400);
    const a = await t.sibling({ retention: { autoStart: false, batchSize: 10 } });
    const b = await t.sibling({ retention: { autoStart: false, batchSize: 10 } });
    try {
      const reports = await Promise.all([a.auth.retention.runOnce(), b.auth.retention.runOnce()]);
      const deleted = reports.map((report) => report.deleted["revocation-events"] ?? 0);
      expect(deleted[0]! + deleted[1]!).toBe(400);
      // One of them found the lock held and stopped; the other finished the work.
      expect(reports.filter((report) => report.yieldedToAnotherProcess)).toHaveLength(1);
    } finally {
      await a.auth.close();
      await b.auth.close();
    }
  });
});

/** `deleteBatch` is the plugin authors' building block. */
describe("deleteBatch", () => {
  it("deletes at most `limit` matching rows and returns the count", async () => {
    const subjectId = randomUUID();
    const { revocationEvents } = tables();
    const old = new Date(t.clock.now() - DAY_MS);
    await db()
      .insert(revocationEvents)
      .values(
        Array.from({ length: 5 }, () => ({ scope: "user" as const, subjectId, notBefore: old })),
      );
    const where = eq(revocationEvents.subjectId, subjectId);
    const first = await db().transaction((tx) =>
      deleteBatch(tx, revocationEvents, revocationEvents.id, where, 3),
    );
    const second = await db().transaction((tx) =>
      deleteBatch(tx, revocationEvents, revocationEvents.id, where, 3),
    );
    expect([first, second]).toEqual([3, 2]);
  });
});
