import { and, eq, or, sql } from "drizzle-orm";
import type { Db } from "../db.js";
import type { SessionRevocationReason } from "../plugins/hooks.js";
import type { CoreTables } from "../schema/core-tables.js";
import type { SessionLifetimes } from "./session-store.js";

/**
 * Why a session a browser still holds is no longer live, as the 401
 * `/problems/session-ended` says it (`reason`). Coarser than the `sessionsRevoked` hook's
 * reasons on purpose: one message per value for a client to show, and nothing the cookie's
 * holder did not know (which device, which administrator).
 */
export type SessionEndedReason =
  /** Signed out: from another device's list, "log out other devices", or a newer sign-in. */
  | "signed_out"
  /** "Log out everywhere". */
  | "signed_out_everywhere"
  /** An administrator signed the user out (this session or every one). */
  | "revoked_by_admin"
  /** A password change or a password reset ended the other sessions. */
  | "password_changed"
  /** A rotated-out session token came back: two parties held the session, it was ended. */
  | "token_reuse"
  /** The account was disabled. */
  | "account_disabled"
  /** The account was deleted (its sessions go with it, so this is rarely seen). */
  | "account_deleted"
  /** Past its absolute lifetime, or unused for longer than the idle timeout. */
  | "expired";

/** Every {@link SessionEndedReason}, for schemas and exhaustive tests. */
export const SESSION_ENDED_REASONS = [
  "signed_out",
  "signed_out_everywhere",
  "revoked_by_admin",
  "password_changed",
  "token_reuse",
  "account_disabled",
  "account_deleted",
  "expired",
] as const satisfies readonly SessionEndedReason[];

const FROM_REVOCATION: Record<SessionRevocationReason, SessionEndedReason> = {
  signed_out: "signed_out",
  session_revoked: "signed_out",
  signed_out_others: "signed_out",
  replaced_by_sign_in: "signed_out",
  signed_out_everywhere: "signed_out_everywhere",
  admin_signed_out: "revoked_by_admin",
  admin_revoked_session: "revoked_by_admin",
  password_changed: "password_changed",
  password_reset: "password_changed",
  token_reuse_detected: "token_reuse",
  user_disabled: "account_disabled",
  account_deleted: "account_deleted",
};

/**
 * The public reason for a stored revocation reason; `undefined` for null (revoked before the
 * reason was recorded) or a value this version does not know.
 *
 * @example
 * endedReasonOf("session_revoked"); // "signed_out"
 */
export function endedReasonOf(revokedReason: string | null): SessionEndedReason | undefined {
  if (revokedReason === null || !Object.hasOwn(FROM_REVOCATION, revokedReason)) return undefined;
  return FROM_REVOCATION[revokedReason as SessionRevocationReason];
}

/** How the ended session is found: by a token the browser held, or by an access token's claim. */
export type EndedSessionKey = { tokenHash: string } | { sessionId: string; userId: string };

/**
 * Why the session of a token (its current one, the one rotated out, or any retired earlier)
 * or of an access token's session id is not live, in one query: its recorded revocation
 * reason, else `account_disabled` when its user is, else `expired` when it is past its
 * absolute or idle lifetime. `undefined` when there is no such session (never existed, or
 * pruned since) or it is live after all. Only for the failure path: the live lookup found
 * nothing.
 *
 * @example
 * const reason = await findEndedSessionReason(db, tables, { tokenHash }, now, lifetimes);
 */
export async function findEndedSessionReason(
  db: Db,
  t: CoreTables,
  key: EndedSessionKey,
  nowMs: number,
  lifetimes: SessionLifetimes,
): Promise<SessionEndedReason | undefined> {
  const { sessions, sessionTokenHistory, users } = t;
  const where =
    "tokenHash" in key
      ? or(
          eq(sessions.tokenHash, key.tokenHash),
          eq(sessions.previousTokenHash, key.tokenHash),
          eq(
            sessions.id,
            sql`(select ${sessionTokenHistory.sessionId} from ${sessionTokenHistory}
                 where ${sessionTokenHistory.tokenHash} = ${key.tokenHash})`,
          ),
        )
      : and(eq(sessions.id, key.sessionId), eq(sessions.userId, key.userId));
  const [row] = await db
    .select({
      revokedAt: sessions.revokedAt,
      revokedReason: sessions.revokedReason,
      expiresAt: sessions.expiresAt,
      lastSeenAt: sessions.lastSeenAt,
      userDisabledAt: users.disabledAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(where)
    .limit(1);
  if (!row) return undefined;
  if (row.revokedAt !== null) return endedReasonOf(row.revokedReason);
  if (row.userDisabledAt !== null) return "account_disabled";
  const expired =
    row.expiresAt.getTime() <= nowMs || row.lastSeenAt.getTime() <= nowMs - lifetimes.idleMs;
  return expired ? "expired" : undefined;
}
