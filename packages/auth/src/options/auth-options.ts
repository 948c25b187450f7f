import type { Context } from "hono";
import type { Clock } from "../clock.js";
import type { Db } from "../db.js";
import type { AbuseLimitOptions } from "../abuse/abuse-limits.js";
import type { LimiterStore } from "../abuse/limiter-store.js";
import type { Argon2Parameters } from "../password/hasher.js";
import type { PasswordPolicyOptions } from "../password/policy.js";
import type { HookErrorHandler } from "../plugins/hooks.js";
import type { AuthPlugin } from "../plugins/plugin.js";
import type { RetentionOptions } from "../retention/retention.js";
import type { RevocationTransport } from "../revocation/transport.js";
import type { SigningSecret } from "../tokens/key-ring.js";
import type { SigningKeysOption } from "../tokens/signing-keys.js";
import type { UserFieldDefinitions } from "../users/user-fields.js";

/**
 * Everything `createAuth` needs. Only `db` and `secret` are required; every option is
 * validated when `createAuth` runs, and a bad one throws an `AuthConfigError` naming it.
 */
export type AuthOptions = {
  /** A drizzle PostgreSQL database (PGlite, postgres.js, node-postgres). */
  db: Db;
  /**
   * Signs new access tokens (HS256) unless `signingKeys` is set, and always the device
   * cookies and the plugins' derived keys: at least 32 bytes, not a repeated pattern.
   */
  secret: SigningSecret;
  /** Older secrets still accepted for verification during a key rotation (`kid` picks one). */
  previousSecrets?: readonly SigningSecret[] | undefined;
  /**
   * Sign access tokens with an asymmetric key instead (`EdDSA` or `ES256`, private JWKs), so
   * other services can verify them with the public keys `auth.wellKnown` serves at
   * `/.well-known/jwks.json`. Only tokens of this algorithm are then accepted (HS256 ones
   * are refused: a session reissues its token once). See docs/signing-keys.md.
   */
  signingKeys?: SigningKeysOption | undefined;
  /** `{ now(): number }` in ms; inject one in tests. Default: the system clock. */
  clock?: Clock | undefined;
  /** Access-token lifetime in seconds, and how long revocations are kept in memory (600). */
  accessTokenTtlSeconds?: number | undefined;
  /** Absolute session lifetime in seconds (30 days); never extended by use. */
  sessionAbsoluteTtlSeconds?: number | undefined;
  /** Idle session lifetime in seconds (7 days). */
  sessionIdleTtlSeconds?: number | undefined;
  /**
   * How recent a proof of identity sensitive actions need, in seconds (600): past it they
   * answer 401 `/problems/reauthentication-required` until the user steps up.
   */
  reauthenticationMaxAgeSeconds?: number | undefined;
  /**
   * Session tokens rotate at most once per access-token lifetime; the previous token is still
   * honoured this many seconds (20) so racing tabs and requests keep working.
   */
  sessionRotationGraceSeconds?: number | undefined;
  /** The access token's `iss` (`hybrid-auth`). */
  issuer?: string | undefined;
  /** The access token's `aud` (`hybrid-auth`). */
  audience?: string | undefined;
  /** `__Host-` + `Secure` cookies (true); turn off only for plain-http development. */
  secureCookies?: boolean | undefined;
  /**
   * Cookie names before any `__Host-` prefix (`auth_access`, `auth_session`, `auth_device`,
   * and `auth_pending` for a sign-in waiting for its second factor).
   */
  cookieNames?:
    | {
        access: string;
        session: string;
        device?: string | undefined;
        pending?: string | undefined;
      }
    | undefined;
  /** Password policy: min 8, max 256 characters and 1 KiB, zxcvbn score ≥ 3. */
  password?: Partial<PasswordPolicyOptions> | undefined;
  /** argon2id parameters (OWASP baseline: m=19 MiB, t=2, p=1); lower ones are refused. */
  argon2?: Argon2Parameters | undefined;
  /** argon2 computations at once (cores − 1, at least 1). */
  maxConcurrentHashes?: number | undefined;
  /** argon2 computations allowed to wait (16 × maxConcurrentHashes); beyond, 503 at once. */
  maxQueuedHashes?: number | undefined;
  /**
   * The nice value (1–19) of the threads argon2 runs on, so that a sign-in flood on a
   * single core yields the core to the event loop (Linux only; decision 008). 0 runs argon2
   * on libuv's thread pool at the process's own priority, as on other systems. Default 10.
   */
  hashThreadNice?: number | undefined;
  /** Brute-force and abuse limits (`DEFAULT_ABUSE_LIMITS`), any subset. */
  abuseLimits?: Partial<AbuseLimitOptions> | undefined;
  /**
   * Where the limits count: memory (default; one process) or shared by every process —
   * `{ kind: "database", db }` or `{ kind: "redis", client }` (an ioredis client).
   */
  limiterStore?: LimiterStore | undefined;
  /** Origins besides the request's own allowed to send state-changing requests (none). */
  allowedOrigins?: readonly string[] | undefined;
  /** How revocations reach other processes (this process only; see `RevocationTransport`). */
  revocationTransport?: RevocationTransport | undefined;
  /**
   * Reverse proxies in front of the app (0). The client address is the connection's peer;
   * behind N trusted proxies, the N-th address from the right of `X-Forwarded-For`.
   */
  trustedProxies?: number | undefined;
  /** The client's address, replacing the default of `trustedProxies` and the connection. */
  getClientIp?: ((c: Context) => string | undefined) | undefined;
  /** The raw `Cookie` header (default: Node's raw headers when present, else `c.req`). */
  readCookieHeader?: ((c: Context) => string | undefined) | undefined;
  /** How many verified access tokens to remember (10 000). */
  verifiedTokenCacheSize?: number | undefined;
  /** Prepended to every table and index name of the package and its plugins (`""`). */
  tablePrefix?: string | undefined;
  /** Plugins, set up in order (none). See `definePlugin`. */
  plugins?: readonly AuthPlugin[] | undefined;
  /** Extra user fields accepted at sign-up and shown in `user` (none). */
  userFields?: UserFieldDefinitions | undefined;
  /** Told of a failed `sessionsRevoked` hook; the revocation commits anyway (`console.error`). */
  onHookError?: HookErrorHandler | undefined;
  /**
   * The data-retention job: dead sessions, old revocation events, expired limiter rows and
   * the plugins' own (security events past their window) pruned in small batches, hourly,
   * one process at a time. See `RetentionOptions`.
   */
  retention?: RetentionOptions | undefined;
};

/** Every option's name, once: the compiler keeps it equal to the keys of `AuthOptions`. */
export const AUTH_OPTION_NAMES = Object.keys({
  db: true,
  secret: true,
  previousSecrets: true,
  signingKeys: true,
  clock: true,
  accessTokenTtlSeconds: true,
  reauthenticationMaxAgeSeconds: true,
  sessionAbsoluteTtlSeconds: true,
  sessionIdleTtlSeconds: true,
  sessionRotationGraceSeconds: true,
  issuer: true,
  audience: true,
  secureCookies: true,
  cookieNames: true,
  password: true,
  argon2: true,
  maxConcurrentHashes: true,
  maxQueuedHashes: true,
  hashThreadNice: true,
  abuseLimits: true,
  limiterStore: true,
  allowedOrigins: true,
  revocationTransport: true,
  trustedProxies: true,
  getClientIp: true,
  readCookieHeader: true,
  verifiedTokenCacheSize: true,
  tablePrefix: true,
  plugins: true,
  userFields: true,
  onHookError: true,
  retention: true,
} satisfies Record<keyof AuthOptions, true>) as (keyof AuthOptions)[];

export const DAY_SECONDS = 24 * 60 * 60;
