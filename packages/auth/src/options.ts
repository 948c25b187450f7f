import type { Context } from "hono";
import type { Clock } from "./clock";
import type { Db } from "./db";
import type { AbuseLimitOptions } from "./abuse/abuse-limits";
import type { LimiterStore } from "./abuse/limiter-store";
import type { Argon2Parameters } from "./password/hasher";
import type { PasswordPolicyOptions } from "./password/policy";
import type { RevocationTransport } from "./revocation/transport";
import type { SigningSecret } from "./tokens/key-ring";

/** Everything `createAuth` needs. Only `db` and `secret` are required. */
export type AuthOptions = {
  db: Db;
  /** Signs new access tokens (HS256, at least 32 bytes). */
  secret: SigningSecret;
  /** Older secrets still accepted for verification during a key rotation. */
  previousSecrets?: readonly SigningSecret[];
  clock?: Clock;
  /** Access-token lifetime in seconds (default 600). */
  accessTokenTtlSeconds?: number;
  /** Session lifetimes in seconds: absolute (default 30 days) and idle (default 7 days). */
  sessionAbsoluteTtlSeconds?: number;
  sessionIdleTtlSeconds?: number;
  /**
   * Session tokens rotate at most once per access-token lifetime; the previous token is still
   * honoured this many seconds (default 20) so racing tabs and requests keep working.
   */
  sessionRotationGraceSeconds?: number;
  issuer?: string;
  audience?: string;
  /** `__Host-` + `Secure` cookies. Default true; turn off only for plain-http development. */
  secureCookies?: boolean;
  cookieNames?: { access: string; session: string };
  password?: Partial<PasswordPolicyOptions>;
  argon2?: Argon2Parameters;
  /** argon2 computations at once (default: cores − 1, at least 1). */
  maxConcurrentHashes?: number;
  /** Brute-force and abuse limits (see `DEFAULT_ABUSE_LIMITS`). */
  abuseLimits?: Partial<AbuseLimitOptions>;
  /**
   * Where the limits count: memory (default; one process) or shared by every process —
   * `{ kind: "database", db }` or `{ kind: "redis", client }` (an ioredis client).
   */
  limiterStore?: LimiterStore;
  /**
   * Origins (besides the request's own) allowed to send state-changing requests; see
   * `requireSameOrigin`. The auth routes always apply this CSRF check.
   */
  allowedOrigins?: readonly string[];
  /** How revocations reach other processes (default: this process only). */
  revocationTransport?: RevocationTransport;
  /** The client's IP address; the default knows none. */
  getClientIp?: (c: Context) => string | undefined;
  /** The raw `Cookie` header; the default asks `c.req`. See `CookieSettings.readCookieHeader`. */
  readCookieHeader?: (c: Context) => string | undefined;
  /** How many verified access tokens to remember (default 10 000). */
  verifiedTokenCacheSize?: number;
};

export const DAY_SECONDS = 24 * 60 * 60;
