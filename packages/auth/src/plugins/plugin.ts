import type { Context, Hono, MiddlewareHandler } from "hono";
import type { PgTable } from "drizzle-orm/pg-core";
import type { AuthEnv, AuthState, BearerAuthenticator, SignedInEnv } from "../authenticator.js";
import type { Clock } from "../clock.js";
import type { Db, Tx } from "../db.js";
import type { AuthMigration } from "../migrations/migration.js";
import type { RetentionTask } from "../retention/retention.js";
import type { CoreTables } from "../schema/core-tables.js";
import type { LimiterClient } from "../abuse/abuse-limits.js";
import type { TableNamer } from "../schema/table-names.js";
import type { KeyedLimit } from "../abuse/abuse-limits.js";
import type { UserRow } from "../schema/core-tables.js";
import type { Problem } from "../http/problem.js";
import type { PublicUser } from "../users/user-store.js";
import type { AdminApi, Revocation } from "../account.js";
import type { SessionLifetimes } from "../sessions/session-store.js";
import type { AuthHookEvents, AuthHookName, AuthHooks, ClientInfo } from "./hooks.js";
import type { SecondFactorProvider } from "../second-factor/factors.js";
import type { PasswordlessAccount, PendingSignInView } from "../second-factor/sign-in-steps.js";
import type { SessionOptions } from "../sign-in.js";
import type { Revocations } from "../revocation/revocations.js";
import type { AccessClaims } from "../tokens/access-token.js";

/** JSON values a plugin may put into the access token. */
export type ClaimValue =
  string | number | boolean | null | ClaimValue[] | { [key: string]: ClaimValue };

/** What a claims provider knows of the user when a token is minted (sign-in and reissue). */
export type ClaimsSubject = {
  userId: string;
  role: string;
  /** The user's extra fields (see the `userFields` option). */
  fields: Readonly<Record<string, unknown>>;
};

/**
 * Adds claims to every access token minted from now on; they come back in
 * `c.get("auth").claims`. Runs at sign-in and at each silent reissue, never on the hot path.
 */
export type ClaimsProvider = (
  subject: ClaimsSubject,
) => Record<string, ClaimValue> | Promise<Record<string, ClaimValue>>;

/** What `createAuth` hands a plugin's `setup`. */
export type PluginContext = {
  db: Db;
  clock: Clock;
  /** The core's tables, under the host's table prefix. */
  tables: CoreTables;
  /** The host's name for one of this plugin's tables: `tableName("notes")` → `auth_notes`. */
  tableName: TableNamer;
  /** The request's client address and user agent, as the core records them. */
  clientInfo(c: Context): ClientInfo;
  /** The signed-in user, or a 401 problem thrown. */
  signedIn(c: Context<AuthEnv>): AuthState;
  /**
   * 401 problem+json unless signed in; after it `c.get("auth")` is never null. Refuses API
   * keys (403): see `requireScope`.
   */
  requireAuth: MiddlewareHandler<SignedInEnv>;
  /** `requireAuth` that also admits an API key holding `scope` (the one way in for keys). */
  requireScope(scope: string): MiddlewareHandler<SignedInEnv>;
  /** Tells every plugin's hooks of an event, inside `tx` (see `AuthHooks`). */
  emit<Name extends AuthHookName>(
    name: Name,
    event: AuthHookEvents[Name],
    tx: Db | Tx,
  ): Promise<void>;
  /** Password checks and hashing, with the core's limits and policy. */
  passwords: PluginPasswords;
  /**
   * Runs `change` in a transaction that also revokes every session of the user and stales
   * every access token already handed out (every process, from the commit on), then tells the
   * hooks (`sessionsRevoked`); resolves to how many sessions it revoked.
   */
  revokeEverywhere(
    userId: string,
    why: Revocation,
    change?: (tx: Tx, nowMs: number) => Promise<void>,
  ): Promise<number>;
  /**
   * Revokes one live session of the user (its access tokens stale on every process from the
   * commit on) and tells the hooks; `false` when no such live session of that user.
   */
  revokeSession(userId: string, sessionId: string, why: Revocation): Promise<boolean>;
  /** `auth.admin`: role changes, disabling and deletion, with the hooks' rails. */
  admin: AdminApi;
  /** The ids of every plugin of this `createAuth`, in order (to use another's tables). */
  pluginIds: readonly string[];
  /** The host's session timeouts (a session is live within both). */
  sessionLifetimes: SessionLifetimes;
  /** A rate limit of the plugin's own, in the core's limiter store (429 past it). */
  limit(name: string, rate: { points: number; seconds: number }, what: string): KeyedLimit;
  /** The request's client for per-address limits (an IPv6 address by its /64). */
  limiterClient(c: Context): LimiterClient;
  /**
   * 32-byte keys for `purpose`, derived (HKDF) from the auth secret and then each previous
   * one: encrypt with the first, decrypt with any.
   */
  deriveKeys(purpose: string): readonly Buffer[];
  /** What the API shows of a user (the host's public fields included). */
  publicUser(row: UserRow): PublicUser;
  /**
   * Clears this browser's auth cookies; `forgetDeviceOf` also drops its device-cookie entry
   * for that email (a deleted account).
   */
  clearCookies(c: Context, options?: { forgetDeviceOf?: string }): void;
  /**
   * After `requireAuth`: 401 `/problems/reauthentication-required` (with the user's step-up
   * `methods`) unless the user proved who they are recently. Put it in front of every
   * sensitive route (removing a factor, creating credentials…).
   */
  requireRecentAuth: MiddlewareHandler<SignedInEnv>;
  /** The methods this user can step up with: `["password", …]`, or only their factors. */
  stepUpMethods(userId: string): Promise<string[]>;
  /**
   * Call after verifying a step-up proof of the signed-in user (`method`: "totp", "passkey"…):
   * records it on the session, sets a fresh access cookie, tells the hooks.
   */
  reauthenticated(c: Context, method: string): Promise<{ authTime: string }>;
  /**
   * This browser's sign-in waiting for its second factor (the password was right), or a 401
   * `/problems/second-factor-expired`. Only second-factor routes should call it.
   */
  pendingSignIn(c: Context): Promise<PendingSignInView>;
  /**
   * Completes `pending` with its second factor: consumes it (once) and opens the session like
   * a password sign-in (cookies, hooks, device), its methods `["password", method]`. Pass
   * `prove` to use the factor up inside that transaction (throw to refuse it): a refused or
   * failed sign-in then spends neither the code nor the pending sign-in.
   */
  completeSignIn(
    c: Context,
    pending: PendingSignInView,
    method: string,
    prove?: (tx: Tx) => Promise<void>,
  ): Promise<PublicUser>;
  /**
   * Opens a session for a user who proved who they are without a password (a passkey, an
   * OpenID provider); refuses a disabled account, applies the session gates. `options.authTime`:
   * when the user really authenticated, if not now — a provider's remembered login is not a
   * fresh one, and `null` (unknown) opens a session that needs a step-up for sensitive routes.
   *
   * @example
   * await context.signInWith(c, userId, ["oidc:google"], { authTime: idTokenAuthTime ?? null });
   */
  signInWith(
    c: Context,
    userId: string,
    methods: readonly string[],
    options?: SessionOptions,
  ): Promise<PublicUser>;
  /**
   * Creates an account without a password (an OpenID provider vouched for the user) and opens
   * its first session like `POST /register`: the user row, what `within` writes, the session
   * and the `signedUp` hooks commit together or not at all. The owner can set a password later
   * through the password-reset mail. A taken email: 409 `/problems/email-taken`.
   */
  signUpWith(
    c: Context,
    account: PasswordlessAccount,
    methods: readonly string[],
    within?: (tx: Tx, user: UserRow) => Promise<void>,
    options?: SessionOptions,
  ): Promise<{ user: PublicUser; sessionStarted: boolean }>;
  /** Every plugin's `exportData` for one user, by plugin id. */
  exportUserData(db: Db | Tx, userId: string): Promise<Record<string, unknown>>;
  /**
   * How many ways the user has left to sign in: 1 for a password of their own, plus every
   * plugin's `signInMethods`. Locks the user's row (`FOR UPDATE`) for the rest of `tx`, so
   * that two removals wait for each other: remove, count, and throw `lastSignInMethod()` (409
   * `/problems/last-sign-in-method`) at 0 to roll the removal back.
   *
   * @example
   * await context.db.transaction(async (tx) => {
   *   await tx.delete(keys).where(and(eq(keys.id, id), eq(keys.userId, userId)));
   *   if ((await context.signInMethodsLeft(tx, userId)) === 0) throw lastSignInMethod();
   * });
   */
  signInMethodsLeft(tx: Tx, userId: string): Promise<number>;
  /**
   * The core's not-before revocation: `isStale(state)` is the hot path's check of a cached
   * credential (true once a session- or user-scope event postdates `state.issuedAt`);
   * `revoke(change)` commits `change` with the events it returns, announced to every process.
   */
  revocations: PluginRevocations;
  /** Access-token checks for plugins that introspect them (signature, `iss`, `aud`, `exp`). */
  accessTokens: PluginAccessTokens;
};

/** See `PluginContext.revocations`. */
export type PluginRevocations = {
  isStale(state: Pick<AuthState, "userId" | "sessionId" | "issuedAt">): boolean;
  revoke: Revocations["revoke"];
  /** How long an event is remembered: one access-token lifetime. */
  ttlMs: number;
};

/** See `PluginContext.accessTokens`. */
export type PluginAccessTokens = {
  /** The claims of a valid, unexpired access token, else `undefined` (revocation unchecked). */
  verify(token: string): Promise<AccessClaims | undefined>;
  issuer: string;
  audience: string;
};

/** See `PluginContext.passwords`. */
export type PluginPasswords = {
  /** 503 now when the hashing queue is full: call before any other work. */
  assertCapacity(): void;
  /** The current password, throttled like sign-in; 422 at `field.pointer` when wrong. */
  verifyCurrent(
    c: Context,
    user: Pick<UserRow, "id" | "passwordHash">,
    password: string,
    field: { pointer: string; message?: string },
  ): Promise<void>;
  /** NFKC + the password policy; returns the normalised password or throws 422. */
  acceptableNew(password: string, user: Pick<UserRow, "email" | "name">, pointer: string): string;
  hash(normalizedPassword: string): Promise<string>;
};

/** What a plugin adds, once set up. Every part is optional. */
export type PluginParts = {
  /**
   * Routes mounted inside `auth.routes` (so under the host's auth path, behind the auth
   * middleware: `c.get("auth")`, CSRF check and `no-store` already applied).
   */
  routes?: Hono<AuthEnv>;
  /**
   * Routes the host mounts where it likes, by name (`app.route("/api/admin",
   * auth.mount("admin"))`), behind the same auth middleware as `routes`. Names are unique
   * among the plugins.
   */
  mounts?: Readonly<Record<string, Hono<AuthEnv>>>;
  hooks?: AuthHooks;
  claims?: ClaimsProvider;
  /**
   * Prune tasks for the plugin's own tables (expired codes, delivered outbox rows, old log
   * rows), run by the retention job after the core's, one small batch per transaction;
   * reported as `<plugin id>/<name>`. See `RetentionTask` and `deleteBatch`.
   */
  retention?: readonly RetentionTask[];
  /**
   * The plugin's data about one user for a data export (`GET /me/export` of the
   * account-lifecycle plugin): JSON values, never secrets or hashes.
   */
  exportData?: (db: Db | Tx, userId: string) => Promise<unknown>;
  /**
   * How many ways to sign in the plugin gives the user now (passkeys, connected providers
   * still configured…), for `PluginContext.signInMethodsLeft`: the account's last way to sign
   * in cannot be removed. Count only what can sign in on its own, never a second factor.
   *
   * @example
   * signInMethods: async (tx, userId) =>
   *   (await tx.select({ n: count() }).from(keys).where(eq(keys.userId, userId)))[0]?.n ?? 0,
   */
  signInMethods?: (tx: Tx, userId: string) => Promise<number>;
  /**
   * Refuses a user a session (an unverified email, say) with a problem: `POST /login` answers
   * it (only after the right password, so it reveals nothing to a guesser), and
   * `POST /register` keeps the new account and answers 202 without signing in.
   */
  sessionGate?: (user: UserRow) => Problem | undefined;
  /**
   * The plugin's second factors for a user (TOTP, passkeys…). When any enrolled method is
   * `enforced`, `POST /login` with the right password opens no session: it answers
   * `{ twoFactorRequired: true, methods }` and a pending sign-in the plugin's routes complete
   * (`completeSignIn`). Step-ups offer the `stepUp` methods.
   */
  secondFactor?: SecondFactorProvider;
  /**
   * Background work of the plugin (a mail queue…): `createAuth` starts it with
   * `auth.workers.start()` and stops it on `auth.close()`.
   */
  workers?: readonly PluginWorker[];
  /**
   * Authenticates `Authorization: Bearer <token>` for a token that is not an access JWT (an
   * API key): the state of the request, or `null` (the middleware answers 401
   * `invalid_token`). The state must carry `apiKey`; the middleware then lets it reach only
   * routes behind `requireScope`. Called on every bearer request: keep it cache-first.
   */
  authenticateBearer?: BearerAuthenticator;
};

/** A background job a plugin runs (see `PluginParts.workers`). */
export type PluginWorker = {
  name: string;
  /** Begins periodic work; must not throw. */
  start(): void;
  /** Ends it, waiting for work in flight. */
  stop(): Promise<void>;
  /** One round of work now (tests, CLIs); resolves with what it did. */
  runOnce(): Promise<unknown>;
};

/**
 * A plugin: an id, the tables and migrations it owns, and a `setup` that returns its routes,
 * hooks and claims. See `docs/plugins.md`.
 *
 * @example
 * const hello = definePlugin({
 *   id: "hello",
 *   setup: ({ requireAuth }) => ({
 *     routes: new Hono<AuthEnv>().get("/hello", requireAuth, (c) =>
 *       c.json({ hello: c.get("auth").userId }),
 *     ),
 *   }),
 * });
 * const auth = await createAuth({ db, secret, plugins: [hello] });
 */
export type AuthPlugin = {
  /** Lower-case letters, digits and `-`; unique among the plugins of one `createAuth`. */
  id: string;
  /**
   * The plugin's drizzle tables under the host's naming, to check after migrating and to
   * catch two owners of one table name. Base names only through `name`.
   */
  tables?: (name: TableNamer, core: CoreTables) => Record<string, PgTable>;
  /** The plugin's SQL migrations, oldest first; applied by `migrateAuth`. */
  migrations?: readonly AuthMigration[];
  setup?: (context: PluginContext) => PluginParts | Promise<PluginParts>;
};

/** Identity, for type inference and a place to document a plugin. */
export function definePlugin<const Plugin extends AuthPlugin>(plugin: Plugin): Plugin {
  return plugin;
}
