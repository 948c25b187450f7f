import type { Context } from "hono";
import { ProblemError, SIGN_IN_REQUIRED } from "./http/problem.js";
import { clientInfo } from "./sessions/client-info.js";
import { acceptableNewPassword, verifyCurrentPassword } from "./password/current-password.js";
import type { AdminActor, ClientInfo, SessionRevocationReason } from "./plugins/hooks.js";
import type { RevocationEvent } from "./revocation/revocation-list.js";
import type { AuthRuntime } from "./runtime.js";
import type { Tx } from "./db.js";
import { isUuid } from "./ids.js";
import type { UserRow } from "./schema/core-tables.js";
import { revokeSessions, type SessionSelection } from "./sessions/session-store.js";
import {
  deleteUserRow,
  findUserByEmail,
  findUserById,
  lockUser,
  replacePasswordHash,
  updateUser,
} from "./users/user-store.js";

/** Why sessions are revoked and who asked: what the `sessionsRevoked` hook is told. */
export type Revocation = {
  reason: SessionRevocationReason;
  actorSessionId: string | null;
  client: ClientInfo | null;
  /** The administrator who asked, when one did. */
  admin?: AdminActor;
};

/** Revokes the selected sessions and tells the hooks why; returns how many it revoked. */
export async function revokeSessionSelection(
  runtime: AuthRuntime,
  selection: SessionSelection,
  why: Revocation,
): Promise<number> {
  const { revokedIds } = await runtime.revocations.revoke(async (tx, now) => {
    const outcome = await revokeSessions(tx, runtime.tables, selection, now, why.reason);
    // Nothing revoked (no such live session): nothing happened, nothing to tell or record.
    if (outcome.revokedIds.length === 0) return outcome;
    await runtime.hooks.emit(
      "sessionsRevoked",
      { ...why, userId: selection.userId, sessionIds: outcome.revokedIds },
      tx,
    );
    return outcome;
  });
  return revokedIds.length;
}

const userEvent = (userId: string, now: number): RevocationEvent => ({
  scope: "user",
  subjectId: userId,
  notBefore: now,
});

/**
 * Log out everywhere: every session row revoked, and one user-wide event so that every
 * access token already handed out is stale on the next request. `change` runs first, in the
 * same transaction (a new password, a deleted account). Resolves to how many sessions it
 * revoked.
 */
export async function revokeAllSessions(
  runtime: AuthRuntime,
  userId: string,
  why: Revocation,
  change?: (tx: Tx, nowMs: number) => Promise<void>,
): Promise<number> {
  const { revoked } = await runtime.revocations.revoke(async (tx, now) => {
    await change?.(tx, now);
    const { revokedIds } = await revokeSessions(
      tx,
      runtime.tables,
      { kind: "all", userId },
      now,
      why.reason,
    );
    await runtime.hooks.emit("sessionsRevoked", { ...why, userId, sessionIds: revokedIds }, tx);
    return { revoked: revokedIds.length, events: [userEvent(userId, now)] };
  });
  return revoked;
}

/** Checks the current password, stores the new one, revokes every other session. */
export async function changePassword(
  runtime: AuthRuntime,
  c: Context,
  current: { userId: string; sessionId: string },
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const { db, tables, hasher, hooks } = runtime;
  hasher.assertCapacity(); // shed before any other work
  const client = clientInfo(runtime, c);
  const user = await findUserById(db, tables, current.userId);
  if (!user) throw new ProblemError(SIGN_IN_REQUIRED);
  await verifyCurrentPassword(runtime, c, user, input.currentPassword, {
    pointer: "/currentPassword",
    message: "The current password is not correct.",
  });
  const newPassword = acceptableNewPassword(runtime, input.newPassword, user, "/newPassword");
  const passwordHash = await hasher.hash(newPassword);
  await runtime.revocations.revoke(async (tx, now) => {
    // Only over the password that was checked: a reset (or another change) that committed
    // while this one was hashing wins, and this one is refused rather than undoing it.
    const replaced = await replacePasswordHash(
      tx,
      tables,
      user.id,
      { expected: user.passwordHash, next: passwordHash },
      now,
    );
    if (!replaced) {
      throw new ProblemError({
        status: 409,
        detail: "Your password was changed meanwhile. Sign in again with the new one.",
      });
    }
    const outcome = await revokeSessions(
      tx,
      tables,
      { kind: "allExcept", userId: user.id, keepSessionId: current.sessionId },
      now,
      "password_changed",
    );
    const event = { userId: user.id, sessionId: current.sessionId, client };
    await hooks.emit("passwordChanged", event, tx);
    await hooks.emit(
      "sessionsRevoked",
      {
        userId: user.id,
        sessionIds: outcome.revokedIds,
        reason: "password_changed",
        actorSessionId: current.sessionId,
        client,
      },
      tx,
    );
    return outcome;
  });
}

/** Who `auth.admin` says made a change when the caller names nobody: the application. */
export const APPLICATION_ACTOR: AdminActor = {
  userId: null,
  description: "the application",
  client: null,
};

/** What an administrator may change of a user in one step. */
export type AdminUserChange = { role?: string; disabled?: boolean };

/**
 * Administrative changes that must reach every device at once: a new role gives fresh claims
 * on the next request; disabling or deleting signs the user out everywhere. Each takes an
 * optional `actor` (who asked, for the hooks and an audit; the application by default).
 * A hook may refuse a change by throwing (the access-control plugin's last-admin rail): the
 * whole change rolls back and the error reaches the caller.
 */
export function createAdminApi(runtime: AuthRuntime) {
  const { tables } = runtime;
  // `runtime.hooks` is read at call time: `createAuth` sets it once every plugin is set up.

  /** Applies the changes to a locked row; whether anything changed. */
  async function apply(
    tx: Tx,
    now: number,
    row: UserRow,
    changes: AdminUserChange,
    actor: AdminActor,
  ): Promise<boolean> {
    const userId = row.id;
    let before = { role: row.role, disabled: row.disabledAt !== null };
    let changed = false;
    if (changes.role !== undefined && changes.role !== before.role) {
      await updateUser(tx, tables, userId, { role: changes.role }, now);
      await runtime.hooks.emit(
        "userUpdated",
        { userId, change: { role: changes.role }, before, actor },
        tx,
      );
      before = { ...before, role: changes.role };
      changed = true;
    }
    if (changes.disabled !== undefined && changes.disabled !== before.disabled) {
      const disabledAt = changes.disabled ? new Date(now) : null;
      await updateUser(tx, tables, userId, { disabledAt }, now);
      const change = { disabled: changes.disabled };
      await runtime.hooks.emit("userUpdated", { userId, change, before, actor }, tx);
      if (changes.disabled) {
        const reason = "user_disabled";
        const all = { kind: "all", userId } as const;
        const { revokedIds } = await revokeSessions(tx, tables, all, now, reason);
        await runtime.hooks.emit(
          "sessionsRevoked",
          {
            userId,
            sessionIds: revokedIds,
            reason,
            actorSessionId: null,
            client: actor.client,
          },
          tx,
        );
      }
      changed = true;
    }
    return changed;
  }

  /**
   * Changes a user's role and/or whether they are disabled, in one transaction: the row is
   * locked, each real change is told to the hooks (`userUpdated`), disabling revokes every
   * session, and one user-wide not-before event stales every access token already handed
   * out. Resolves to `false` when there is no such user.
   *
   * @example
   * await auth.admin.updateUser(userId, { role: "manager", disabled: false });
   */
  async function updateUserAsAdmin(
    userId: string,
    changes: AdminUserChange,
    actor: AdminActor = APPLICATION_ACTOR,
  ): Promise<boolean> {
    if (!isUuid(userId)) return false;
    const outcome = await runtime.revocations.revoke(async (tx, now) => {
      const row = await lockUser(tx, tables, userId);
      if (!row) return { found: false, events: [] };
      const changed = await apply(tx, now, row, changes, actor);
      return { found: true, events: changed ? [userEvent(userId, now)] : [] };
    });
    return outcome.found;
  }

  return {
    /**
     * A user by email (any case), as an administrator sees them, or `undefined`.
     *
     * @example
     * const user = await auth.admin.findUserByEmail("ada@example.com");
     */
    async findUserByEmail(email: string) {
      const row = await findUserByEmail(runtime.db, tables, email);
      return (
        row && { id: row.id, email: row.email, role: row.role, disabled: row.disabledAt !== null }
      );
    },
    updateUser: updateUserAsAdmin,
    /** Sets a user's role; their next request on every device carries it. */
    setRole: (userId: string, role: string, actor?: AdminActor) =>
      updateUserAsAdmin(userId, { role }, actor),
    /** Signs the user out everywhere and refuses their sign-ins until enabled again. */
    disableUser: (userId: string, actor?: AdminActor) =>
      updateUserAsAdmin(userId, { disabled: true }, actor),
    enableUser: (userId: string, actor?: AdminActor) =>
      updateUserAsAdmin(userId, { disabled: false }, actor),
    /** Deletes the user and everything that cascades from it; every device signed out. */
    async deleteUser(userId: string, actor: AdminActor = APPLICATION_ACTOR): Promise<boolean> {
      if (!isUuid(userId)) return false;
      const outcome = await runtime.revocations.revoke(async (tx, now) => {
        const row = await lockUser(tx, tables, userId);
        if (!row) return { found: false, events: [] };
        // Hooks run first, while the user's rows still exist for them to read.
        await runtime.hooks.emit("userDeleted", { userId, actor }, tx);
        await deleteUserRow(tx, tables, userId);
        return { found: true, events: [userEvent(userId, now)] };
      });
      return outcome.found;
    },
  };
}

export type AdminApi = ReturnType<typeof createAdminApi>;
