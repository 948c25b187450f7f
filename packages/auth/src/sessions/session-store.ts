import { and, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Db, Tx } from "../db.js";
import type { CoreTables } from "../schema/core-tables.js";
import type { RevocationEvent } from "../revocation/revocation-list.js";
import type { SessionRevocationReason } from "../plugins/hooks.js";

export type SessionLifetimes = { absoluteMs: number; idleMs: number };

export async function insertSession(
  db: Db | Tx,
  t: CoreTables,
  input: {
    userId: string;
    tokenHash: string;
    nowMs: number;
    lifetimes: SessionLifetimes;
    userAgent: string | undefined;
    ip: string | undefined;
    /** How the session signed in (`["password"]`, `["password", "totp"]`…); step-ups leave it. */
    signInMethods: readonly string[];
    /** When the user proved who they are, if not now (see `SessionOptions.authTime`). */
    authTimeMs?: number;
  },
): Promise<{ id: string; expiresAt: Date }> {
  const now = new Date(input.nowMs);
  const { sessions } = t;
  const [row] = await db
    .insert(sessions)
    .values({
      userId: input.userId,
      tokenHash: input.tokenHash,
      createdAt: now,
      lastSeenAt: now,
      rotatedAt: now,
      expiresAt: new Date(input.nowMs + input.lifetimes.absoluteMs),
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      ip: input.ip ?? null,
      authTime: new Date(input.authTimeMs ?? input.nowMs),
      signInMethods: [...input.signInMethods],
    })
    .returning({ id: sessions.id, expiresAt: sessions.expiresAt });
  return row!;
}

/** Not revoked, not past its absolute expiry, seen within the idle timeout. */
export function isLive(
  sessions: CoreTables["sessions"],
  nowMs: number,
  lifetimes: SessionLifetimes,
) {
  return and(
    isNull(sessions.revokedAt),
    gt(sessions.expiresAt, new Date(nowMs)),
    gt(sessions.lastSeenAt, new Date(nowMs - lifetimes.idleMs)),
  );
}

export type AuthenticatedSession = {
  sessionId: string;
  userId: string;
  role: string;
  /** The user's extra fields, for plugins' claims. */
  fields: Record<string, unknown>;
  expiresAt: Date;
  /** When the user last proved who they are in this session. */
  authTime: Date;
  /** True when this statement rotated the token to the `newTokenHash` it was given. */
  rotated: boolean;
};

/**
 * The silent-reissue lookup, as one statement: finds the live session for a token hash (not
 * revoked, inside its absolute and idle lifetimes, user not disabled), touches `last_seen_at`
 * and, when the token is older than `rotateAfterMs`, rotates it to `newTokenHash` (keeping the
 * old hash for the grace window). The absolute expiry is never extended.
 */
export async function touchLiveSession(
  db: Db,
  t: CoreTables,
  tokenHash: string,
  nowMs: number,
  lifetimes: SessionLifetimes,
  rotation: { newTokenHash: string; rotateAfterMs: number },
): Promise<AuthenticatedSession | undefined> {
  const { sessions, users } = t;
  const now = new Date(nowMs);
  // Dates inside raw `sql` are bound through the column, so every driver encodes them.
  const rotateBefore = sql.param(new Date(nowMs - rotation.rotateAfterMs), sessions.rotatedAt);
  const due = sql`${sessions.rotatedAt} <= ${rotateBefore}`;
  const [row] = await db
    .update(sessions)
    .set({
      lastSeenAt: now,
      tokenHash: sql`case when ${due} then ${rotation.newTokenHash} else ${sessions.tokenHash} end`,
      previousTokenHash: sql`case when ${due} then ${sessions.tokenHash} else ${sessions.previousTokenHash} end`,
      rotatedAt: sql`case when ${due} then ${sql.param(now, sessions.rotatedAt)} else ${sessions.rotatedAt} end`,
    })
    .from(users)
    .where(
      and(
        eq(sessions.tokenHash, tokenHash),
        eq(users.id, sessions.userId),
        isLive(sessions, nowMs, lifetimes),
        isNull(users.disabledAt),
      ),
    )
    .returning({
      sessionId: sessions.id,
      userId: sessions.userId,
      role: users.role,
      fields: users.fields,
      expiresAt: sessions.expiresAt,
      authTime: sessions.authTime,
      rotated: sql<boolean>`${sessions.tokenHash} = ${rotation.newTokenHash}`,
    });
  return row;
}

/** A live session whose *previous* token is this one: a token that was rotated out. */
export async function findByRotatedOutToken(
  db: Db,
  t: CoreTables,
  tokenHash: string,
  nowMs: number,
  lifetimes: SessionLifetimes,
) {
  const { sessions, users } = t;
  const [row] = await db
    .select({
      sessionId: sessions.id,
      userId: sessions.userId,
      role: users.role,
      fields: users.fields,
      expiresAt: sessions.expiresAt,
      rotatedAt: sessions.rotatedAt,
      authTime: sessions.authTime,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.previousTokenHash, tokenHash),
        isLive(sessions, nowMs, lifetimes),
        isNull(users.disabledAt),
      ),
    );
  return row;
}

/** Keeps a token that a rotation replaced, so that its return is recognised as reuse. */
export async function retireSessionToken(
  db: Db,
  t: CoreTables,
  retired: { sessionId: string; tokenHash: string; nowMs: number },
): Promise<void> {
  await db
    .insert(t.sessionTokenHistory)
    .values({
      tokenHash: retired.tokenHash,
      sessionId: retired.sessionId,
      retiredAt: new Date(retired.nowMs),
    })
    .onConflictDoNothing();
}

/** The live session an earlier (retired) token of belongs to, if any. */
export async function findByRetiredToken(
  db: Db,
  t: CoreTables,
  tokenHash: string,
  nowMs: number,
  lifetimes: SessionLifetimes,
) {
  const { sessions, sessionTokenHistory } = t;
  const [row] = await db
    .select({ sessionId: sessions.id, userId: sessions.userId })
    .from(sessionTokenHistory)
    .innerJoin(sessions, eq(sessions.id, sessionTokenHistory.sessionId))
    .where(and(eq(sessionTokenHistory.tokenHash, tokenHash), isLive(sessions, nowMs, lifetimes)));
  return row;
}

function liveSessionsOf(
  sessions: CoreTables["sessions"],
  userId: string,
  nowMs: number,
  lifetimes: SessionLifetimes,
) {
  return and(eq(sessions.userId, userId), isLive(sessions, nowMs, lifetimes));
}

export async function listLiveSessions(
  db: Db,
  t: CoreTables,
  userId: string,
  nowMs: number,
  lifetimes: SessionLifetimes,
) {
  const { sessions } = t;
  return db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      userAgent: sessions.userAgent,
      ip: sessions.ip,
      signInMethods: sessions.signInMethods,
    })
    .from(sessions)
    .where(liveSessionsOf(sessions, userId, nowMs, lifetimes))
    .orderBy(desc(sessions.lastSeenAt));
}

export type SessionSelection =
  | { kind: "one"; userId: string; sessionId: string }
  | { kind: "all"; userId: string }
  | { kind: "allExcept"; userId: string; keepSessionId: string };

/**
 * Marks the selected, still-unrevoked sessions revoked, recording `reason` (what the
 * `sessionsRevoked` hook is told; a browser still holding one is later told why), and returns
 * one not-before event per session it changed. Always scoped by `userId`: a session id of
 * another user matches nothing. A session already revoked keeps its first reason.
 */
export async function revokeSessions(
  tx: Tx,
  t: CoreTables,
  selection: SessionSelection,
  nowMs: number,
  reason: SessionRevocationReason,
): Promise<{ revokedIds: string[]; events: RevocationEvent[] }> {
  const { sessions } = t;
  const scope = and(eq(sessions.userId, selection.userId), isNull(sessions.revokedAt));
  const where =
    selection.kind === "one"
      ? and(scope, eq(sessions.id, selection.sessionId))
      : selection.kind === "allExcept"
        ? and(scope, ne(sessions.id, selection.keepSessionId))
        : scope;
  const rows = await tx
    .update(sessions)
    .set({ revokedAt: new Date(nowMs), revokedReason: reason })
    .where(where)
    .returning({ id: sessions.id });
  const revokedIds = rows.map((row) => row.id);
  return {
    revokedIds,
    events: revokedIds.map((id) => ({ scope: "session", subjectId: id, notBefore: nowMs })),
  };
}

/** Whether a session id belongs to the user and is still live (for precise 404s). */
export async function isLiveSessionOf(
  db: Db,
  t: CoreTables,
  userId: string,
  sessionId: string,
  nowMs: number,
  lifetimes: SessionLifetimes,
): Promise<boolean> {
  const { sessions } = t;
  const [row] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(liveSessionsOf(sessions, userId, nowMs, lifetimes), eq(sessions.id, sessionId)));
  return row !== undefined;
}

/**
 * Records a fresh proof of identity (a step-up) on a live session of the user; the time it
 * stored, or `undefined` when the session is no longer live.
 */
export async function markReauthenticated(
  db: Db | Tx,
  t: CoreTables,
  session: { userId: string; sessionId: string },
  nowMs: number,
  lifetimes: SessionLifetimes,
): Promise<Date | undefined> {
  const { sessions } = t;
  const [row] = await db
    .update(sessions)
    .set({ authTime: new Date(nowMs) })
    .where(
      and(
        eq(sessions.id, session.sessionId),
        eq(sessions.userId, session.userId),
        isLive(sessions, nowMs, lifetimes),
      ),
    )
    .returning({ authTime: sessions.authTime });
  return row?.authTime;
}
