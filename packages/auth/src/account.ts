import type { Context } from "hono";
import { ProblemError, SIGN_IN_REQUIRED } from "./http/problem.js";
import { clientInfo } from "./sessions/client-info.js";
import { acceptableNewPassword, verifyCurrentPassword } from "./password/current-password.js";
import type { ClientInfo, SessionRevocationReason } from "./plugins/hooks.js";
import type { RevocationEvent } from "./revocation/revocation-list.js";
import type { AuthRuntime } from "./runtime.js";
import type { Tx } from "./db.js";
import { revokeSessions, type SessionSelection } from "./sessions/session-store.js";
import {
  deleteUserRow,
  findUserById,
  replacePasswordHash,
  updateUser,
} from "./users/user-store.js";

/** Why sessions are revoked and who asked: what the `sessionsRevoked` hook is told. */
export type Revocation = {
  reason: SessionRevocationReason;
  actorSessionId: string | null;
  client: ClientInfo | null;
};

/** Revokes the selected sessions and tells the hooks why; returns how many it revoked. */
export async function revokeSessionSelection(
  runtime: AuthRuntime,
  selection: SessionSelection,
  why: Revocation,
): Promise<number> {
  const { revokedIds } = await runtime.revocations.revoke(async (tx, now) => {
    const outcome = await revokeSessions(tx, runtime.tables, selection, now);
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
 * same transaction (a new password, a deleted account).
 */
export async function revokeAllSessions(
  runtime: AuthRuntime,
  userId: string,
  why: Revocation,
  change?: (tx: Tx, nowMs: number) => Promise<void>,
): Promise<void> {
  await runtime.revocations.revoke(async (tx, now) => {
    await change?.(tx, now);
    const { revokedIds } = await revokeSessions(tx, runtime.tables, { kind: "all", userId }, now);
    await runtime.hooks.emit("sessionsRevoked", { ...why, userId, sessionIds: revokedIds }, tx);
    return { events: [userEvent(userId, now)] };
  });
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

/**
 * Administrative changes that must reach every device at once: a new role gives fresh claims
 * on the next request; disabling or deleting signs the user out everywhere.
 */
export function createAdminApi(runtime: AuthRuntime) {
  const { tables, hooks } = runtime;
  const changeUser = (userId: string, apply: (tx: Tx, now: number) => Promise<boolean>) =>
    runtime.revocations.revoke(async (tx, now) => {
      const changed = await apply(tx, now);
      return { changed, events: changed ? [userEvent(userId, now)] : [] };
    });
  return {
    /** Sets a user's role; their next request on every device carries it. */
    async setRole(userId: string, role: string): Promise<boolean> {
      const outcome = await changeUser(userId, async (tx, now) => {
        const changed = await updateUser(tx, tables, userId, { role }, now);
        if (changed) await hooks.emit("userUpdated", { userId, change: { role } }, tx);
        return changed;
      });
      return outcome.changed;
    },
    /** Signs the user out everywhere and refuses their sign-ins until enabled again. */
    async disableUser(userId: string): Promise<boolean> {
      const outcome = await changeUser(userId, async (tx, now) => {
        const { revokedIds } = await revokeSessions(tx, tables, { kind: "all", userId }, now);
        const changed = await updateUser(tx, tables, userId, { disabledAt: new Date(now) }, now);
        if (!changed) return false;
        await hooks.emit("userUpdated", { userId, change: { disabled: true } }, tx);
        await hooks.emit(
          "sessionsRevoked",
          {
            userId,
            sessionIds: revokedIds,
            reason: "user_disabled",
            actorSessionId: null,
            client: null,
          },
          tx,
        );
        return true;
      });
      return outcome.changed;
    },
    async enableUser(userId: string): Promise<boolean> {
      const outcome = await changeUser(userId, async (tx, now) => {
        const changed = await updateUser(tx, tables, userId, { disabledAt: null }, now);
        if (changed) await hooks.emit("userUpdated", { userId, change: { disabled: false } }, tx);
        return changed;
      });
      return outcome.changed;
    },
    /** Deletes the user and everything that cascades from it; every device signed out. */
    async deleteUser(userId: string): Promise<boolean> {
      const outcome = await changeUser(userId, async (tx) => {
        // Hooks run first, while the user's rows still exist for them to read.
        const exists = (await findUserById(tx, tables, userId)) !== undefined;
        if (!exists) return false;
        await hooks.emit("userDeleted", { userId }, tx);
        return deleteUserRow(tx, tables, userId);
      });
      return outcome.changed;
    },
  };
}

export type AdminApi = ReturnType<typeof createAdminApi>;
