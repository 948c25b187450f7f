import type { Context } from "hono";
import type { AbuseLimits } from "./abuse/abuse-limits.js";
import type { DeviceCookies } from "./abuse/device-cookie.js";
import type { BearerAuthenticator } from "./authenticator.js";
import type { Clock } from "./clock.js";
import type { Db } from "./db.js";
import type { AuthCookies } from "./http/cookies.js";
import type { PasswordHasher } from "./password/hasher.js";
import type { PasswordPolicyOptions } from "./password/policy.js";
import type { HookRunner } from "./plugins/hooks.js";
import type { Revocations } from "./revocation/revocations.js";
import type { CoreTables, UserRow } from "./schema/core-tables.js";
import type { Problem } from "./http/problem.js";
import type { SessionLifetimes } from "./sessions/session-store.js";
import type { AccessTokenService } from "./tokens/access-token.js";
import type { ClaimsBuilder } from "./tokens/claims-builder.js";
import type { UserFieldDefinitions } from "./users/user-fields.js";
import type { SecondFactorProvider } from "./second-factor/factors.js";

/** The assembled parts every route and the middleware share. Built once by `createAuth`. */
export type AuthRuntime = {
  db: Db;
  tables: CoreTables;
  clock: Clock;
  tokens: AccessTokenService;
  /** Plugin claims for the tokens minted at sign-in and reissue. */
  claims: ClaimsBuilder;
  accessTtlSeconds: number;
  revocations: Revocations;
  hasher: PasswordHasher;
  passwordPolicy: PasswordPolicyOptions;
  cookies: AuthCookies;
  lifetimes: SessionLifetimes;
  /** How long a rotated-out session token is still honoured. */
  rotationGraceMs: number;
  limits: AbuseLimits;
  /** Browsers that signed in to an account before (exempt from its account-wide limit). */
  devices: DeviceCookies;
  hooks: HookRunner;
  /** The plugins' second factors (`PluginParts.secondFactor`). */
  secondFactors: readonly SecondFactorProvider[];
  /** How recent a proof of identity sensitive actions need. */
  reauthenticationMaxAgeSeconds: number;
  /** The plugins' `sessionGate`s: any refusal keeps the user from a new session. */
  sessionGates: readonly ((user: UserRow) => Problem | undefined)[];
  userFields: UserFieldDefinitions;
  getClientIp: (c: Context) => string | undefined;
  allowedOrigins: readonly string[];
  /** The plugins' `authenticateBearer` (API keys), in plugin order. */
  bearerAuthenticators: readonly BearerAuthenticator[];
};
