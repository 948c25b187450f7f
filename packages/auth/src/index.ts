export { createAuth, type Auth } from "./create-auth.js";
export { AUTH_OPTION_NAMES, type AuthOptions } from "./options/auth-options.js";
export { AuthConfigError } from "./options/config-error.js";
export {
  migrateAuth,
  pendingAuthMigrations,
  type SchemaOptions,
} from "./migrations/migrate-auth.js";
export {
  MigrationError,
  type AuthMigration,
  type MigrationReport,
} from "./migrations/migration.js";
export { DEFAULT_ABUSE_LIMITS, type AbuseLimitOptions } from "./abuse/abuse-limits.js";
export { HashingBusyError } from "./password/hasher.js";
export type { LimiterStore } from "./abuse/limiter-store.js";
export {
  signedIn,
  signInRequired,
  sessionEndedReason,
  type AuthEnv,
  type AuthState,
  type SignedInEnv,
  type BearerAuthenticator,
} from "./authenticator.js";
export { INSUFFICIENT_SCOPE_TYPE, MIXED_CREDENTIALS_TYPE } from "./http/bearer.js";
export {
  apiKeys,
  apiKeysTable,
  API_KEY_LIMIT_TYPE,
  INTROSPECT_SCOPE,
  type ApiKeysOptions,
  type ApiKeyView,
  type Introspection,
} from "./plugins/api-keys/index.js";
export { SESSION_ENDED_REASONS, type SessionEndedReason } from "./sessions/ended-session.js";
export type { SessionProbeQuery, SignedOutSession } from "./sessions/session-probe.js";
export type { AuthRoutes } from "./routes.js";
export { APPLICATION_ACTOR, type AdminApi, type AdminUserChange } from "./account.js";
export { systemClock, type Clock } from "./clock.js";
export { isForeignKeyViolation, isUniqueViolation, type Db, type Tx } from "./db.js";
export {
  ProblemError,
  problemResponse,
  problemContextResponse,
  createProblemErrorHandler,
  isDatabaseUnavailableError,
  isTransactionConflictError,
  SIGN_IN_REQUIRED,
  SESSION_ENDED_TYPE,
  sessionEndedProblem,
  DATABASE_RETRY_AFTER_SECONDS,
  problemNotFoundHandler,
  validationError,
  type Problem,
  type FieldError,
} from "./http/problem.js";
export { displayName, jsonBody, safeText } from "./http/json-body.js";
export { INVALID_QUERY_TYPE, invalidQuery, queryParams } from "./http/query-params.js";
export { isUuid } from "./ids.js";
export { requireSameOrigin, type SameOriginOptions } from "./http/same-origin.js";
export { passesThrough, passesThroughFor } from "./http/pass-through.js";
export { clientAddressResolver, connectionAddress } from "./http/client-address.js";
export type { RevocationEvent } from "./revocation/revocation-list.js";
export {
  inProcessTransport,
  type RevocationTransport,
  type RevocationTransportHandlers,
} from "./revocation/transport.js";
export {
  createPostgresRevocationTransport,
  DEFAULT_REVOCATION_CHANNEL,
  RevocationDeliveryError,
  type PostgresRevocationTransportOptions,
} from "./revocation/postgres-transport.js";
export {
  MIN_SECRET_BYTES,
  type AccessTokenAlgorithm,
  type SigningSecret,
} from "./tokens/key-ring.js";
export {
  ASYMMETRIC_ALGORITHMS,
  generateSigningKey,
  type AsymmetricAlgorithm,
  type SigningKeysOption,
} from "./tokens/signing-keys.js";
export { JWKS_MAX_AGE_SECONDS, JWKS_PATH } from "./tokens/jwks-routes.js";
export type { AccessClaims } from "./tokens/access-token.js";
export {
  definePlugin,
  type AuthPlugin,
  type ClaimsProvider,
  type ClaimsSubject,
  type ClaimValue,
  type PluginContext,
  type PluginParts,
  type PluginPasswords,
  type PluginWorker,
} from "./plugins/plugin.js";
export type { AuthWorkers } from "./create-auth.js";
export type { KeyedLimit, LimiterClient } from "./abuse/abuse-limits.js";
export type {
  AuthHooks,
  AuthHookEvents,
  AuthHookName,
  AccountChange,
  AdminActor,
  ClientInfo,
  SessionRevocationReason,
} from "./plugins/hooks.js";
export { assertKnownOptions } from "./plugins/options.js";
export { deleteBatch } from "./retention/prune.js";
export {
  RETENTION_DEFAULTS,
  rowCount,
  rowsOf,
  type RetentionBatch,
  type RetentionBatchResult,
  type RetentionOptions,
  type RetentionReport,
  type RetentionTask,
} from "./retention/retention.js";
export type { AuthRetention } from "./retention/create-retention.js";
export type { UserFieldDefinition, UserFieldDefinitions } from "./users/user-fields.js";
export type { StandardSchemaV1 } from "./users/standard-schema.js";
export type { PublicUser } from "./users/user-store.js";
export {
  securityEvents,
  SECURITY_EVENT_TYPES,
  type SecurityEventType,
  type SecurityEventsOptions,
} from "./plugins/security-events/index.js";
export {
  accountLifecycle,
  accountLifecycleTables,
  smtpMailer,
  fileMailer,
  type AccountLifecycleOptions,
  type Mailer,
  type MailMessage,
  type DeliveryOptions,
  type DeliveryRound,
} from "./plugins/account-lifecycle/index.js";
export {
  accessControl,
  defineRoles,
  RoleSet,
  DEFAULT_ROLES,
  DEFAULT_ROLE,
  ADMIN_PERMISSIONS,
  ADMIN_ACTIONS,
  FORBIDDEN_TYPE,
  LAST_ADMIN_TYPE,
  adminAuditTable,
  type AccessControlOptions,
  type AdminAction,
  type AdminPermission,
  type AdminUserView,
} from "./plugins/access-control/index.js";
export { type SecondFactorMethod, type SecondFactorProvider } from "./second-factor/factors.js";
export {
  SECOND_FACTOR_EXPIRED_TYPE,
  type PendingSignInView,
} from "./second-factor/sign-in-steps.js";
export { REAUTHENTICATION_REQUIRED_TYPE } from "./second-factor/step-up.js";
export type { SignInOutcome } from "./sign-in.js";
export { twoFactor, twoFactorTables, type TwoFactorOptions } from "./plugins/two-factor/index.js";
export {
  passkeys,
  passkeysTables,
  NO_PASSKEY_TYPE,
  PASSKEY_CHALLENGE_EXPIRED_TYPE,
  PASSKEY_LIMIT_TYPE,
  PASSKEY_NOT_ACCEPTED_TYPE,
  type PasskeysOptions,
  type PasskeyView,
} from "./plugins/passkeys/index.js";
export {
  oidc,
  oidcTables,
  oidcProvider,
  googleProvider,
  microsoftProvider,
  githubProvider,
  oidcSignInMethod,
  OIDC_CALLBACK_ERRORS,
  IDENTITY_IN_USE_TYPE,
  LAST_SIGN_IN_METHOD_TYPE,
  LINK_ACCOUNT_MISMATCH_TYPE,
  NO_PENDING_LINK_TYPE,
  type OidcOptions,
  type OidcProviderConfig,
  type OidcCallbackError,
  type ProviderClaims,
  type PresetOptions,
  type IdentityView,
} from "./plugins/oidc/index.js";
export { hasPassword, NO_PASSWORD_HASH } from "./users/user-store.js";
export { lastSignInMethod } from "./users/sign-in-methods.js";
export { EMAIL_TAKEN_TYPE, type PasswordlessAccount } from "./second-factor/sign-in-steps.js";
export type { SessionOptions } from "./sign-in.js";
export {
  createCoreTables,
  type CoreTables,
  type UserRow,
  type SessionRow,
} from "./schema/core-tables.js";
export type { SessionView } from "./http/session-body.js";
export type { TableNamer } from "./schema/table-names.js";
export type { AuthRuntime } from "./runtime.js";
export {
  describeRoute,
  jsonContent,
  jsonResponse,
  problemResponses,
  UNSAFE_PROBLEMS,
  BODY_PROBLEMS,
  queryParameters,
  ACCESS_COOKIE_SCHEME,
  SESSION_COOKIE_SCHEME,
  API_KEY_SCHEME,
  signedInOrKey,
  SIGNED_IN,
  ANYONE,
  SET_COOKIE_HEADER,
  type ProblemStatus,
  type RouteDescription,
} from "./openapi/describe.js";
export {
  openApiDocument,
  authSecuritySchemes,
  type OpenApiDocumentOptions,
} from "./openapi/document.js";
export {
  problemSchema,
  validationProblemSchema,
  publicUserSchema,
  userResponseSchema,
  sessionViewSchema,
  sessionResponseSchema,
  sessionEndedReasonSchema,
  signedOutSessionSchema,
  sessionEndedProblemSchema,
} from "./openapi/schemas.js";
