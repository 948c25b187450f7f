import type { Context, MiddlewareHandler } from "hono";
import { problemContextResponse, type Problem } from "./http/problem";

const SIGN_IN_REQUIRED: Problem = { status: 401, detail: "Sign in to continue." };
import type { AuthRuntime } from "./runtime";
import { touchLiveSession } from "./sessions/session-store";
import type { AccessClaims } from "./tokens/access-token";
import { hashSessionToken, isWellFormedSessionToken } from "./tokens/session-token";

/** Who is signed in on this request, from the access token's claims. */
export type AuthState = AccessClaims;

export type AuthEnv = {
  Variables: {
    /** Set by the auth middleware: the signed-in user, or `null`. */
    auth: AuthState | null;
  };
};

type Reissued = { token: string; claims: AccessClaims };

/**
 * The per-request protocol of DESIGN.md:
 * 1. hot path: a valid, fresh access JWT authenticates with zero database queries;
 * 2. silent reissue: otherwise a live session cookie gets a new access JWT on this response;
 * 3. otherwise anonymous, and any invalid auth cookies are cleared.
 */
export class Authenticator {
  /** Concurrent reissues for one session token share one lookup (single flight). */
  readonly #inFlight = new Map<string, Promise<Reissued | undefined>>();

  constructor(private readonly runtime: AuthRuntime) {}

  readonly middleware: MiddlewareHandler<AuthEnv> = async (c, next) => {
    // Idempotent: a host app and the mounted routes may both install it.
    if (c.get("auth") === undefined) c.set("auth", await this.authenticate(c));
    await next();
  };

  /** Answers 401 problem+json unless the middleware found a signed-in user. */
  readonly requireAuth: MiddlewareHandler<AuthEnv> = async (c, next) => {
    // Answered through the context, so the cookie-clearing headers of this request stay.
    if (!c.get("auth")) return problemContextResponse(c, SIGN_IN_REQUIRED);
    await next();
  };

  async authenticate(c: Context): Promise<AuthState | null> {
    const { cookies, tokens, revocations, clock } = this.runtime;
    const now = clock.now();
    const accessToken = cookies.readAccess(c);
    if (accessToken !== undefined) {
      const claims = await tokens.verify(accessToken, now);
      if (claims && !revocations.list.isStale(claims)) return claims;
    }
    const sessionToken = cookies.readSession(c);
    const reissued =
      sessionToken !== undefined && isWellFormedSessionToken(sessionToken)
        ? await this.#reissue(sessionToken, now)
        : undefined;
    if (!reissued) {
      if (accessToken !== undefined || sessionToken !== undefined) cookies.clear(c);
      return null;
    }
    cookies.setAccess(c, reissued.token, this.runtime.accessTtlSeconds);
    return reissued.claims;
  }

  #reissue(sessionToken: string, now: number): Promise<Reissued | undefined> {
    const tokenHash = hashSessionToken(sessionToken);
    let pending = this.#inFlight.get(tokenHash);
    if (!pending) {
      pending = this.#lookUpAndMint(tokenHash, now).finally(() => this.#inFlight.delete(tokenHash));
      this.#inFlight.set(tokenHash, pending);
    }
    return pending;
  }

  async #lookUpAndMint(tokenHash: string, now: number): Promise<Reissued | undefined> {
    const { db, lifetimes, tokens } = this.runtime;
    const session = await touchLiveSession(db, tokenHash, now, lifetimes);
    if (!session) return undefined;
    return tokens.mint(session, now);
  }
}
