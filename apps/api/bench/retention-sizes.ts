/**
 * Table sizes per million users with and without the data-retention job, measured on real
 * PostgreSQL (not part of CI; a few minutes):
 *
 *   pnpm --filter @hybrid-auth/api exec tsx --conditions=@hybrid-auth/source \
 *     bench/retention-sizes.ts            # USERS=2500 DAYS=365 by default
 *
 * Two throwaway databases (`BENCH_DATABASE_URL`, else `TEST_DATABASE_URL`, else the local
 * server) get the same simulated traffic, day by day, written as the auth package writes it
 * (its own migrations, same columns, SHA-256-sized token hashes, real user agents):
 *
 * - users: a third use the app nearly every day (p = 0.8), a third weekly (0.15), a third
 *   rarely (0.03); each has one or two devices;
 * - an active day on a device: a sign-in when its session is dead (revoked, 30 days old or
 *   7 days idle; one in 50 preceded by a wrong password), 1–5 reissues that rotate the
 *   session token (each rotated-out token is a `session_token_history` row), and one time in
 *   20 a sign-out (`signed_out`, the session revoked);
 * - every day, wrong passwords for unknown emails from 0.2 % of the user count (events with
 *   no user), and, for one user in 10 000, a botnet flood of 2 000 failed sign-ins.
 *
 * Database A never prunes; database B runs the real job (`auth.retention.runOnce()`, the
 * package's defaults) at the end of each simulated day. Both are `VACUUM ANALYZE`d after each
 * day, as autovacuum would (space of deleted and updated rows reused, files never shrunk;
 * done by hand so that a server with autovacuum off measures the same), and measured at the
 * end with `pg_total_relation_size` (table, indexes and TOAST), scaled to a million users.
 * Revocation events are pruned inside every revoking transaction anyway and rate-limit rows
 * live minutes: both stay near zero either way and are not simulated.
 */
import { createHash, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { createAuth, migrateAuth, securityEvents } from "@hybrid-auth/auth";
import { ManualClock } from "@hybrid-auth/auth/testing";
import { openDatabase, type Database } from "@hybrid-auth/db";

type Sql = NonNullable<Database["postgres"]>;

const USERS = Number(process.env["USERS"] ?? 2500);
const DAYS = Number(process.env["DAYS"] ?? 365);
const SERVER =
  process.env["BENCH_DATABASE_URL"] ??
  process.env["TEST_DATABASE_URL"] ??
  "postgres://postgres@127.0.0.1:5432/postgres";
const DAY_MS = 24 * 60 * 60 * 1000;
const START = Date.UTC(2030, 0, 1);
const SECRET = "retention-bench-secret-0123456789-abcdefghijkl";
const AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:132.0) Gecko/20100101 Firefox/132.0",
];
const TABLES = ["users", "sessions", "session_token_history", "security_events"] as const;

/** mulberry32: the same traffic for both databases and every run. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(12);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
const tokenHash = () => createHash("sha256").update(randomUUID()).digest("hex");
const ip = () => `203.0.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;

type Session = {
  id: string;
  userId: string;
  tokenHash: string;
  previousTokenHash: string | null;
  rotatedAt: Date;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  userAgent: string;
  ip: string;
};
type Device = { agent: string; session: Session | undefined };
type User = { id: string; activity: number; devices: Device[] };
type Day = {
  sessions: Session[];
  touched: Session[];
  history: { token_hash: string; session_id: string; retired_at: Date }[];
  events: {
    user_id: string | null;
    session_id: string | null;
    type: string;
    ip: string;
    user_agent: string;
    created_at: Date;
  }[];
};

const isDead = (session: Session, now: number) =>
  session.revokedAt !== null ||
  session.expiresAt.getTime() <= now ||
  session.lastSeenAt.getTime() <= now - 7 * DAY_MS;

function simulateDay(users: User[], day: number): Day {
  const out: Day = { sessions: [], touched: [], history: [], events: [] };
  const dayStart = START + day * DAY_MS;
  for (const user of users) {
    if (random() >= user.activity) continue;
    const device = user.devices.length > 1 && random() < 0.3 ? user.devices[1]! : user.devices[0]!;
    let at = dayStart + Math.floor(random() * (DAY_MS - 3 * 3600_000));
    const address = ip();
    const event = (type: string, sessionId: string | null) =>
      out.events.push({
        user_id: user.id,
        session_id: sessionId,
        type,
        ip: address,
        user_agent: device.agent,
        created_at: new Date(at),
      });
    if (!device.session || isDead(device.session, at)) {
      if (random() < 0.02) event("sign_in_failed", null);
      const now = new Date(at);
      const session: Session = {
        id: randomUUID(),
        userId: user.id,
        tokenHash: tokenHash(),
        previousTokenHash: null,
        rotatedAt: now,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(at + 30 * DAY_MS),
        revokedAt: null,
        userAgent: device.agent,
        ip: address,
      };
      device.session = session;
      out.sessions.push(session);
      event("signed_in", session.id);
    } else {
      out.touched.push(device.session);
    }
    const session = device.session;
    const reissues = 1 + Math.floor(random() * 5);
    for (let i = 0; i < reissues; i += 1) {
      at += 11 * 60_000;
      out.history.push({
        token_hash: session.tokenHash,
        session_id: session.id,
        retired_at: new Date(at),
      });
      session.previousTokenHash = session.tokenHash;
      session.tokenHash = tokenHash();
      session.rotatedAt = new Date(at);
      session.lastSeenAt = new Date(at);
    }
    if (random() < 0.05) {
      session.revokedAt = new Date(at);
      event("signed_out", session.id);
    }
  }
  for (let i = 0; i < Math.ceil(USERS * 0.002); i += 1) {
    const at = new Date(dayStart + Math.floor(random() * DAY_MS));
    out.events.push({
      user_id: null,
      session_id: null,
      type: "sign_in_failed",
      ip: ip(),
      user_agent: pick(AGENTS),
      created_at: at,
    });
  }
  if (random() < USERS / 10_000) {
    const victim = pick(users);
    for (let i = 0; i < 2000; i += 1) {
      out.events.push({
        user_id: victim.id,
        session_id: null,
        type: "sign_in_failed",
        ip: ip(),
        user_agent: pick(AGENTS),
        created_at: new Date(dayStart + i * 30_000),
      });
    }
  }
  return out;
}

const sessionRow = (s: Session) => ({
  id: s.id,
  user_id: s.userId,
  token_hash: s.tokenHash,
  previous_token_hash: s.previousTokenHash,
  rotated_at: s.rotatedAt,
  created_at: s.createdAt,
  last_seen_at: s.lastSeenAt,
  expires_at: s.expiresAt,
  revoked_at: s.revokedAt,
  user_agent: s.userAgent,
  ip: s.ip,
});

async function insertChunks<T extends Record<string, unknown>>(
  sql: Sql,
  table: string,
  rows: T[],
  size: number,
) {
  for (let i = 0; i < rows.length; i += size) {
    // The pool's client leaves dates to drizzle: send them as ISO strings.
    const chunk = rows
      .slice(i, i + size)
      .map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([key, value]) => [
            key,
            value instanceof Date ? value.toISOString() : value,
          ]),
        ),
      );
    await sql`insert into ${sql(table)} ${sql(chunk as never)}`;
  }
}

async function writeDay(sql: Sql, day: Day) {
  await insertChunks(sql, "sessions", day.sessions.map(sessionRow), 4000);
  // Sessions that were alive already: their end-of-day state (token, last use, revocation).
  for (let i = 0; i < day.touched.length; i += 4000) {
    const rows = day.touched
      .slice(i, i + 4000)
      .map((s) => [
        s.id,
        s.tokenHash,
        s.previousTokenHash,
        s.rotatedAt.toISOString(),
        s.lastSeenAt.toISOString(),
        s.revokedAt?.toISOString() ?? null,
      ]);
    await sql`
      update sessions set token_hash = v.th, previous_token_hash = v.pth,
        rotated_at = v.ra::timestamptz, last_seen_at = v.ls::timestamptz,
        revoked_at = v.rv::timestamptz
      from (values ${sql(rows as never)}) as v(id, th, pth, ra, ls, rv)
      where sessions.id = v.id::uuid`;
  }
  await insertChunks(sql, "session_token_history", day.history, 15_000);
  await insertChunks(sql, "security_events", day.events, 8000);
}

async function sizes(sql: Sql) {
  await sql`vacuum analyze`;
  const result: Record<string, { bytes: number; rows: number }> = {};
  for (const table of TABLES) {
    const [row] = await sql<{ bytes: string; rows: string }[]>`
      select pg_total_relation_size(${table}::regclass) as bytes,
        (select count(*) from ${sql(table)}) as rows`;
    result[table] = { bytes: Number(row!.bytes), rows: Number(row!.rows) };
  }
  return result;
}

async function main() {
  const suffix = `${Date.now().toString(36)}`;
  const names = { without: `retention_a_${suffix}`, with: `retention_b_${suffix}` };
  const server = await openDatabase({ url: SERVER, maxConnections: 1 });
  const admin = server.postgres!;
  const url = (name: string) => Object.assign(new URL(SERVER), { pathname: `/${name}` }).toString();
  for (const name of Object.values(names)) await admin.unsafe(`create database "${name}"`);
  const databaseA = await openDatabase({ url: url(names.without), maxConnections: 4 });
  const databaseB = await openDatabase({ url: url(names.with), maxConnections: 4 });
  const [a, b] = [databaseA.postgres!, databaseB.postgres!];
  try {
    const plugins = [securityEvents()];
    const [dbA, dbB] = [databaseA.db, databaseB.db];
    await migrateAuth({ db: dbA, plugins });
    await migrateAuth({ db: dbB, plugins });
    const clock = new ManualClock(START);
    const auth = await createAuth({
      db: dbB,
      secret: SECRET,
      clock,
      plugins,
      retention: { autoStart: false },
    });

    const users: User[] = Array.from({ length: USERS }, (_, index) => ({
      id: randomUUID(),
      activity: [0.8, 0.15, 0.03][index % 3]!,
      devices: Array.from({ length: random() < 0.5 ? 1 : 2 }, () => ({
        agent: pick(AGENTS),
        session: undefined,
      })),
    }));
    const userRows = users.map((user, index) => ({
      id: user.id,
      email: `user-${index}@example.test`,
      name: `User ${index}`,
      password_hash: `$argon2id$v=19$m=19456,t=2,p=1$${randomUUID().replaceAll("-", "")}$${tokenHash().slice(0, 43)}`,
      role: "user",
      created_at: new Date(START),
      updated_at: new Date(START),
    }));
    const signUps = users.map((user) => ({
      user_id: user.id,
      session_id: null,
      type: "signed_up",
      ip: ip(),
      user_agent: user.devices[0]!.agent,
      created_at: new Date(START),
    }));
    for (const sql of [a, b]) {
      await insertChunks(sql, "users", userRows, 5000);
      await insertChunks(sql, "security_events", signUps, 8000);
    }

    const started = performance.now();
    let jobMs = 0;
    let deleted = 0;
    for (let day = 0; day < DAYS; day += 1) {
      const traffic = simulateDay(users, day);
      await Promise.all([writeDay(a, traffic), writeDay(b, traffic)]);
      clock.advance(DAY_MS);
      const jobStarted = performance.now();
      const report = await auth.retention.runOnce();
      jobMs += performance.now() - jobStarted;
      deleted += Object.values(report.deleted).reduce((sum, n) => sum + n, 0);
      // What autovacuum does in production (dead rows' space reused, statistics fresh); done
      // by hand so that a server with autovacuum off measures the same.
      await Promise.all(
        [a, b].map((sql) => sql`vacuum analyze sessions, session_token_history, security_events`),
      );
      if (day % 30 === 29) {
        const seconds = ((performance.now() - started) / 1000).toFixed(0);
        console.error(`day ${day + 1}/${DAYS} (${seconds} s)`);
      }
    }
    await auth.close();

    const without = await sizes(a);
    const withJob = await sizes(b);
    const scale = 1_000_000 / USERS;
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
    const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);
    const rowsM = (rows: number) => ((rows * scale) / 1e6).toFixed(1);
    console.log(
      `\n${USERS} users, ${DAYS} simulated days; the job ran ${DAYS} times: ` +
        `${deleted} rows deleted, ${(jobMs / DAYS).toFixed(0)} ms a run on average\n`,
    );
    console.log(
      "| table | rows without | size without | rows with | size with | per 1 M users: without → with |",
    );
    console.log("| --- | --- | --- | --- | --- | --- |");
    let totalWithout = 0;
    let totalWith = 0;
    for (const table of TABLES) {
      const x = without[table]!;
      const y = withJob[table]!;
      totalWithout += x.bytes;
      totalWith += y.bytes;
      console.log(
        `| \`${table}\` | ${x.rows} | ${mib(x.bytes)} MiB | ${y.rows} | ${mib(y.bytes)} MiB | ` +
          `${rowsM(x.rows)} M rows, ${gib(x.bytes * scale)} GiB → ${rowsM(y.rows)} M rows, ${gib(y.bytes * scale)} GiB |`,
      );
    }
    console.log(
      `| total | | ${mib(totalWithout)} MiB | | ${mib(totalWith)} MiB | ` +
        `${gib(totalWithout * scale)} GiB → ${gib(totalWith * scale)} GiB |`,
    );
  } finally {
    await databaseA.close();
    await databaseB.close();
    for (const name of Object.values(names)) {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
    }
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
