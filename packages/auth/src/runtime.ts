import type { Context } from "hono";
import type { AbuseLimits } from "./abuse/abuse-limits";
import type { Clock } from "./clock";
import type { Db } from "./db";
import type { AuthCookies } from "./http/cookies";
import type { PasswordHasher } from "./password/hasher";
import type { PasswordPolicyOptions } from "./password/policy";
import type { Revocations } from "./revocation/revocations";
import type { SessionLifetimes } from "./sessions/session-store";
import type { AccessTokenService } from "./tokens/access-token";

/** The assembled parts every route and the middleware share. Built once by `createAuth`. */
export type AuthRuntime = {
  db: Db;
  clock: Clock;
  tokens: AccessTokenService;
  accessTtlSeconds: number;
  revocations: Revocations;
  hasher: PasswordHasher;
  passwordPolicy: PasswordPolicyOptions;
  cookies: AuthCookies;
  lifetimes: SessionLifetimes;
  /** How long a rotated-out session token is still honoured. */
  rotationGraceMs: number;
  limits: AbuseLimits;
  getClientIp: (c: Context) => string | undefined;
  allowedOrigins: readonly string[];
};
