export { createAuth, type Auth } from "./create-auth";
export type { AuthOptions } from "./options";
export { DEFAULT_ABUSE_LIMITS, type AbuseLimitOptions } from "./abuse/abuse-limits";
export type { LimiterStore } from "./abuse/limiter-store";
export type { AuthEnv, AuthState } from "./authenticator";
export type { AuthRoutes } from "./routes";
export type { AdminApi } from "./account";
export { systemClock, type Clock } from "./clock";
export type { Db, Tx } from "./db";
export {
  ProblemError,
  problemResponse,
  problemContextResponse,
  createProblemErrorHandler,
  isDatabaseUnavailableError,
  DATABASE_RETRY_AFTER_SECONDS,
  problemNotFoundHandler,
  type Problem,
  type FieldError,
} from "./http/problem";
export { jsonBody, safeText } from "./http/json-body";
export { isUuid } from "./ids";
export { requireSameOrigin, type SameOriginOptions } from "./http/same-origin";
export type { RevocationEvent } from "./revocation/revocation-list";
export {
  inProcessTransport,
  type RevocationTransport,
  type RevocationTransportHandlers,
} from "./revocation/transport";
export {
  createPostgresRevocationTransport,
  DEFAULT_REVOCATION_CHANNEL,
  type PostgresRevocationTransportOptions,
} from "./revocation/postgres-transport";
export { MIN_SECRET_BYTES } from "./tokens/key-ring";
export {
  authSchema,
  users,
  sessions,
  revocationEvents,
  securityEvents,
  rateLimits,
} from "./schema";
export type { SecurityEventType } from "./schema";
