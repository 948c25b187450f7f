import type { Context } from "hono";
import { ProblemError, type Problem } from "../http/problem.js";
import type { Tx } from "../db.js";
import type { UserRow } from "../schema/core-tables.js";
import type { AuthRuntime } from "../runtime.js";
import { startSession, type SessionOptions } from "../sign-in.js";
import { hashSessionToken, isWellFormedSessionToken } from "../tokens/session-token.js";
import { isUniqueViolation } from "../db.js";
import {
  findUserById,
  insertUser,
  lockUserForSignIn,
  NO_PASSWORD_HASH,
  toPublicUser,
  type PublicUser,
} from "../users/user-store.js";
import { factorsOf } from "./factors.js";
import { consumePendingSignIn, findPendingSignIn } from "./pending-sign-ins.js";

/**
 * The problem type of a second step whose pending sign-in is gone (expired, used, or its
 * password changed): the user starts again with the password.
 *
 * @example
 * if (problem.type === SECOND_FACTOR_EXPIRED_TYPE) backToPasswordStep();
 */
export const SECOND_FACTOR_EXPIRED_TYPE = "/problems/second-factor-expired";

const SECOND_FACTOR_EXPIRED: Problem = {
  status: 401,
  type: SECOND_FACTOR_EXPIRED_TYPE,
  title: "Sign in again",
  detail: "This sign-in has expired or was already completed. Enter your password again.",
};

const SIGN_IN_REFUSED: Problem = { status: 401, detail: "This account cannot sign in." };

/** A sign-in waiting for its second factor, as the second-factor routes see it. */
export type PendingSignInView = {
  id: string;
  userId: string;
  /** The browser had not signed in to this account before (no device cookie for it). */
  newDevice: boolean;
  /** The user's second-factor methods now (`totp`, `recovery_code`, `passkey`…). */
  methods: readonly string[];
};

/**
 * This browser's pending sign-in (its password was right within 5 minutes), or a 401
 * `/problems/second-factor-expired` that also clears the cookie.
 */
export async function pendingSignIn(runtime: AuthRuntime, c: Context): Promise<PendingSignInView> {
  const token = runtime.cookies.readPending(c);
  const pending =
    token !== undefined && isWellFormedSessionToken(token)
      ? await findPendingSignIn(
          runtime.db,
          runtime.tables,
          hashSessionToken(token),
          runtime.clock.now(),
        )
      : undefined;
  if (!pending) throw expired(runtime, c);
  const factors = await factorsOf(runtime.secondFactors, runtime.db, pending.userId);
  return {
    id: pending.id,
    userId: pending.userId,
    newDevice: pending.newDevice,
    methods: factors.map((f) => f.name),
  };
}

function expired(runtime: AuthRuntime, c: Context): ProblemError {
  // Set on the context: the problem response keeps it.
  runtime.cookies.clearPending(c);
  return new ProblemError(SECOND_FACTOR_EXPIRED);
}

/**
 * Consumes the pending sign-in (once: a second request with the same cookie gets the 401) and
 * opens the session like a password sign-in, its methods `["password", method]`. `prove`, when
 * given, uses the second factor up in the same transaction (marks the code's time step or the
 * recovery code used) and throws to refuse it: then nothing is consumed, neither the proof nor
 * the pending sign-in, and no session opens — a proof is never spent on a sign-in that failed.
 */
export async function completeSignIn(
  runtime: AuthRuntime,
  c: Context,
  pending: { id: string; userId: string; newDevice: boolean },
  method: string,
  prove?: (tx: Tx) => Promise<void>,
): Promise<PublicUser> {
  const { tables, clock } = runtime;
  const { user } = await startSession(
    runtime,
    c,
    async (tx) => {
      const consumed = await consumePendingSignIn(tx, tables, pending.id, clock.now());
      if (!consumed || consumed.userId !== pending.userId) throw expired(runtime, c);
      const current = await lockUserForSignIn(tx, tables, consumed.userId);
      if (!current || current.passwordHash !== consumed.passwordHash || current.disabledAt) {
        throw expired(runtime, c);
      }
      await prove?.(tx);
      return current;
    },
    { name: "signedIn", newDevice: pending.newDevice },
    ["password", method],
  );
  runtime.cookies.clearPending(c);
  runtime.devices.remember(c, user.email, clock.now());
  return toPublicUser(user, runtime.userFields);
}

/**
 * Opens a session for a user who proved who they are without a password (a passkey, an
 * OpenID provider): a disabled account is refused (401) and the plugins' session gates apply.
 */
export async function signInWith(
  runtime: AuthRuntime,
  c: Context,
  userId: string,
  methods: readonly string[],
  options: SessionOptions = {},
): Promise<PublicUser> {
  const { db, tables, clock } = runtime;
  const found = await findUserById(db, tables, userId);
  if (!found || found.disabledAt) throw new ProblemError(SIGN_IN_REFUSED);
  const knownDevice = runtime.devices.knownDevice(c, found.email, clock.now());
  const { user } = await startSession(
    runtime,
    c,
    async (tx) => {
      const current = await lockUserForSignIn(tx, tables, userId);
      if (!current || current.disabledAt) throw new ProblemError(SIGN_IN_REFUSED);
      return current;
    },
    { name: "signedIn", newDevice: knownDevice === undefined },
    methods,
    options,
  );
  runtime.devices.remember(c, user.email, clock.now());
  return toPublicUser(user, runtime.userFields);
}

/** What `signUpWith` creates: an account without a password. */
export type PasswordlessAccount = {
  email: string;
  name: string | null;
  /** The address was verified by whoever vouches for the user (an OpenID provider). */
  emailVerified: boolean;
};

/**
 * The problem `signUpWith` throws when the email belongs to an account already (a sign-up that
 * raced another); plugins compare `type`.
 */
export const EMAIL_TAKEN_TYPE = "/problems/email-taken";

/**
 * Creates an account without a password (see `NO_PASSWORD_HASH`) and opens its first session,
 * like `POST /register`: the user row, what `within` writes (an external identity), the
 * session and the hooks' rows (`signedUp`) commit together, or none of them. A taken email is
 * a 409 `/problems/email-taken`.
 */
export async function signUpWith(
  runtime: AuthRuntime,
  c: Context,
  account: PasswordlessAccount,
  methods: readonly string[],
  within?: (tx: Tx, user: UserRow) => Promise<void>,
  options: SessionOptions = {},
): Promise<{ user: PublicUser; sessionStarted: boolean }> {
  const { user, sessionStarted } = await startSession(
    runtime,
    c,
    async (tx) => {
      let created: UserRow;
      try {
        // A savepoint: a unique violation must not poison the transaction PostgreSQL-side.
        created = await tx.transaction((inner) =>
          insertUser(inner, runtime.tables, {
            email: account.email,
            name: account.name,
            passwordHash: NO_PASSWORD_HASH,
            fields: {},
            nowMs: runtime.clock.now(),
            emailVerified: account.emailVerified,
          }),
        );
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new ProblemError({
          status: 409,
          type: EMAIL_TAKEN_TYPE,
          title: "Email taken",
          detail: "An account with this email already exists. Sign in instead.",
        });
      }
      await within?.(tx, created);
      return created;
    },
    { name: "signedUp" },
    methods,
    options,
  );
  if (sessionStarted) runtime.devices.remember(c, user.email, runtime.clock.now());
  return { user: toPublicUser(user, runtime.userFields), sessionStarted };
}
