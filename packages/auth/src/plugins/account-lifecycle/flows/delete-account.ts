import type { Context } from "hono";
import { eq, or, sql } from "drizzle-orm";
import { isTransactionConflictError, ProblemError } from "../../../http/problem.js";
import { findUserById } from "../../../users/user-store.js";
import type { LifecycleDeps } from "../deps.js";

/**
 * `DELETE /me`: re-authenticates, then deletes the user — every row of theirs goes with it
 * (sessions, tokens, queued mail, events and the host's rows cascade from the user), their
 * limiter counters too — and stales every access token already handed out. Only the
 * user-wide revocation event remains, an opaque id the retention job prunes after one
 * access-token lifetime.
 */
export async function deleteAccount(
  deps: LifecycleDeps,
  c: Context,
  current: { userId: string; sessionId: string },
  input: { password: string },
) {
  const { db, tables, passwords } = deps.context;
  passwords.assertCapacity();
  const user = await findUserById(db, tables, current.userId);
  if (!user) throw new ProblemError({ status: 401, detail: "Sign in first." });
  await passwords.verifyCurrent(c, user, input.password, { pointer: "/password" });
  // The cascade locks the user's rows in every table that references it; a request writing
  // one of them at the same moment (a to-do from another tab) can make PostgreSQL pick this
  // transaction as a deadlock victim. It rolled back whole: run it again.
  await retryOnConflict(() => deleteRows(deps, current, user));
  deps.context.clearCookies(c, { forgetDeviceOf: user.email });
}

async function deleteRows(
  deps: LifecycleDeps,
  current: { sessionId: string },
  user: { id: string; email: string },
) {
  const { tables } = deps.context;
  await deps.context.revokeEverywhere(
    user.id,
    { reason: "account_deleted", actorSessionId: current.sessionId, client: null },
    async (tx) => {
      // Hooks first, while the user's rows still exist for them to read.
      await deps.context.emit("userDeleted", { userId: user.id }, tx);
      await tx.delete(tables.users).where(eq(tables.users.id, user.id));
      const { rateLimits } = tables;
      await tx
        .delete(rateLimits)
        .where(
          or(
            sql`position(${user.email} in ${rateLimits.key}) > 0`,
            sql`position(${user.id} in ${rateLimits.key}) > 0`,
          ),
        );
    },
  );
}

async function retryOnConflict(work: () => Promise<void>, attempts = 4): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isTransactionConflictError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
    }
  }
}
