import type { Context } from "hono";
import type { AuthState } from "./authenticator.js";
import type { SignInOrigin } from "./abuse/abuse-limits.js";
import { limiterClient } from "./abuse/limiter-client.js";
import { isUniqueViolation } from "./db.js";
import { ProblemError, validationError, type Problem } from "./http/problem.js";
import { HashingBusyError } from "./password/hasher.js";
import { normalizePassword, passwordProblem, personalWords } from "./password/policy.js";
import type { AuthRuntime } from "./runtime.js";
import type { Tx } from "./db.js";
import type { UserRow } from "./schema/core-tables.js";
import { clientInfo } from "./sessions/client-info.js";
import { revokeSessions, insertSession } from "./sessions/session-store.js";
import { generateSessionToken, hashSessionToken } from "./tokens/session-token.js";
import { factorsOf, requiresSecondStep } from "./second-factor/factors.js";
import { insertPendingSignIn, PENDING_SIGN_IN_TTL_MS } from "./second-factor/pending-sign-ins.js";
import {
  findUserByEmail,
  insertUser,
  normalizeEmail,
  lockUserForSignIn,
  replacePasswordHash,
  toPublicUser,
  type PublicUser,
} from "./users/user-store.js";

const INVALID_CREDENTIALS = "Invalid email or password.";

/** A policy violation as a 422 naming the field, like any other validation error. */
export function invalidPassword(pointer: string, reason: string): ProblemError {
  return validationError([{ pointer, detail: reason }], `The password ${reason}.`);
}

/** How a session that did not start with a password may say when the user proved who they are. */
export type SessionOptions = {
  /**
   * When the user last authenticated, if not now: an OpenID provider's `auth_time` (a login
   * it remembered is not a fresh one). `null`: unknown — the session does not count as a
   * recent authentication (`requireRecentAuth` asks for a step-up). Omitted: now.
   */
  authTime?: Date | null;
};

/** The session's authentication time (ms): `options.authTime`, never later than `now`. */
function authTimeOf(options: SessionOptions, now: number): number {
  if (options.authTime === undefined) return now;
  if (options.authTime === null) return 0;
  const at = options.authTime.getTime();
  return Number.isFinite(at) ? Math.min(Math.max(at, 0), now) : 0;
}

/** The account a new session is for, read (and locked) or created in its transaction. */
type SessionAccount = (tx: Tx) => Promise<UserRow>;

/**
 * Opens a new session: the account (read under lock, or created for a sign-up), a session row
 * with a fresh random token (only its hash is stored) and the plugins' hooks in one
 * transaction; then a first access token and both cookies on this response. A session this
 * browser already had is revoked, so sign-in never keeps a planted or stale session alive.
 */
export async function startSession(
  runtime: AuthRuntime,
  c: Context,
  account: SessionAccount,
  hook: { name: "signedUp" } | { name: "signedIn"; newDevice: boolean },
  methods: readonly string[],
  options: SessionOptions = {},
): Promise<{ user: UserRow; sessionStarted: boolean }> {
  const { db, tables, clock, lifetimes, tokens, cookies, hooks } = runtime;
  const client = clientInfo(runtime, c);
  const previous = c.get("auth") as AuthState | null | undefined;
  if (previous) {
    await runtime.revocations.revoke(async (tx, now) => {
      const outcome = await revokeSessions(
        tx,
        tables,
        { kind: "one", userId: previous.userId, sessionId: previous.sessionId },
        now,
        "replaced_by_sign_in",
      );
      await hooks.emit(
        "sessionsRevoked",
        {
          userId: previous.userId,
          sessionIds: outcome.revokedIds,
          reason: "replaced_by_sign_in",
          actorSessionId: previous.sessionId,
          client,
        },
        tx,
      );
      return outcome;
    });
  }
  const now = clock.now();
  const authTimeMs = authTimeOf(options, now);
  const sessionToken = generateSessionToken();
  const started = await db.transaction(async (tx) => {
    const user = await account(tx);
    // A plugin may refuse this user a session (an unverified email, say): a sign-in is
    // refused with its problem; a sign-up keeps the new account and starts no session.
    const refusal = sessionRefusal(runtime, user);
    if (refusal && hook.name === "signedIn") throw new ProblemError(refusal);
    if (refusal) {
      await hooks.emit("signedUp", { userId: user.id, sessionId: null, client }, tx);
      return { user, session: undefined, claims: {} };
    }
    const session = await insertSession(tx, tables, {
      userId: user.id,
      tokenHash: hashSessionToken(sessionToken),
      nowMs: now,
      lifetimes,
      userAgent: client.userAgent,
      ip: client.ip,
      signInMethods: methods,
      authTimeMs,
    });
    const event = { userId: user.id, sessionId: session.id, client };
    if (hook.name === "signedIn") {
      await hooks.emit("signedIn", { ...event, newDevice: hook.newDevice, methods }, tx);
    } else {
      await hooks.emit("signedUp", event, tx);
    }
    // Inside the transaction: a claims provider that fails leaves no half-made sign-up.
    const claims = await runtime.claims.build({
      userId: user.id,
      role: user.role,
      fields: user.fields,
    });
    return { user, session, claims };
  });
  const { user, session, claims } = started;
  if (!session) return { user, sessionStarted: false };
  const { token } = await tokens.mint(
    {
      userId: user.id,
      sessionId: session.id,
      role: user.role,
      authTime: Math.floor(authTimeMs / 1000),
      claims,
    },
    now,
  );
  cookies.setSession(c, sessionToken, (session.expiresAt.getTime() - now) / 1000);
  cookies.setAccess(c, token, runtime.accessTtlSeconds);
  return { user, sessionStarted: true };
}

function sessionRefusal(runtime: AuthRuntime, user: UserRow): Problem | undefined {
  for (const gate of runtime.sessionGates) {
    const refusal = gate(user);
    if (refusal) return refusal;
  }
  return undefined;
}

export async function register(
  runtime: AuthRuntime,
  c: Context,
  input: {
    email: string;
    password: string;
    name?: string | null | undefined;
    fields: Record<string, unknown>;
  },
): Promise<{ user: PublicUser; sessionStarted: boolean }> {
  runtime.hasher.assertCapacity(); // shed before any other work
  await runtime.limits.beforeSignUp(limiterClient(runtime, c));
  const password = normalizePassword(input.password);
  const email = normalizeEmail(input.email);
  const problem = passwordProblem(
    password,
    runtime.passwordPolicy,
    personalWords(email, input.name),
  );
  if (problem) throw invalidPassword("/password", problem);
  const passwordHash = await runtime.hasher.hash(password);
  // The user row, its first session and the hooks' rows commit together, or none of them.
  const createAccount: SessionAccount = async (tx) => {
    try {
      return await insertUser(tx, runtime.tables, {
        email,
        name: input.name?.trim() || null,
        passwordHash,
        fields: input.fields,
        nowMs: runtime.clock.now(),
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ProblemError({
        status: 409,
        detail: "An account with this email already exists. Sign in instead.",
      });
    }
  };
  const { user, sessionStarted } = await startSession(
    runtime,
    c,
    createAccount,
    { name: "signedUp" },
    ["password"],
  );
  if (sessionStarted) runtime.devices.remember(c, email, runtime.clock.now());
  return { user: toPublicUser(user, runtime.userFields), sessionStarted };
}

/**
 * Same status, body and (through a dummy verification) timing whether the email is unknown or
 * the password wrong. Throttled per account+client, per client, and per account across
 * clients for browsers that never signed in to it (device cookies, decision 014).
 */
export async function login(
  runtime: AuthRuntime,
  c: Context,
  input: { email: string; password: string },
): Promise<SignInOutcome> {
  const { hasher, limits, db, tables } = runtime;
  hasher.assertCapacity(); // shed before any other work
  const email = normalizeEmail(input.email);
  const client = limiterClient(runtime, c);
  const knownDevice = runtime.devices.knownDevice(c, email, runtime.clock.now());
  let origin: SignInOrigin;
  try {
    origin = await limits.beforeSignIn(client, email, knownDevice);
  } catch (error) {
    await reportFailure(runtime, c, "throttled", await findUserByEmail(db, tables, email));
    throw error;
  }
  const password = normalizePassword(input.password);
  let user: UserRow | undefined;
  let valid: boolean;
  try {
    user = await findUserByEmail(db, tables, email);
    valid = user
      ? await hasher.verify(user.passwordHash, password)
      : await hasher.verifyDummy(password);
  } catch (error) {
    // Shed (503) or failed before the password was judged: the attempt counts as nothing.
    await limits.signInAbandoned(client, email, origin);
    throw error;
  }
  if (!user || !valid || user.disabledAt) {
    await limits.signInFailed(client, email);
    await reportFailure(runtime, c, "invalid_credentials", user);
    throw new ProblemError({ status: 401, detail: INVALID_CREDENTIALS });
  }
  await limits.signInSucceeded(client, email, origin);
  let verifiedHash = user.passwordHash;
  // Upgrading an old hash is a favour, not part of signing in: a busy hasher skips it.
  const rehashed = hasher.needsRehash(user.passwordHash)
    ? await hasher.hash(password).catch((error: unknown) => {
        if (error instanceof HashingBusyError) return undefined;
        throw error;
      })
    : undefined;
  if (rehashed) {
    const hashes = { expected: user.passwordHash, next: rehashed };
    if (await replacePasswordHash(db, tables, user.id, hashes, runtime.clock.now())) {
      verifiedHash = rehashed;
    }
  }
  // The password was checked before this transaction; a password change or a disable may have
  // committed since. Lock the user row (a concurrent change waits for us, or we for it) and
  // open the session only if the account is still the one that was verified.
  const verifiedAccount: SessionAccount = async (tx) => {
    const current = await lockUserForSignIn(tx, tables, user.id);
    if (!current || current.passwordHash !== verifiedHash || current.disabledAt) {
      throw new ProblemError({ status: 401, detail: INVALID_CREDENTIALS });
    }
    return current;
  };
  const newDevice = knownDevice === undefined;
  const factors = await factorsOf(runtime.secondFactors, db, user.id);
  if (requiresSecondStep(factors)) {
    await startPendingSignIn(runtime, c, verifiedAccount, { verifiedHash, newDevice });
    return { twoFactorRequired: true, methods: factors.map((factor) => factor.name) };
  }
  const { user: current } = await startSession(
    runtime,
    c,
    verifiedAccount,
    { name: "signedIn", newDevice },
    ["password"],
  );
  runtime.devices.remember(c, email, runtime.clock.now());
  return { user: toPublicUser(current, runtime.userFields) };
}

/** What `POST /login` answers: a session, or the need for a second factor. */
export type SignInOutcome =
  { user: PublicUser } | { twoFactorRequired: true; methods: readonly string[] };

/**
 * The password was right and the account has a second factor: no session yet, only a pending
 * sign-in (5 minutes, single use) that the second-factor routes turn into one. The account's
 * gates apply now, so a refusal (an unverified email) is not hidden behind the second step.
 */
async function startPendingSignIn(
  runtime: AuthRuntime,
  c: Context,
  verifiedAccount: SessionAccount,
  verified: { verifiedHash: string; newDevice: boolean },
): Promise<void> {
  const token = generateSessionToken();
  await runtime.db.transaction(async (tx) => {
    const user = await verifiedAccount(tx);
    const refusal = sessionRefusal(runtime, user);
    if (refusal) throw new ProblemError(refusal);
    await insertPendingSignIn(tx, runtime.tables, {
      userId: user.id,
      tokenHash: hashSessionToken(token),
      passwordHash: verified.verifiedHash,
      newDevice: verified.newDevice,
      nowMs: runtime.clock.now(),
    });
    // The owner learns that someone knows the password, even if the second step never comes.
    await runtime.hooks.emit(
      "accountChanged",
      {
        userId: user.id,
        change: "second_factor_requested",
        sessionId: null,
        client: clientInfo(runtime, c),
      },
      tx,
    );
  });
  runtime.cookies.setPending(c, token, PENDING_SIGN_IN_TTL_MS / 1000);
}

/** Failed and throttled attempts, for the plugins that record them (security events). */
async function reportFailure(
  runtime: AuthRuntime,
  c: Context,
  reason: "invalid_credentials" | "throttled",
  user: UserRow | undefined,
): Promise<void> {
  await runtime.hooks.emit(
    "signInFailed",
    { userId: user?.id ?? null, reason, client: clientInfo(runtime, c) },
    runtime.db,
  );
}
