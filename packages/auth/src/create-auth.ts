import { createAdminApi } from "./account";
import { Authenticator } from "./authenticator";
import { systemClock } from "./clock";
import { AuthCookies } from "./http/cookies";
import { DAY_SECONDS, type AuthOptions } from "./options";
import { AbuseLimits, DEFAULT_ABUSE_LIMITS } from "./abuse/abuse-limits";
import { PasswordHasher, OWASP_ARGON2_BASELINE } from "./password/hasher";
import { DEFAULT_PASSWORD_POLICY } from "./password/policy";
import { Revocations } from "./revocation/revocations";
import { inProcessTransport } from "./revocation/transport";
import { createAuthRoutes } from "./routes";
import type { AuthRuntime } from "./runtime";
import { AccessTokenService } from "./tokens/access-token";
import { createKeyRing } from "./tokens/key-ring";

/**
 * Assembles the auth package: the middleware, the mountable routes, the admin API.
 * Loads the recent revocation events before it returns, so a restarted process never accepts
 * a token that was revoked before the restart.
 */
export async function createAuth(options: AuthOptions) {
  const clock = options.clock ?? systemClock;
  const accessTtlSeconds = options.accessTokenTtlSeconds ?? 600;
  const secure = options.secureCookies ?? true;
  const keys = await createKeyRing(options.secret, options.previousSecrets);
  const revocations = new Revocations(
    options.db,
    options.revocationTransport ?? inProcessTransport,
    clock,
    accessTtlSeconds * 1000,
  );
  const runtime: AuthRuntime = {
    db: options.db,
    clock,
    accessTtlSeconds,
    tokens: new AccessTokenService({
      keys,
      issuer: options.issuer ?? "hybrid-auth",
      audience: options.audience ?? "hybrid-auth",
      ttlSeconds: accessTtlSeconds,
      cacheSize: options.verifiedTokenCacheSize,
    }),
    revocations,
    hasher: new PasswordHasher(
      options.argon2 ?? OWASP_ARGON2_BASELINE,
      options.maxConcurrentHashes,
    ),
    passwordPolicy: { ...DEFAULT_PASSWORD_POLICY, ...options.password },
    cookies: new AuthCookies({
      secure,
      accessName: options.cookieNames?.access ?? "auth_access",
      sessionName: options.cookieNames?.session ?? "auth_session",
      readCookieHeader: options.readCookieHeader,
    }),
    lifetimes: {
      absoluteMs: (options.sessionAbsoluteTtlSeconds ?? 30 * DAY_SECONDS) * 1000,
      idleMs: (options.sessionIdleTtlSeconds ?? 7 * DAY_SECONDS) * 1000,
    },
    rotationGraceMs: (options.sessionRotationGraceSeconds ?? 20) * 1000,
    limits: new AbuseLimits(options.limiterStore ?? { kind: "memory" }, {
      ...DEFAULT_ABUSE_LIMITS,
      ...options.abuseLimits,
    }),
    getClientIp: options.getClientIp ?? (() => undefined),
    allowedOrigins: options.allowedOrigins ?? [],
  };
  await revocations.start();
  const authenticator = new Authenticator(runtime);
  return {
    /** Resolves `c.get("auth")` on every request it runs on (hot path, reissue, or null). */
    middleware: authenticator.middleware,
    /** 401 problem+json unless signed in; install after `middleware`. */
    requireAuth: authenticator.requireAuth,
    /** The auth routes of the HTTP contract; mount with `app.route("/api/auth", auth.routes)`. */
    routes: createAuthRoutes(runtime, authenticator),
    /** Role changes, disabling and deletion, effective on every device at once. */
    admin: createAdminApi(runtime),
    /** Stops receiving revocation events from other processes. */
    close: () => revocations.stop(),
    /** Internals for tests, benchmarks and diagnostics. */
    internals: runtime,
  };
}

export type Auth = Awaited<ReturnType<typeof createAuth>>;
