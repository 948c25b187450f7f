import type { Context } from "hono";
import type { Clock } from "./clock";
import type { Db } from "./db";
import type { Argon2Parameters } from "./password/hasher";
import type { PasswordPolicyOptions } from "./password/policy";
import type { RevocationTransport } from "./revocation/transport";
import type { SigningSecret } from "./tokens/key-ring";

export type ThrottleOptions = {
  /** Consecutive failed sign-ins per account and client before a cool-down. */
  maxFailures: number;
  /** How long the failure count is remembered and a cool-down lasts, in seconds. */
  failureWindowSeconds: number;
  /** Sign-in attempts per client per window, whatever the account. */
  maxAttemptsPerClient: number;
  attemptWindowSeconds: number;
};

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
  issuer?: string;
  audience?: string;
  /** `__Host-` + `Secure` cookies. Default true; turn off only for plain-http development. */
  secureCookies?: boolean;
  cookieNames?: { access: string; session: string };
  password?: Partial<PasswordPolicyOptions>;
  argon2?: Argon2Parameters;
  throttle?: Partial<ThrottleOptions>;
  /** How revocations reach other processes (default: this process only). */
  revocationTransport?: RevocationTransport;
  /** The client's IP address; the default knows none. */
  getClientIp?: (c: Context) => string | undefined;
  /** The raw `Cookie` header; the default asks `c.req`. See `CookieSettings.readCookieHeader`. */
  readCookieHeader?: (c: Context) => string | undefined;
  /** How many verified access tokens to remember (default 10 000). */
  verifiedTokenCacheSize?: number;
};

export const DEFAULT_THROTTLE: ThrottleOptions = {
  maxFailures: 5,
  failureWindowSeconds: 15 * 60,
  maxAttemptsPerClient: 30,
  attemptWindowSeconds: 5 * 60,
};

export const DAY_SECONDS = 24 * 60 * 60;
