import { and, count, desc, eq, ilike, inArray, lt, max, or, type SQL } from "drizzle-orm";
import type { Db } from "../../db.js";
import type { CoreTables, UserRow } from "../../schema/core-tables.js";
import { isLive, listLiveSessions, type SessionLifetimes } from "../../sessions/session-store.js";
import { describeDevice } from "../../sessions/device.js";
import type { Cursor } from "./cursor.js";

/** What the admin console shows of a user. */
export type AdminUserView = {
  id: string;
  email: string;
  name: string | null;
  role: string;
  disabled: boolean;
  emailVerified: boolean;
  createdAt: string;
  lastSeenAt: string | null;
  liveSessions: number;
};

type SessionStats = { liveSessions: number; lastSeenAt: Date | null };

/** `%`, `_` and `\` match themselves in a search, not any text. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** Users whose email or name contains `query` (case-insensitive). */
function matching(users: CoreTables["users"], query: string | undefined): SQL | undefined {
  if (query === undefined || query === "") return undefined;
  const pattern = containing(query);
  return or(ilike(users.email, pattern), ilike(users.name, pattern));
}

/** After `cursor` in newest-first order: older, or as old with a smaller id. */
function after(users: CoreTables["users"], cursor: Cursor | undefined): SQL | undefined {
  if (!cursor) return undefined;
  return or(
    lt(users.createdAt, cursor.createdAt),
    and(eq(users.createdAt, cursor.createdAt), lt(users.id, cursor.id)),
  );
}

/** Each user's live sessions and when any of their sessions was last seen. */
async function sessionStats(
  db: Db,
  tables: CoreTables,
  userIds: readonly string[],
  nowMs: number,
  lifetimes: SessionLifetimes,
): Promise<Map<string, SessionStats>> {
  const stats = new Map<string, SessionStats>();
  if (userIds.length === 0) return stats;
  const { sessions } = tables;
  const [seen, live] = await Promise.all([
    db
      .select({ userId: sessions.userId, lastSeenAt: max(sessions.lastSeenAt) })
      .from(sessions)
      .where(inArray(sessions.userId, [...userIds]))
      .groupBy(sessions.userId),
    db
      .select({ userId: sessions.userId, live: count() })
      .from(sessions)
      .where(and(inArray(sessions.userId, [...userIds]), isLive(sessions, nowMs, lifetimes)))
      .groupBy(sessions.userId),
  ]);
  for (const row of seen) stats.set(row.userId, { liveSessions: 0, lastSeenAt: row.lastSeenAt });
  for (const row of live) {
    const entry = stats.get(row.userId) ?? { liveSessions: 0, lastSeenAt: null };
    stats.set(row.userId, { ...entry, liveSessions: Number(row.live) });
  }
  return stats;
}

function toView(row: UserRow, stats: SessionStats | undefined): AdminUserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabledAt !== null,
    emailVerified: row.emailVerifiedAt !== null,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: stats?.lastSeenAt?.toISOString() ?? null,
    liveSessions: stats?.liveSessions ?? 0,
  };
}

/**
 * One page of users, newest accounts first, keyset-paginated on `(created_at, id)`: a user
 * created while someone pages lands before the first page and shifts nothing.
 */
export async function listUsers(
  db: Db,
  tables: CoreTables,
  page: { query: string | undefined; after: Cursor | undefined; limit: number },
  nowMs: number,
  lifetimes: SessionLifetimes,
): Promise<{ users: AdminUserView[]; last: UserRow | undefined }> {
  const { users } = tables;
  const rows = await db
    .select()
    .from(users)
    .where(and(matching(users, page.query), after(users, page.after)))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  const stats = await sessionStats(
    db,
    tables,
    shown.map((row) => row.id),
    nowMs,
    lifetimes,
  );
  return {
    users: shown.map((row) => toView(row, stats.get(row.id))),
    last: rows.length > page.limit ? shown.at(-1) : undefined,
  };
}

/** One user as the console shows them, or `undefined`. */
export async function findUserView(
  db: Db,
  tables: CoreTables,
  userId: string,
  nowMs: number,
  lifetimes: SessionLifetimes,
): Promise<AdminUserView | undefined> {
  const [row] = await db.select().from(tables.users).where(eq(tables.users.id, userId));
  if (!row) return undefined;
  const stats = await sessionStats(db, tables, [row.id], nowMs, lifetimes);
  return toView(row, stats.get(row.id));
}

/** The user's live sessions, most recently seen first. */
export async function liveSessionViews(
  db: Db,
  tables: CoreTables,
  userId: string,
  nowMs: number,
  lifetimes: SessionLifetimes,
) {
  const rows = await listLiveSessions(db, tables, userId, nowMs, lifetimes);
  return rows.map((row) => ({
    id: row.id,
    device: describeDevice(row.userAgent).label,
    ip: row.ip,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
  }));
}
