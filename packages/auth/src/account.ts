import { eq } from "drizzle-orm";
import { limiterClientKey } from "./abuse/abuse-limits";
import { ProblemError, SIGN_IN_REQUIRED } from "./http/problem";
import { normalizePassword, passwordProblem, personalWords } from "./password/policy";
import type { RevocationEvent } from "./revocation/revocation-list";
import type { AuthRuntime } from "./runtime";
import { users, type SecurityEventType } from "./schema";
import { recordSecurityEvent, type ClientInfo } from "./security-events";
import type { Tx } from "./db";
import { revokeSessions, type SessionSelection } from "./sessions/session-store";
import { invalidPassword } from "./sign-in";
import { findUserById, updateUser } from "./users/user-store";

/** What the account's owner will see in their activity list. */
export type Audit = { type: SecurityEventType; client: ClientInfo; sessionId: string | null };

/** Revokes the selected sessions and records why; returns how many it revoked. */
export async function revokeSessionSelection(
  runtime: AuthRuntime,
  selection: SessionSelection,
  audit: Audit,
): Promise<number> {
  const { revokedIds } = await runtime.revocations.revoke(async (tx, now) => {
    const outcome = await revokeSessions(tx, selection, now);
    await recordSecurityEvent(tx, { ...audit, userId: selection.userId, nowMs: now });
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
 * access token already handed out is stale on the next request.
 */
export async function revokeAllSessions(
  runtime: AuthRuntime,
  userId: string,
  audit: Audit,
): Promise<void> {
  await runtime.revocations.revoke(async (tx, now) => {
    await revokeSessions(tx, { kind: "all", userId }, now);
    await recordSecurityEvent(tx, { ...audit, userId, nowMs: now });
    return { events: [userEvent(userId, now)] };
  });
}

/** Checks the current password, stores the new one, revokes every other session. */
export async function changePassword(
  runtime: AuthRuntime,
  current: { userId: string; sessionId: string },
  input: { currentPassword: string; newPassword: string },
  client: ClientInfo,
): Promise<void> {
  const { db, hasher, passwordPolicy, limits } = runtime;
  const clientKey = limiterClientKey(client.ip);
  const account = `user:${current.userId}`;
  await limits.beforePasswordChange(clientKey, current.userId);
  const user = await findUserById(db, current.userId);
  if (!user) throw new ProblemError(SIGN_IN_REQUIRED);
  const valid = await hasher.verify(user.passwordHash, normalizePassword(input.currentPassword));
  if (!valid) {
    // A stolen session must not become an oracle for guessing the password.
    await limits.recordFailure(clientKey, account);
    throw new ProblemError({
      status: 422,
      type: "/problems/validation",
      title: "Your request is not valid",
      detail: "The current password is not correct.",
      errors: [{ pointer: "/currentPassword", detail: "is not correct" }],
    });
  }
  const newPassword = normalizePassword(input.newPassword);
  const problem = passwordProblem(
    newPassword,
    passwordPolicy,
    personalWords(user.email, user.name),
  );
  if (problem) throw invalidPassword("/newPassword", problem);
  await limits.recordSuccess(clientKey, account);
  const passwordHash = await hasher.hash(newPassword);
  await runtime.revocations.revoke(async (tx, now) => {
    await updateUser(tx, user.id, { passwordHash }, now);
    await recordSecurityEvent(tx, {
      type: "password_changed",
      userId: user.id,
      sessionId: current.sessionId,
      client,
      nowMs: now,
    });
    return revokeSessions(
      tx,
      { kind: "allExcept", userId: user.id, keepSessionId: current.sessionId },
      now,
    );
  });
}

/**
 * Administrative changes that must reach every device at once: a new role gives fresh claims
 * on the next request; disabling or deleting signs the user out everywhere.
 */
export function createAdminApi(runtime: AuthRuntime) {
  const changeUser = (userId: string, apply: (tx: Tx, now: number) => Promise<boolean>) =>
    runtime.revocations.revoke(async (tx, now) => {
      const changed = await apply(tx, now);
      return { changed, events: changed ? [userEvent(userId, now)] : [] };
    });
  return {
    async setRole(userId: string, role: string): Promise<boolean> {
      return (await changeUser(userId, (tx, now) => updateUser(tx, userId, { role }, now))).changed;
    },
    async disableUser(userId: string): Promise<boolean> {
      return (
        await changeUser(userId, async (tx, now) => {
          await revokeSessions(tx, { kind: "all", userId }, now);
          return updateUser(tx, userId, { disabledAt: new Date(now) }, now);
        })
      ).changed;
    },
    async enableUser(userId: string): Promise<boolean> {
      return (
        await changeUser(userId, (tx, now) => updateUser(tx, userId, { disabledAt: null }, now))
      ).changed;
    },
    async deleteUser(userId: string): Promise<boolean> {
      return (
        await changeUser(userId, async (tx) => {
          const rows = await tx
            .delete(users)
            .where(eq(users.id, userId))
            .returning({ id: users.id });
          return rows.length > 0;
        })
      ).changed;
    },
  };
}

export type AdminApi = ReturnType<typeof createAdminApi>;
