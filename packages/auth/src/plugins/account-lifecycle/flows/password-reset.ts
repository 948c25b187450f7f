import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { and, eq, gt } from "drizzle-orm";
import type { Tx } from "../../../db.js";
import type { UserRow } from "../../../schema/core-tables.js";
import { findUserById, lockUserForSignIn, normalizeEmail } from "../../../users/user-store.js";
import { mailBudget, mailContext, pageLink, queueMail, type LifecycleDeps } from "../deps.js";
import type { OutboxRow } from "../tables.js";
import type { MailPreparer } from "../mail/worker.js";
import { passwordChangedMail } from "../templates/password-changed.js";
import { resetPasswordMail } from "../templates/reset-password.js";
import { bindings, digest, TOKEN_PATTERN } from "../tokens.js";
import { badLink } from "./problems.js";

export const RESET_REQUEST_KIND = "reset-password";

/**
 * `POST /password/forgot`. Whatever the email, the request does the same work — the limits,
 * then one insert of a deferred message — and gets the same answer: whether an account exists
 * is decided by the mail worker, later, out of the request's sight ({@link prepareResetMail}).
 */
export async function forgotPassword(deps: LifecycleDeps, c: Context, email: string) {
  const address = normalizeEmail(email);
  await deps.limits.mailRequestsPerClient.consume(deps.context.limiterClient(c));
  await deps.limits.mailsPerAddress.consume(mailBudget("reset", address));
  await deps.context.db.transaction((tx) =>
    queueMail(deps, tx, {
      userId: null,
      kind: RESET_REQUEST_KIND,
      dedupeKey: `${RESET_REQUEST_KIND}:${randomUUID()}`,
      recipient: address,
      content: undefined,
    }),
  );
}

/**
 * The worker's half of a reset request: no account (or a disabled one) → nothing is sent and
 * the request leaves no trace; otherwise a reset token bound to the current password hash,
 * and its mail.
 */
export function resetMailPreparer(deps: LifecycleDeps): MailPreparer {
  const { tables } = deps.context;
  return async (tx: Tx, row: OutboxRow) => {
    const [user] = await tx
      .select()
      .from(tables.users)
      .where(eq(tables.users.email, row.recipient));
    if (!user || user.disabledAt) return undefined;
    const seconds = deps.options.tokenLifetimes.resetPasswordSeconds;
    const { token } = await deps.tokens.issue(tx, {
      userId: user.id,
      purpose: "reset_password",
      boundTo: bindings.password(user.passwordHash),
      ttlSeconds: seconds,
      nowMs: deps.context.clock.now(),
    });
    await deps.context.emit(
      "accountChanged",
      { userId: user.id, change: "password_reset_requested", sessionId: null, client: null },
      tx,
    );
    const content = resetPasswordMail(mailContext(deps), {
      link: pageLink(deps, "resetPassword", token),
      minutes: Math.round(seconds / 60),
    });
    return { userId: user.id, content };
  };
}

/** The live reset token's user, read without redeeming it (no hashing for a dead link). */
async function tokenHolder(deps: LifecycleDeps, token: string): Promise<UserRow | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const { db, tables, clock } = deps.context;
  const t = deps.tables.tokens;
  const [row] = await db
    .select()
    .from(t)
    .where(
      and(
        eq(t.tokenHash, digest(token)),
        eq(t.purpose, "reset_password"),
        gt(t.expiresAt, new Date(clock.now())),
      ),
    );
  const user = row && (await findUserById(db, tables, row.userId));
  return user && row.boundTo === bindings.password(user.passwordHash) ? user : undefined;
}

/**
 * `POST /password/reset/check`: whether a reset link still works, so the page can say so
 * before the user chooses a password. Redeems nothing.
 */
export async function checkResetLink(deps: LifecycleDeps, c: Context, token: string) {
  await deps.limits.tokenAttemptsPerClient.consume(deps.context.limiterClient(c));
  const holder = await tokenHolder(deps, token);
  if (!holder || holder.disabledAt) throw badLink("password reset");
}

/**
 * `POST /password/reset`: the new password replaces the one the token was bound to, every
 * session of the user is revoked (every process, from the commit on), the address counts as
 * verified (the link came to it), and a notice is mailed.
 */
export async function resetPassword(
  deps: LifecycleDeps,
  c: Context,
  input: { token: string; newPassword: string },
) {
  const { passwords, tables } = deps.context;
  passwords.assertCapacity();
  await deps.limits.tokenAttemptsPerClient.consume(deps.context.limiterClient(c));
  const holder = await tokenHolder(deps, input.token);
  if (!holder || holder.disabledAt) throw badLink("password reset");
  const password = passwords.acceptableNew(input.newPassword, holder, "/newPassword");
  const passwordHash = await passwords.hash(password);
  const client = deps.context.clientInfo(c);
  await deps.context.revokeEverywhere(
    holder.id,
    { reason: "password_reset", actorSessionId: null, client },
    async (tx, now) => {
      // Redeemed here, with the user locked: a second use, or a password change that
      // committed since the check above, finds the token gone or its binding stale.
      const row = await deps.tokens.redeem(tx, "reset_password", input.token, now);
      const user = row && (await lockUserForSignIn(tx, tables, row.userId));
      if (!row || !user || row.boundTo !== bindings.password(user.passwordHash)) {
        throw badLink("password reset");
      }
      await tx
        .update(tables.users)
        .set({
          passwordHash,
          emailVerifiedAt: user.emailVerifiedAt ?? new Date(now),
          updatedAt: new Date(now),
        })
        .where(eq(tables.users.id, user.id));
      // Whoever held the account before the owner took it back (a stolen password, or an
      // account registered with the owner's address before they did) keeps nothing: no
      // pending link, and no setting that hides a sign-in from the owner.
      await deps.tokens.revokeAll(tx, user.id);
      await tx.delete(deps.tables.preferences).where(eq(deps.tables.preferences.userId, user.id));
      await deps.context.emit(
        "accountChanged",
        { userId: user.id, change: "password_reset", sessionId: null, client },
        tx,
      );
      await queueMail(deps, tx, {
        userId: user.id,
        kind: "password-changed",
        dedupeKey: `password-changed:${row.id}`,
        recipient: user.email,
        content: passwordChangedMail(mailContext(deps), {
          how: "reset",
          forgotLink: pageLink(deps, "forgotPassword"),
        }),
      });
    },
  );
}
