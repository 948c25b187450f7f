export { createAuth, type Auth } from "./create-auth";
export type { AuthOptions, ThrottleOptions } from "./options";
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
  problemNotFoundHandler,
  type Problem,
  type FieldError,
} from "./http/problem";
export { jsonBody, safeText } from "./http/json-body";
export type { RevocationEvent } from "./revocation/revocation-list";
export type { RevocationTransport, RevocationTransportHandlers } from "./revocation/transport";
export { MIN_SECRET_BYTES } from "./tokens/key-ring";
export { authSchema, users, sessions, revocationEvents } from "./schema";
