import type { Context, MiddlewareHandler } from "hono";
import type { AuthState, SignedInEnv } from "../authenticator.js";
import { signedIn, signInRequired } from "../authenticator.js";
import {
  problemContextResponse,
  ProblemError,
  SIGN_IN_REQUIRED,
  type Problem,
} from "../http/problem.js";
import type { AuthRuntime } from "../runtime.js";
import { clientInfo } from "../sessions/client-info.js";
import { markReauthenticated } from "../sessions/session-store.js";
import type { UserRow } from "../schema/core-tables.js";
import { findUserById, hasPassword } from "../users/user-store.js";
import { factorsOf, stepUpMethodsOf } from "./factors.js";

/**
 * The problem type of a sensitive route refused for want of a recent proof of identity (401),
 * or of a proof too weak for this user (403); its `methods` say what is accepted.
 *
 * @example
 * if (problem.type === REAUTHENTICATION_REQUIRED_TYPE) askToConfirm(problem.methods);
 */
export const REAUTHENTICATION_REQUIRED_TYPE = "/problems/reauthentication-required";

/**
 * The step-up problem: 401 with the methods this user can prove themselves with and how long
 * a proof lasts. `status` is 403 when the request *was* a proof, just not a strong enough one.
 */
export function reauthenticationRequired(
  methods: readonly string[],
  maxAgeSeconds: number,
  status: 401 | 403 = 401,
): Problem {
  const strongerNeeded = status === 403;
  return {
    status,
    type: REAUTHENTICATION_REQUIRED_TYPE,
    title: "Confirm it's you",
    detail: strongerNeeded
      ? "Your account has a second factor: confirm it's you with it, not with your password."
      : "This action needs a recent sign-in. Confirm it's you to continue.",
    extensions: { methods, maxAgeSeconds },
  };
}

/** The methods this user can step up with (see `stepUpMethodsOf`). */
export async function stepUpMethods(runtime: AuthRuntime, userId: string): Promise<string[]> {
  const [factors, user] = await Promise.all([
    factorsOf(runtime.secondFactors, runtime.db, userId),
    findUserById(runtime.db, runtime.tables, userId),
  ]);
  return stepUpMethodsOf(factors, !user || hasPassword(user));
}

/**
 * 401 `/problems/reauthentication-required` unless the access token says the user proved who
 * they are within `reauthenticationMaxAgeSeconds`. The check itself reads only the token; the
 * refusal looks up which methods to offer.
 */
export function createRequireRecentAuth(runtime: AuthRuntime): MiddlewareHandler<SignedInEnv> {
  const maxAgeMs = runtime.reauthenticationMaxAgeSeconds * 1000;
  return async (c, next) => {
    // Typed signed-in, but a host may mount it without `requireAuth` in front.
    const auth = c.get("auth") as AuthState | null;
    if (!auth) return problemContextResponse(c, signInRequired(c));
    if (auth.authTime * 1000 >= runtime.clock.now() - maxAgeMs) return next();
    const methods = await stepUpMethods(runtime, auth.userId);
    return problemContextResponse(
      c,
      reauthenticationRequired(methods, runtime.reauthenticationMaxAgeSeconds),
    );
  };
}

/**
 * Records a step-up on this request's session (a proof the caller verified) and sets a fresh
 * access cookie carrying it, so the action the user retries next passes; also tells the hooks
 * (`accountChanged` "reauthenticated"). `known` is the user's row when the caller read it.
 */
export async function reauthenticated(
  runtime: AuthRuntime,
  c: Context,
  method: string,
  known?: UserRow,
): Promise<{ authTime: string }> {
  const auth = signedIn(c);
  const { db, tables, clock, lifetimes } = runtime;
  const now = clock.now();
  const user = known ?? (await findUserById(db, tables, auth.userId));
  if (!user || user.disabledAt) throw new ProblemError(SIGN_IN_REQUIRED);
  const authTime = await db.transaction(async (tx) => {
    const at = await markReauthenticated(tx, tables, auth, now, lifetimes);
    if (!at) return undefined;
    await runtime.hooks.emit(
      "accountChanged",
      {
        userId: auth.userId,
        change: "reauthenticated",
        sessionId: auth.sessionId,
        client: clientInfo(runtime, c),
        detail: { method },
      },
      tx,
    );
    return at;
  });
  if (!authTime) throw new ProblemError(SIGN_IN_REQUIRED);
  const claims = await runtime.claims.build({
    userId: user.id,
    role: user.role,
    fields: user.fields,
  });
  const minted = await runtime.tokens.mint(
    {
      userId: user.id,
      sessionId: auth.sessionId,
      role: user.role,
      authTime: Math.floor(authTime.getTime() / 1000),
      claims,
    },
    now,
  );
  runtime.cookies.setAccess(c, minted.token, runtime.accessTtlSeconds);
  c.set("auth", minted.claims);
  // In whole seconds, as the token (and `GET /session`) says it.
  return { authTime: new Date(minted.claims.authTime * 1000).toISOString() };
}
