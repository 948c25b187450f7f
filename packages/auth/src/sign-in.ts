import type { Context } from "hono";
import type { AuthState } from "./authenticator";
import { isUniqueViolation } from "./db";
import { limiterClientKey } from "./abuse/abuse-limits";
import { ProblemError } from "./http/problem";
import { normalizePassword, passwordProblem, personalWords } from "./password/policy";
import type { AuthRuntime } from "./runtime";
import { revokeSessions, insertSession } from "./sessions/session-store";
import { generateSessionToken, hashSessionToken } from "./tokens/session-token";
import {
  findUserByEmail,
  insertUser,
  normalizeEmail,
  lockUserForSignIn,
  replacePasswordHash,
  toPublicUser,
  type PublicUser,
} from "./users/user-store";
import type { UserRow } from "./schema";
import { clientInfo, recordSecurityEvent } from "./security-events";

const INVALID_CREDENTIALS = "Invalid email or password.";

export function clientKey(runtime: AuthRuntime, c: Context): string {
  return limiterClientKey(runtime.getClientIp(c));
}

/** A policy violation as a 422 naming the field, like any other validation error. */
export function invalidPassword(pointer: string, reason: string): ProblemError {
  return new ProblemError({
    status: 422,
    type: "/problems/validation",
    title: "Your request is not valid",
    detail: `The password ${reason}.`,
    errors: [{ pointer, detail: reason }],
  });
}

/**
 * Opens a new session for a signed-in user: a fresh random token (only its hash is stored),
 * a session row, a first access token, both cookies on this response. A session this browser
 * already had is revoked, so sign-in never keeps a planted or stale session alive.
 */
async function startSession(
  runtime: AuthRuntime,
  c: Context,
  user: UserRow,
  eventType: "signed_up" | "signed_in",
  verifiedPasswordHash: string,
): Promise<void> {
  const { db, clock, lifetimes, tokens, cookies } = runtime;
  const previous = c.get("auth") as AuthState | null | undefined;
  if (previous) {
    await runtime.revocations.revoke((tx, now) =>
      revokeSessions(
        tx,
        { kind: "one", userId: previous.userId, sessionId: previous.sessionId },
        now,
      ),
    );
  }
  const now = clock.now();
  const sessionToken = generateSessionToken();
  const client = clientInfo(runtime, c);
  const session = await db.transaction(async (tx) => {
    // The password was checked before this transaction; a password change or a disable may
    // have committed since. Lock the user row (a concurrent change waits for us, or we for it)
    // and open the session only if the account is still the one that was verified.
    const current = await lockUserForSignIn(tx, user.id);
    if (!current || current.passwordHash !== verifiedPasswordHash || current.disabledAt) {
      throw new ProblemError({ status: 401, detail: INVALID_CREDENTIALS });
    }
    const inserted = await insertSession(tx, {
      userId: user.id,
      tokenHash: hashSessionToken(sessionToken),
      nowMs: now,
      lifetimes,
      userAgent: client.userAgent,
      ip: client.ip,
    });
    await recordSecurityEvent(tx, {
      type: eventType,
      userId: user.id,
      sessionId: inserted.id,
      client,
      nowMs: now,
    });
    return { ...inserted, role: current.role };
  });
  const { token } = await tokens.mint(
    { userId: user.id, sessionId: session.id, role: session.role },
    now,
  );
  cookies.setSession(c, sessionToken, (session.expiresAt.getTime() - now) / 1000);
  cookies.setAccess(c, token, runtime.accessTtlSeconds);
}

export async function register(
  runtime: AuthRuntime,
  c: Context,
  input: { email: string; password: string; name?: string | null | undefined },
): Promise<PublicUser> {
  await runtime.limits.beforeSignUp(clientKey(runtime, c));
  const password = normalizePassword(input.password);
  const email = normalizeEmail(input.email);
  const problem = passwordProblem(
    password,
    runtime.passwordPolicy,
    personalWords(email, input.name),
  );
  if (problem) throw invalidPassword("/password", problem);
  const passwordHash = await runtime.hasher.hash(password);
  let user: UserRow;
  try {
    user = await insertUser(runtime.db, {
      email,
      name: input.name?.trim() || null,
      passwordHash,
      nowMs: runtime.clock.now(),
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new ProblemError({
      status: 409,
      detail: "An account with this email already exists. Sign in instead.",
    });
  }
  await startSession(runtime, c, user, "signed_up", passwordHash);
  return toPublicUser(user);
}

/**
 * Same status, body and (through a dummy verification) timing whether the email is unknown or
 * the password wrong. Throttled per account+client and per client.
 */
export async function login(
  runtime: AuthRuntime,
  c: Context,
  input: { email: string; password: string },
): Promise<PublicUser> {
  const { hasher, limits, db } = runtime;
  const email = normalizeEmail(input.email);
  const client = clientKey(runtime, c);
  try {
    await limits.beforeSignIn(client, email);
  } catch (error) {
    await recordFailure(runtime, c, "sign_in_throttled", await findUserByEmail(db, email));
    throw error;
  }
  const password = normalizePassword(input.password);
  const user = await findUserByEmail(db, email);
  const valid = user
    ? await hasher.verify(user.passwordHash, password)
    : await hasher.verifyDummy(password);
  if (!user || !valid || user.disabledAt) {
    await limits.recordFailure(client, email);
    await recordFailure(runtime, c, "sign_in_failed", user);
    throw new ProblemError({ status: 401, detail: INVALID_CREDENTIALS });
  }
  await limits.recordSuccess(client, email);
  let verifiedHash = user.passwordHash;
  if (hasher.needsRehash(user.passwordHash)) {
    const rehashed = await hasher.hash(password);
    const now = runtime.clock.now();
    if (await replacePasswordHash(db, user.id, user.passwordHash, rehashed, now)) {
      verifiedHash = rehashed;
    }
  }
  await startSession(runtime, c, user, "signed_in", verifiedHash);
  return toPublicUser(user);
}

/**
 * Failed and throttled attempts on an existing account show in its owner's activity. An
 * unknown email is recorded too (without a user): the same write on both paths keeps the
 * timing from telling which emails have accounts.
 */
async function recordFailure(
  runtime: AuthRuntime,
  c: Context,
  type: "sign_in_failed" | "sign_in_throttled",
  user: UserRow | undefined,
): Promise<void> {
  await recordSecurityEvent(runtime.db, {
    type,
    userId: user?.id ?? null,
    client: clientInfo(runtime, c),
    nowMs: runtime.clock.now(),
  });
}
