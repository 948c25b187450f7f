import type { Context, MiddlewareHandler } from "hono";
import {
  ProblemError,
  problemContextResponse,
  sessionEndedProblem,
  SIGN_IN_REQUIRED,
  type Problem,
} from "./http/problem.js";
import { refuseCrossSite, sameOriginCheck } from "./http/same-origin.js";
import { authorizationHeader } from "./http/authorization-header.js";
import {
  bearerToken,
  insufficientScope,
  markScopeGate,
  MIXED_CREDENTIALS,
  routeHasScopeGate,
} from "./http/bearer.js";
import { bearerSessionEnded, invalidBearerToken } from "./bearer/bearer-problems.js";
import { useBearerTransport } from "./bearer/token-sink.js";

import type { AuthRuntime } from "./runtime.js";
import { clientInfo } from "./sessions/client-info.js";
import {
  findEndedSessionReason,
  type EndedSessionKey,
  type SessionEndedReason,
} from "./sessions/ended-session.js";
import {
  findByRetiredToken,
  findByRotatedOutToken,
  retireSessionToken,
  revokeSessions,
  touchLiveSession,
} from "./sessions/session-store.js";
import { COMPACT_JWS, type AccessClaims } from "./tokens/access-token.js";
import {
  generateSessionToken,
  hashSessionToken,
  isWellFormedSessionToken,
} from "./tokens/session-token.js";

/**
 * Who is signed in on this request, from the access token's claims — or from an API key
 * (`apiKey` set): then `sessionId` is the key's id, `authTime` 0 (never recent) and the
 * request may reach only routes behind `requireScope` for one of the key's `scopes`.
 */
export type AuthState = AccessClaims & {
  apiKey?: { id: string; scopes: readonly string[] };
};

/** Checks a bearer token that is not an access JWT (an API key): see `PluginParts`. */
export type BearerAuthenticator = (
  token: string,
  c: Context,
) => AuthState | null | Promise<AuthState | null>;

/**
 * The Hono environment of an app behind the auth middleware.
 *
 * @example
 * const app = new Hono<AuthEnv>();
 * app.get("/hello", auth.middleware, (c) => c.text(c.get("auth")?.userId ?? "stranger"));
 */
export type AuthEnv = {
  Variables: {
    /** Set by the auth middleware: the signed-in user, or `null`. */
    auth: AuthState | null;
    /**
     * Set by the auth middleware when the request is anonymous because the session its
     * cookies name has ended: why (the 401 says it, `GET /session?optional=true` too).
     */
    sessionEnded?: SessionEndedReason;
  };
};

/**
 * What `requireAuth` guarantees to the handlers after it: `c.get("auth")` is never null.
 *
 * @example
 * app.get("/me", auth.middleware, auth.requireAuth, (c) => c.json({ id: c.get("auth").userId }));
 */
export type SignedInEnv = { Variables: { auth: AuthState } };

/**
 * Why the auth middleware found this request's session ended, if it did (see
 * {@link AuthEnv}'s `sessionEnded`).
 *
 * @example
 * if (!c.get("auth")) return c.json({ session: null, ended: sessionEndedReason(c) ?? null });
 */
export function sessionEndedReason(c: Context): SessionEndedReason | undefined {
  return (c as Context<AuthEnv>).get("sessionEnded");
}

/**
 * The 401 of a request without a signed-in user: `/problems/session-ended` with its `reason`
 * when its cookies named a session that has ended, else the plain "Sign in to continue."
 *
 * @example
 * if (!c.get("auth")) return problemContextResponse(c, signInRequired(c));
 */
export function signInRequired(c: Context): Problem {
  const reason = sessionEndedReason(c);
  return reason === undefined ? SIGN_IN_REQUIRED : sessionEndedProblem(reason);
}

/**
 * The signed-in user of a request behind the auth middleware, or a 401 problem thrown (with
 * the reason, when the session ended: {@link signInRequired}).
 *
 * @example
 * app.post("/notes", auth.middleware, async (c) => save(signedIn(c).userId, await c.req.json()));
 */
export function signedIn(c: Context): AuthState {
  const auth = c.get("auth") as AuthState | null | undefined;
  if (!auth) throw new ProblemError(signInRequired(c));
  return auth;
}

type Reissued = {
  token: string;
  claims: AccessClaims;
  /** When the session ends at the latest (its absolute lifetime). */
  sessionExpiresAt: Date;
  /** Set when this reissue rotated the session token: the browser gets the new one. */
  rotatedSession?: { token: string; expiresAt: Date };
  /** The token presented was already rotated out (honoured in the grace window). */
  rotatedOut?: true;
};

/**
 * What {@link Authenticator.refresh} hands a bearer client: a new access token, and the
 * session (refresh) token to use next time — a new one when this refresh rotated it.
 */
export type Refreshed = {
  accessToken: string;
  claims: AccessClaims;
  /**
   * The refresh token to keep: the new one when this refresh rotated it, the same one when it
   * did not, and none when the one presented was already rotated out by a concurrent refresh
   * (grace window): the client must keep the newer one it got there, never this old one.
   */
  refreshToken: string | undefined;
  refreshTokenExpiresAt: Date;
};

/** No session to reissue from: why it ended, when the failure path could tell. */
type NotReissued = { ended: SessionEndedReason | undefined };

const NO_SESSION: NotReissued = { ended: undefined };

const isReissued = (outcome: Reissued | NotReissued): outcome is Reissued => "claims" in outcome;

/**
 * The per-request protocol (docs/design.md):
 * 1. hot path: a valid, fresh access JWT authenticates with zero database queries;
 * 2. silent reissue: otherwise a live session cookie gets a new access JWT on this response;
 * 3. otherwise anonymous, and any invalid auth cookies are cleared.
 */
export class Authenticator {
  /** Concurrent reissues for one session token share one lookup (single flight). */
  readonly #inFlight = new Map<string, Promise<Reissued | NotReissued>>();

  readonly #isSameOrigin: (c: Context) => boolean;

  constructor(private readonly runtime: AuthRuntime) {
    this.#isSameOrigin = sameOriginCheck({ allowedOrigins: runtime.allowedOrigins });
  }

  /**
   * Everything a route behind auth needs, in one layer (each async layer costs the hot path):
   * `Cache-Control: no-store` (set before the handler: a header added after it rebuilds the
   * response), the CSRF check for unsafe methods, and the signed-in user. Idempotent: a host
   * app and the mounted auth routes may both install it; the second run does nothing.
   *
   * Not an async function: a request whose access token this process already verified (the
   * hot path) goes on to `next()` without an async frame of its own (decision 042).
   */
  readonly middleware: MiddlewareHandler<AuthEnv> = (c, next) => {
    if (c.get("auth") !== undefined) return next();
    let verified: AuthState | undefined;
    let accessToken: string | undefined;
    try {
      c.header("Cache-Control", "no-store");
      const bearer = bearerToken(authorizationHeader(c));
      if (bearer !== undefined) return this.#bearerRequest(c, next, bearer);
      if (!this.#isSameOrigin(c)) return Promise.resolve(refuseCrossSite(c));
      accessToken = this.runtime.cookies.readAccess(c);
      verified = this.#fromVerifiedToken(accessToken);
    } catch (error) {
      // As from an async function: a caller's `.catch()` sees every failure.
      return Promise.reject(error as Error);
    }
    if (verified === undefined) return this.#authenticateThenNext(c, next, accessToken);
    c.set("auth", verified);
    return next();
  };

  async #authenticateThenNext(
    c: Context<AuthEnv>,
    next: () => Promise<void>,
    accessToken: string | undefined,
  ): Promise<void> {
    c.set("auth", await this.authenticate(c, accessToken));
    await next();
  }

  /**
   * For a route that needs no session (it never reads one): `Cache-Control: no-store` and the
   * CSRF check of {@link middleware}, without looking the session up or touching its cookies.
   */
  readonly sessionFree: MiddlewareHandler = async (c, next) => {
    c.header("Cache-Control", "no-store");
    if (!this.#isSameOrigin(c)) return refuseCrossSite(c);
    return next();
  };

  /**
   * `Authorization: Bearer <token>`: the bearer transport. One credential per request (auth
   * cookies too: 400), no CSRF check (a bearer token is never sent ambiently), and no
   * anonymous fallback: a token that does not authenticate is a 401 `invalid_token`, so a
   * client knows to refresh. An access JWT is the core's; any other token goes to the
   * plugins' `authenticateBearer` (API keys), which reach only routes behind a scope gate
   * (`requireScope`): default-deny. Nothing the request is issued goes to `Set-Cookie`.
   */
  async #bearerRequest(
    c: Context<AuthEnv>,
    next: () => Promise<void>,
    token: string | null,
  ): Promise<Response | void> {
    const { cookies } = this.runtime;
    if (cookies.readAccess(c) !== undefined || cookies.readSession(c) !== undefined) {
      return problemContextResponse(c, MIXED_CREDENTIALS);
    }
    useBearerTransport(c);
    const outcome = token === null ? invalidBearerToken() : await this.#bearerState(c, token);
    if ("status" in outcome) return problemContextResponse(c, outcome);
    if (outcome.apiKey && !routeHasScopeGate(c)) {
      return problemContextResponse(c, insufficientScope(undefined));
    }
    c.set("auth", outcome);
    return next();
  }

  /** Who a bearer token names: an access JWT (the core), else the plugins, first answer wins. */
  async #bearerState(c: Context, token: string): Promise<AuthState | Problem> {
    if (COMPACT_JWS.test(token)) return this.#fromBearerAccessToken(token);
    for (const authenticate of this.runtime.bearerAuthenticators) {
      const state = await authenticate(token, c);
      if (state) return state;
    }
    return invalidBearerToken();
  }

  /** The claims of a bearer access token: the same checks as the cookie's, and the list's. */
  async #fromBearerAccessToken(token: string): Promise<AuthState | Problem> {
    const { tokens, revocations, clock } = this.runtime;
    const now = clock.now();
    const claims = tokens.verifyCached(token, now) ?? (await tokens.verify(token, now));
    if (!claims) return invalidBearerToken();
    if (!revocations.list.isStale(claims)) return claims;
    const { sessionId, userId } = claims;
    const ended = await this.#whyEnded({ sessionId, userId }, now);
    return ended === undefined ? invalidBearerToken() : bearerSessionEnded(ended);
  }

  /**
   * The bearer transport's refresh (`POST /token`, `grant_type=refresh_token`): exactly the
   * session cookie's silent reissue — the same single-flight lookup, rotation at most once per
   * access-token lifetime, grace window and reuse detection — with the pair handed back
   * instead of set as cookies. `ended` (maybe with why) when the token opens no session.
   *
   * @example
   * const outcome = await auth.authenticator.refresh(c, body.refresh_token);
   * if ("ended" in outcome) throw new ProblemError(invalidGrant(outcome.ended));
   */
  async refresh(
    c: Context,
    sessionToken: string,
  ): Promise<Refreshed | { ended: SessionEndedReason | undefined }> {
    if (!isWellFormedSessionToken(sessionToken)) return NO_SESSION;
    const outcome = await this.#reissueFresh(c, sessionToken, this.runtime.clock.now());
    if (!isReissued(outcome)) return outcome;
    const rotated = outcome.rotatedSession;
    return {
      accessToken: outcome.token,
      claims: outcome.claims,
      refreshToken: rotated?.token ?? (outcome.rotatedOut ? undefined : sessionToken),
      refreshTokenExpiresAt: rotated?.expiresAt ?? outcome.sessionExpiresAt,
    };
  }

  /** The hot path, synchronous: a token already verified here, unexpired and not revoked. */
  #fromVerifiedToken(accessToken: string | undefined): AuthState | undefined {
    if (accessToken === undefined) return undefined;
    const { tokens, revocations, clock } = this.runtime;
    const claims = tokens.verifyCached(accessToken, clock.now());
    return claims && !revocations.list.isStale(claims) ? claims : undefined;
  }

  /**
   * Answers 401 problem+json unless the middleware found a signed-in user; 403
   * `/problems/insufficient-scope` for an API key (use `requireScope` to admit keys).
   */
  readonly requireAuth: MiddlewareHandler<SignedInEnv> = async (c, next) => {
    const auth = (c as unknown as Context<AuthEnv>).get("auth");
    // Answered through the context, so the cookie-clearing headers of this request stay.
    if (!auth) return problemContextResponse(c, signInRequired(c));
    if (auth.apiKey) return problemContextResponse(c, insufficientScope(undefined));
    await next();
  };

  /**
   * Like `requireAuth`, and the one way in for API keys: a session passes, an API key only
   * with `scope` (else 403 `/problems/insufficient-scope`, `WWW-Authenticate: Bearer
   * error="insufficient_scope"`). Routes without it refuse every key.
   *
   * @example
   * app.get("/api/todos", auth.middleware, auth.requireScope("todos:read"), listTodos);
   */
  requireScope(scope: string): MiddlewareHandler<SignedInEnv> {
    return markScopeGate<MiddlewareHandler<SignedInEnv>>(async (c, next) => {
      const auth = (c as unknown as Context<AuthEnv>).get("auth");
      if (!auth) return problemContextResponse(c, signInRequired(c));
      if (auth.apiKey && !auth.apiKey.scopes.includes(scope)) {
        return problemContextResponse(c, insufficientScope(scope));
      }
      await next();
    });
  }

  /**
   * Steps 1–3 of the protocol; `accessToken` is the access cookie when already read. An
   * anonymous answer to a request whose cookies named an ended session sets `sessionEnded`.
   */
  async authenticate(
    c: Context,
    accessToken = this.runtime.cookies.readAccess(c),
  ): Promise<AuthState | null> {
    const { cookies, tokens, revocations, clock } = this.runtime;
    const now = clock.now();
    let staleClaims: AccessClaims | undefined;
    if (accessToken !== undefined) {
      const claims = await tokens.verify(accessToken, now);
      if (claims && !revocations.list.isStale(claims)) return claims;
      staleClaims = claims;
    }
    const sessionToken = cookies.readSession(c);
    const outcome =
      sessionToken !== undefined && isWellFormedSessionToken(sessionToken)
        ? await this.#reissueFresh(c, sessionToken, now)
        : staleClaims
          ? await this.#endedWithoutSessionCookie(staleClaims, now)
          : NO_SESSION;
    if (!isReissued(outcome)) {
      if (accessToken !== undefined || sessionToken !== undefined) cookies.clear(c);
      if (outcome.ended !== undefined) c.set("sessionEnded", outcome.ended);
      return null;
    }
    const reissued = outcome;
    cookies.setAccess(c, reissued.token, this.runtime.accessTtlSeconds);
    if (reissued.rotatedSession) {
      const { token, expiresAt } = reissued.rotatedSession;
      cookies.setSession(c, token, (expiresAt.getTime() - now) / 1000);
    }
    return reissued.claims;
  }

  /**
   * A shared (single-flight) lookup may have started before a revocation that committed
   * while it ran — a request sent after a logout answered could otherwise join it and be
   * served. A result the revocation list already calls stale gets one lookup of its own.
   */
  async #reissueFresh(
    c: Context,
    sessionToken: string,
    now: number,
  ): Promise<Reissued | NotReissued> {
    const shared = await this.#reissue(c, sessionToken, now);
    if (!isReissued(shared) || !this.runtime.revocations.list.isStale(shared.claims)) {
      return shared;
    }
    const fresh = await this.#lookUpAndMint(
      c,
      hashSessionToken(sessionToken),
      this.runtime.clock.now(),
    );
    if (!isReissued(fresh) || !shared.rotatedSession) return fresh;
    // The shared lookup rotated the token; keep handing the browser its new one.
    return { ...fresh, rotatedSession: fresh.rotatedSession ?? shared.rotatedSession };
  }

  /**
   * No usable session cookie: a validly signed access token that is stale may still name its
   * session, whose end has a reason (one query, only on this anonymous path).
   */
  async #endedWithoutSessionCookie(staleClaims: AccessClaims, now: number): Promise<NotReissued> {
    const { sessionId, userId } = staleClaims;
    return { ended: await this.#whyEnded({ sessionId, userId }, now) };
  }

  #whyEnded(key: EndedSessionKey, now: number): Promise<SessionEndedReason | undefined> {
    const { db, tables, lifetimes } = this.runtime;
    return findEndedSessionReason(db, tables, key, now, lifetimes);
  }

  #reissue(c: Context, sessionToken: string, now: number): Promise<Reissued | NotReissued> {
    const tokenHash = hashSessionToken(sessionToken);
    let pending = this.#inFlight.get(tokenHash);
    if (!pending) {
      pending = this.#lookUpAndMint(c, tokenHash, now).finally(() =>
        this.#inFlight.delete(tokenHash),
      );
      this.#inFlight.set(tokenHash, pending);
    }
    return pending;
  }

  /**
   * One statement finds and touches the session, rotating its token at most once per
   * access-token lifetime. A token that was rotated out is still honoured for a short grace
   * window (tabs and requests racing the rotation); after it, presenting it means two parties
   * hold the session: the whole session is revoked and the reuse recorded. When there is no
   * live session, one more query finds out why it ended.
   */
  async #lookUpAndMint(
    c: Context,
    tokenHash: string,
    now: number,
  ): Promise<Reissued | NotReissued> {
    const { db, tables, lifetimes, accessTtlSeconds, rotationGraceMs } = this.runtime;
    const nextToken = generateSessionToken();
    const session = await touchLiveSession(db, tables, tokenHash, now, lifetimes, {
      newTokenHash: hashSessionToken(nextToken),
      rotateAfterMs: accessTtlSeconds * 1000,
    });
    if (session?.rotated) {
      await retireSessionToken(db, tables, { sessionId: session.sessionId, tokenHash, nowMs: now });
    }
    if (session) {
      const rotatedSession = session.rotated
        ? { token: nextToken, expiresAt: session.expiresAt }
        : undefined;
      try {
        const minted = await this.#mint(session, now);
        return rotatedSession ? { ...minted, rotatedSession } : minted;
      } catch (error) {
        // The token was rotated: the browser must get the new one even if minting failed (a
        // plugin's claims), or its next request would look like a stolen token's.
        if (rotatedSession) {
          const maxAge = (rotatedSession.expiresAt.getTime() - now) / 1000;
          this.runtime.cookies.setSession(c, rotatedSession.token, maxAge);
        }
        throw error;
      }
    }
    const rotatedOut = await findByRotatedOutToken(db, tables, tokenHash, now, lifetimes);
    if (!rotatedOut) {
      // Not the current token nor the previous one: an older token of this session's family
      // is reuse too, however many rotations ago.
      const retired = await findByRetiredToken(db, tables, tokenHash, now, lifetimes);
      if (!retired) return { ended: await this.#whyEnded({ tokenHash }, now) };
      await this.#revokeReusedSession(c, retired);
      return { ended: "token_reuse" };
    }
    if (now - rotatedOut.rotatedAt.getTime() <= rotationGraceMs) {
      return { ...(await this.#mint(rotatedOut, now)), rotatedOut: true };
    }
    await this.#revokeReusedSession(c, rotatedOut);
    return { ended: "token_reuse" };
  }

  async #mint(
    session: {
      userId: string;
      sessionId: string;
      role: string;
      fields: Record<string, unknown>;
      authTime: Date;
      expiresAt: Date;
    },
    now: number,
  ): Promise<Reissued> {
    const { userId, sessionId, role, fields } = session;
    const claims = await this.runtime.claims.build({ userId, role, fields });
    const authTime = Math.floor(session.authTime.getTime() / 1000);
    const minted = await this.runtime.tokens.mint(
      { userId, sessionId, role, authTime, claims },
      now,
    );
    return { ...minted, sessionExpiresAt: session.expiresAt };
  }

  async #revokeReusedSession(c: Context, session: { userId: string; sessionId: string }) {
    const client = clientInfo(this.runtime, c);
    const { tables, hooks } = this.runtime;
    const reason = "token_reuse_detected";
    await this.runtime.revocations.revoke(async (tx, now) => {
      const outcome = await revokeSessions(tx, tables, { kind: "one", ...session }, now, reason);
      await hooks.emit(
        "sessionsRevoked",
        {
          userId: session.userId,
          sessionIds: [session.sessionId],
          reason,
          actorSessionId: null,
          client,
        },
        tx,
      );
      return outcome;
    });
  }
}
