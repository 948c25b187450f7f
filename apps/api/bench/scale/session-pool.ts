/**
 * Sessions without a password check per session. A sign-in costs one argon2 verification
 * (about 25 a second on this machine), so thousands of sessions by sign-in would take minutes.
 * Here a few users sign up over HTTP like anyone else; then each session is a real row written
 * by the library's own `insertSession`, and its access token is minted by the library's own
 * `AccessTokenService` with the secret the servers use — exactly what a sign-in stores and
 * hands out, minus the argon2 verification. The servers cannot tell these sessions apart.
 */
import { createAuth, type Auth } from "@hybrid-auth/auth";
import { openDatabase, type Database } from "@hybrid-auth/db";
import { insertSession } from "../../../../packages/auth/src/sessions/session-store.js";
import {
  generateSessionToken,
  hashSessionToken,
} from "../../../../packages/auth/src/tokens/session-token.js";
import { BENCH_SECRET } from "../server-process.js";
import { signUpMany } from "../setup.js";

/** The production server's cookie names (secure cookies: the `__Host-` prefix). */
export const ACCESS_COOKIE = "__Host-auth_access";
export const SESSION_COOKIE = "__Host-auth_session";

export type PooledSession = {
  userId: string;
  sessionId: string;
  /** `Cookie` header with the access token alone: only the hot path can answer it. */
  accessOnly: string;
  /** `Cookie` header with both cookies, as a browser sends them. */
  both: string;
};

export type SessionPool = {
  /** Opens `count` new sessions, spread over the signed-up users. */
  open(count: number): Promise<PooledSession[]>;
  close(): Promise<void>;
};

/**
 * Signs `users` users up through `serverUrl`, then opens sessions for them directly in the
 * database at `databaseUrl` (the server's), `concurrency` inserts at a time.
 *
 * @example
 * const pool = await openSessionPool({ serverUrl: server.url, databaseUrl, users: 8 });
 * const [session] = await pool.open(1);
 * await fetch(`${server.url}/api/auth/session`, { headers: { cookie: session.accessOnly } });
 */
export async function openSessionPool(options: {
  serverUrl: string;
  databaseUrl: string;
  users: number;
  label: string;
  concurrency?: number;
  /** The servers' AUTH_ACCESS_TTL (default 600): tokens must outlive a long bench. */
  accessTokenTtlSeconds?: number;
}): Promise<SessionPool> {
  if (options.users < 1) throw new Error("openSessionPool: users must be at least 1");
  await signUpMany(options.serverUrl, options.users, options.label);
  const database: Database = await openDatabase({ url: options.databaseUrl, maxConnections: 4 });
  let auth: Auth;
  try {
    auth = await createAuth({
      db: database.db,
      secret: BENCH_SECRET,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    });
  } catch (error) {
    await database.close();
    throw error;
  }
  const { db, tables, tokens, lifetimes, clock } = auth.internals;
  const users = await db
    .select({ id: tables.users.id, role: tables.users.role })
    .from(tables.users);
  if (users.length === 0) throw new Error("openSessionPool: no users in the database");
  const concurrency = options.concurrency ?? 8;
  let opened = 0;

  const openOne = async (): Promise<PooledSession> => {
    const user = users[opened++ % users.length]!;
    const now = clock.now();
    const sessionToken = generateSessionToken();
    const session = await insertSession(db, tables, {
      userId: user.id,
      tokenHash: hashSessionToken(sessionToken),
      nowMs: now,
      lifetimes,
      userAgent: "bench-scale",
      ip: "127.0.0.1",
      signInMethods: ["password"],
    });
    const { token } = await tokens.mint(
      { userId: user.id, sessionId: session.id, role: user.role, authTime: Math.floor(now / 1000) },
      now,
    );
    const accessOnly = `${ACCESS_COOKIE}=${token}`;
    return {
      userId: user.id,
      sessionId: session.id,
      accessOnly,
      both: `${accessOnly}; ${SESSION_COOKIE}=${sessionToken}`,
    };
  };

  return {
    async open(count) {
      const sessions: PooledSession[] = new Array(count);
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < count; i = next++) sessions[i] = await openOne();
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
      return sessions;
    },
    async close() {
      await auth.close();
      await database.close();
    },
  };
}
