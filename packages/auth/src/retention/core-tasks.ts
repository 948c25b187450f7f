import { and, asc, gt, inArray, isNotNull, lt, or, sql } from "drizzle-orm";
import type { CoreTables } from "../schema/core-tables.js";
import type { SessionLifetimes } from "../sessions/session-store.js";
import { deleteBatch } from "./prune.js";
import type { RetentionTask } from "./retention.js";

/**
 * Revocation events are needed for one access-token lifetime (a process reloads the last
 * lifetime's events when it starts); a minute more covers clock skew between processes.
 */
export const REVOCATION_EVENT_MARGIN_MS = 60_000;
/** Rate-limit rows a minute past their expiry count for nothing (an expired row is reset). */
export const RATE_LIMIT_MARGIN_MS = 60_000;

/**
 * Dead sessions — revoked, past the absolute expiry or idle past the idle timeout, each for
 * longer than the grace — and their token history. A sweep in primary-key order: each batch
 * examines `limit` sessions after a cursor, deletes the token history of the dead ones (at
 * most `limit` rows; a session with more is finished by the next batches before its row
 * goes), then the dead sessions themselves. So no statement deletes or cascades to more than
 * `limit` rows however long a session's token family grew, and no batch scans the table.
 */
export function deadSessionsTask(
  tables: Pick<CoreTables, "sessions" | "sessionTokenHistory">,
  lifetimes: SessionLifetimes,
  graceMs: number,
): RetentionTask {
  const { sessions, sessionTokenHistory: history } = tables;
  let cursor: string | undefined;
  return {
    name: "sessions",
    async prune({ tx, nowMs, limit }) {
      const endedBefore = new Date(nowMs - graceMs);
      const dead = or(
        and(isNotNull(sessions.revokedAt), lt(sessions.revokedAt, endedBefore)),
        lt(sessions.expiresAt, endedBefore),
        lt(sessions.lastSeenAt, new Date(nowMs - graceMs - lifetimes.idleMs)),
      );
      const window = await tx
        .select({ id: sessions.id, dead: sql<boolean>`coalesce(${dead!}, false)` })
        .from(sessions)
        .where(cursor === undefined ? undefined : gt(sessions.id, cursor))
        .orderBy(asc(sessions.id))
        .limit(limit);
      const deadIds = window.filter((row) => row.dead).map((row) => row.id);
      let deleted = 0;
      if (deadIds.length > 0) {
        deleted += await deleteBatch(
          tx,
          history,
          history.tokenHash,
          inArray(history.sessionId, deadIds),
          limit,
        );
        // More history than one batch: the next batch goes on with the same sessions.
        if (deleted >= limit) return { deleted, done: false };
        const gone = await tx
          .delete(sessions)
          .where(and(inArray(sessions.id, deadIds), dead))
          .returning({ id: sessions.id });
        deleted += gone.length;
      }
      const done = window.length < limit;
      cursor = done ? undefined : window.at(-1)?.id;
      return { deleted, done };
    },
  };
}

/** Revocation events older than one access-token lifetime (and a margin). */
export function revocationEventsTask(
  tables: Pick<CoreTables, "revocationEvents">,
  accessTtlMs: number,
): RetentionTask {
  const events = tables.revocationEvents;
  return {
    name: "revocation-events",
    prune: ({ tx, nowMs, limit }) =>
      deleteBatch(
        tx,
        events,
        events.id,
        lt(events.notBefore, new Date(nowMs - accessTtlMs - REVOCATION_EVENT_MARGIN_MS)),
        limit,
      ),
  };
}

/**
 * Expired counters of the database limiter store (`limiterStore: { kind: "database" }`); the
 * table stays empty with the memory or Redis stores.
 */
export function rateLimitsTask(tables: Pick<CoreTables, "rateLimits">): RetentionTask {
  const limits = tables.rateLimits;
  return {
    name: "rate-limits",
    prune: ({ tx, nowMs, limit }) =>
      deleteBatch(
        tx,
        limits,
        limits.key,
        lt(limits.expire, new Date(nowMs - RATE_LIMIT_MARGIN_MS)),
        limit,
      ),
  };
}

/** Pending second-factor sign-ins that expired (used ones expire too): kept a minute longer. */
export function pendingSignInsTask(tables: Pick<CoreTables, "pendingSignIns">): RetentionTask {
  const pending = tables.pendingSignIns;
  return {
    name: "pending-sign-ins",
    prune: ({ tx, nowMs, limit }) =>
      deleteBatch(tx, pending, pending.id, lt(pending.expiresAt, new Date(nowMs - 60_000)), limit),
  };
}

/** The core's tasks, in the order they run. */
export function coreRetentionTasks(
  tables: CoreTables,
  lifetimes: SessionLifetimes,
  accessTtlMs: number,
  deadSessionGraceMs: number,
): RetentionTask[] {
  return [
    deadSessionsTask(tables, lifetimes, deadSessionGraceMs),
    revocationEventsTask(tables, accessTtlMs),
    rateLimitsTask(tables),
    pendingSignInsTask(tables),
  ];
}
