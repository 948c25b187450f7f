import { eq } from "drizzle-orm";
import type { Tx } from "../db.js";
import { ProblemError } from "../http/problem.js";
import type { CoreTables } from "../schema/core-tables.js";
import { hasPassword } from "./user-store.js";

/** 409: removing it would leave the account with no way to sign in. */
export const LAST_SIGN_IN_METHOD_TYPE = "/problems/last-sign-in-method";

/**
 * The 409 {@link LAST_SIGN_IN_METHOD_TYPE} of a removal (a passkey, a connected provider…)
 * that would leave the account with no way to sign in. Every plugin answers this one.
 */
export const lastSignInMethod = () =>
  new ProblemError({
    status: 409,
    type: LAST_SIGN_IN_METHOD_TYPE,
    title: "Last way to sign in",
    detail:
      "This is the last way to sign in to your account. Set a password (through “Forgot password”) or add another way to sign in first.",
  });

/** A plugin's count of one user's ways to sign in (see `PluginParts.signInMethods`). */
export type SignInMethodCounter = (tx: Tx, userId: string) => Promise<number>;

/**
 * How many ways the user has left to sign in: 1 for a password of their own, plus each
 * plugin's count. Locks the user's row (`FOR UPDATE`, held already or taken now) so that two
 * removals counting at once wait for each other. 0 for an unknown user.
 */
export async function signInMethodsLeft(
  tx: Tx,
  tables: CoreTables,
  counters: readonly SignInMethodCounter[],
  userId: string,
): Promise<number> {
  const users = tables.users;
  const [user] = await tx
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, userId))
    .for("update");
  if (!user) return 0;
  let left = hasPassword(user) ? 1 : 0;
  for (const count of counters) left += await count(tx, userId);
  return left;
}
