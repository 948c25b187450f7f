import { Hono } from "hono";
import { createAdminApi } from "./account.js";
import {
  Authenticator,
  signedIn,
  type AuthEnv,
  type BearerAuthenticator,
} from "./authenticator.js";
import { systemClock } from "./clock.js";
import { clientAddressResolver } from "./http/client-address.js";
import { AuthCookies } from "./http/cookies.js";
import { cookieHeader } from "./http/node-cookie-header.js";
import { migrationSets, pendingMigrations } from "./migrations/migrate-auth.js";
import { DAY_SECONDS, type AuthOptions } from "./options/auth-options.js";
import { AuthConfigError } from "./options/config-error.js";
import { validateAuthOptions } from "./options/validate-options.js";
import { AbuseLimits, DEFAULT_ABUSE_LIMITS } from "./abuse/abuse-limits.js";
import { DeviceCookies } from "./abuse/device-cookie.js";
import {
  defaultHashConcurrency,
  OWASP_ARGON2_BASELINE,
  PasswordHasher,
} from "./password/hasher.js";
import { DEFAULT_PASSWORD_POLICY } from "./password/policy.js";
import {
  createLowPriorityArgon2,
  DEFAULT_HASH_THREAD_NICE,
} from "./password/low-priority-threads.js";
import { HookRunner, type AuthHooks } from "./plugins/hooks.js";
import type {
  AuthPlugin,
  ClaimsProvider,
  PluginContext,
  PluginParts,
  PluginWorker,
} from "./plugins/plugin.js";
import { limiterClient } from "./abuse/limiter-client.js";
import { revokeAllSessions, revokeSessionSelection } from "./account.js";
import { acceptableNewPassword, verifyCurrentPassword } from "./password/current-password.js";
import { toPublicUser } from "./users/user-store.js";
import { signInMethodsLeft, type SignInMethodCounter } from "./users/sign-in-methods.js";
import { isUuid } from "./ids.js";
import { deriveSubkey } from "./tokens/subkeys.js";
import type { SigningSecret } from "./tokens/key-ring.js";
import type { WithPluginRoutes } from "./plugins/plugin-routes.js";
import { Revocations } from "./revocation/revocations.js";
import { inProcessTransport } from "./revocation/transport.js";
import { createAuthRoutes } from "./routes.js";
import {
  createRetention,
  pluginRetentionTasks,
  type AuthRetention,
} from "./retention/create-retention.js";
import type { RetentionTask } from "./retention/retention.js";
import type { AuthRuntime } from "./runtime.js";
import { createCoreTables } from "./schema/core-tables.js";
import type { SecondFactorProvider } from "./second-factor/factors.js";
import {
  completeSignIn,
  pendingSignIn,
  signInWith,
  signUpWith,
} from "./second-factor/sign-in-steps.js";
import {
  createRequireRecentAuth,
  reauthenticated,
  stepUpMethods,
} from "./second-factor/step-up.js";
import { tableNamer } from "./schema/table-names.js";
import { clientInfo } from "./sessions/client-info.js";
import { AccessTokenService } from "./tokens/access-token.js";
import { ClaimsBuilder } from "./tokens/claims-builder.js";
import { createKeyRing } from "./tokens/key-ring.js";
import { createJwksRoutes } from "./tokens/jwks-routes.js";
import { importSigningKeys, SigningKeyError } from "./tokens/signing-keys.js";

/**
 * Assembles the auth package: the middleware, the mountable routes (the core's and the
 * plugins'), the admin API. Validates every option first (`AuthConfigError` names the one at
 * fault), checks that `migrateAuth` has run, and loads the recent revocation events, so a
 * restarted process never accepts a token that was revoked before the restart.
 *
 * @example
 * const options = { db, secret: config.authSecret, plugins: [securityEvents()] };
 * await migrateAuth(options);
 * const auth = await createAuth(options);
 * app.route("/api/auth", auth.routes);
 * app.get("/api/me", auth.middleware, auth.requireAuth, (c) => c.json(c.get("auth")));
 */
export async function createAuth<const Plugins extends readonly AuthPlugin[] = []>(
  options: Omit<AuthOptions, "plugins"> & { plugins?: Plugins },
) {
  validateAuthOptions(options);
  const plugins: readonly AuthPlugin[] = options.plugins ?? [];
  const prefix = options.tablePrefix ?? "";
  const tables = createCoreTables(prefix);
  const pending = await pendingMigrations(options.db, prefix, migrationSets(prefix, plugins));
  if (pending.length > 0) {
    throw new AuthConfigError(
      "db",
      `the database lacks the migrations ${pending.join(", ")}: run migrateAuth(options) first`,
    );
  }
  const clock = options.clock ?? systemClock;
  const accessTtlSeconds = options.accessTokenTtlSeconds ?? 600;
  const hashThreads = options.maxConcurrentHashes ?? defaultHashConcurrency();
  const secure = options.secureCookies ?? true;
  const keys = options.signingKeys
    ? await importSigningKeys(options.signingKeys).catch((error: unknown) => {
        if (!(error instanceof SigningKeyError)) throw error;
        throw new AuthConfigError(`signingKeys.${error.where}`, error.message);
      })
    : await createKeyRing(options.secret, options.previousSecrets);
  const revocations = new Revocations(
    options.db,
    tables.revocationEvents,
    options.revocationTransport ?? inProcessTransport,
    clock,
    accessTtlSeconds * 1000,
  );
  const runtime: AuthRuntime = {
    db: options.db,
    tables,
    clock,
    accessTtlSeconds,
    tokens: new AccessTokenService({
      keys,
      issuer: options.issuer ?? "hybrid-auth",
      audience: options.audience ?? "hybrid-auth",
      ttlSeconds: accessTtlSeconds,
      cacheSize: options.verifiedTokenCacheSize,
    }),
    claims: new ClaimsBuilder([]),
    revocations,
    hasher: new PasswordHasher(
      options.argon2 ?? OWASP_ARGON2_BASELINE,
      hashThreads,
      options.maxQueuedHashes ?? 16 * hashThreads,
      createLowPriorityArgon2({
        nice: options.hashThreadNice ?? DEFAULT_HASH_THREAD_NICE,
        threads: hashThreads,
      }),
    ),
    passwordPolicy: { ...DEFAULT_PASSWORD_POLICY, ...options.password },
    cookies: new AuthCookies({
      secure,
      accessName: options.cookieNames?.access ?? "auth_access",
      sessionName: options.cookieNames?.session ?? "auth_session",
      pendingName: options.cookieNames?.pending,
      readCookieHeader: options.readCookieHeader ?? cookieHeader,
    }),
    lifetimes: {
      absoluteMs: (options.sessionAbsoluteTtlSeconds ?? 30 * DAY_SECONDS) * 1000,
      idleMs: (options.sessionIdleTtlSeconds ?? 7 * DAY_SECONDS) * 1000,
    },
    rotationGraceMs: (options.sessionRotationGraceSeconds ?? 20) * 1000,
    devices: new DeviceCookies([options.secret, ...(options.previousSecrets ?? [])], {
      secure,
      name: options.cookieNames?.device ?? "auth_device",
      readCookieHeader: options.readCookieHeader ?? cookieHeader,
    }),
    limits: new AbuseLimits(
      options.limiterStore ?? { kind: "memory" },
      { ...DEFAULT_ABUSE_LIMITS, ...options.abuseLimits },
      tables.rateLimits,
    ),
    hooks: new HookRunner([]),
    secondFactors: [],
    reauthenticationMaxAgeSeconds: options.reauthenticationMaxAgeSeconds ?? 600,
    sessionGates: [],
    userFields: options.userFields ?? {},
    getClientIp: options.getClientIp ?? clientAddressResolver(options.trustedProxies ?? 0),
    allowedOrigins: options.allowedOrigins ?? [],
    bearerAuthenticators: [],
  };
  const authenticator = new Authenticator(runtime);
  // Plugins are set up with the finished authenticator (their routes use `requireAuth`); the
  // hooks and claims they return complete the runtime before any request can arrive.
  const secrets = [options.secret, ...(options.previousSecrets ?? [])];
  const parts = await setUpPlugins(plugins, runtime, authenticator, prefix, secrets);
  runtime.hooks = new HookRunner(parts.hooks, options.onHookError);
  runtime.claims = new ClaimsBuilder(parts.claims);
  runtime.sessionGates = parts.sessionGates;
  runtime.secondFactors = parts.secondFactors;
  runtime.bearerAuthenticators = parts.bearerAuthenticators;
  const routes = createAuthRoutes(runtime, authenticator, parts.requireRecentAuth);
  for (const pluginRoutes of parts.routes) routes.route("/", pluginRoutes);
  const mounts = new Map(
    [...parts.mounts].map(([name, mount]) => [
      name,
      // The same layer as the auth routes: no caching, the CSRF check, the signed-in user.
      new Hono<AuthEnv>().use(authenticator.middleware).route("/", mount),
    ]),
  );
  await revocations.start();
  const retention = createRetention(options, runtime, parts.retention);
  const workers = pluginWorkers(parts.workers);
  return {
    /** Resolves `c.get("auth")` on every request it runs on (hot path, reissue, or null). */
    middleware: authenticator.middleware,
    /** 401 problem+json unless signed in; after it, `c.get("auth")` is never null. */
    requireAuth: authenticator.requireAuth,
    /**
     * After `requireAuth`: 401 `/problems/reauthentication-required` unless the user proved who
     * they are within `reauthenticationMaxAgeSeconds` (no database query when they did).
     */
    requireRecentAuth: parts.requireRecentAuth,
    /**
     * `requireAuth` that also admits an API key holding `scope` (403
     * `/problems/insufficient-scope` for one without); every route without it refuses keys.
     *
     * @example
     * app.get("/api/todos", auth.middleware, auth.requireScope("todos:read"), listTodos);
     */
    requireScope: (scope: string) => authenticator.requireScope(scope),
    /**
     * The auth routes, the core's and every plugin's; mount with
     * `app.route("/api/auth", auth.routes)`.
     */
    routes: routes as unknown as WithPluginRoutes<typeof routes, Plugins>,
    /**
     * A plugin's routes for the host to mount where it likes (see `PluginParts.mounts`), e.g.
     * `app.route("/api/admin", auth.mount("admin"))`; throws when no plugin offers `name`.
     */
    mount(name: string): Hono<AuthEnv> {
      const mount = mounts.get(name);
      if (!mount) {
        const offered = [...mounts.keys()].join(", ") || "none";
        throw new AuthConfigError(
          "plugins",
          `no plugin mounts routes named "${name}" (offered: ${offered})`,
        );
      }
      return mount;
    },
    /**
     * `GET /.well-known/jwks.json`, the public keys of `signingKeys` (empty with HS256) for
     * resource servers: mount at the site root, `app.route("/", auth.wellKnown)`.
     */
    wellKnown: createJwksRoutes(keys),
    /** Role changes, disabling and deletion, effective on every device at once. */
    admin: parts.admin,
    /**
     * The data-retention job (dead sessions, old events…; see the `retention` option):
     * `runOnce()` for a CLI or a test, `start()` / `stop()` for the periodic job.
     */
    retention: retention as AuthRetention,
    /**
     * The plugins' background jobs (the account-lifecycle plugin's mail queue…): the server
     * calls `start()`; tests and CLIs `runOnce()`.
     */
    workers,
    /**
     * Stops the retention job, the plugins' workers and receiving revocation events from other
     * processes.
     */
    close: async () => {
      await workers.stop();
      await retention.stop();
      await revocations.stop();
    },
    /** Internals for tests, benchmarks and diagnostics; not a stable API. */
    internals: runtime,
  };
}

/** What `createAuth` returns, for a tuple of plugins (their routes are typed too). */
export type Auth<Plugins extends readonly AuthPlugin[] = readonly AuthPlugin[]> = Awaited<
  ReturnType<typeof createAuth<Plugins>>
>;

async function setUpPlugins(
  plugins: readonly AuthPlugin[],
  runtime: AuthRuntime,
  authenticator: Authenticator,
  tablePrefix: string,
  secrets: readonly SigningSecret[],
) {
  const hooks: AuthHooks[] = [];
  const claims: { id: string; claims: ClaimsProvider }[] = [];
  const routes: Hono<AuthEnv>[] = [];
  const mounts = new Map<string, Hono<AuthEnv>>();
  const admin = createAdminApi(runtime);
  const retention: RetentionTask[] = [];
  const workers: PluginWorker[] = [];
  const sessionGates: NonNullable<PluginParts["sessionGate"]>[] = [];
  const secondFactors: SecondFactorProvider[] = [];
  const bearerAuthenticators: BearerAuthenticator[] = [];
  const requireRecentAuth = createRequireRecentAuth(runtime);
  const exporters: { id: string; exportData: NonNullable<PluginParts["exportData"]> }[] = [];
  const signInMethodCounters: SignInMethodCounter[] = [];
  const context: PluginContext = {
    db: runtime.db,
    clock: runtime.clock,
    tables: runtime.tables,
    tableName: tableNamer(tablePrefix),
    clientInfo: (c) => clientInfo(runtime, c),
    signedIn,
    requireAuth: authenticator.requireAuth as PluginContext["requireAuth"],
    requireScope: (scope) => authenticator.requireScope(scope),
    // `runtime.hooks` is replaced once every plugin is set up: read it at call time.
    emit: (name, event, tx) => runtime.hooks.emit(name, event, tx),
    passwords: {
      assertCapacity: () => runtime.hasher.assertCapacity(),
      verifyCurrent: (c, user, password, field) =>
        verifyCurrentPassword(runtime, c, user, password, field),
      acceptableNew: (password, user, pointer) =>
        acceptableNewPassword(runtime, password, user, pointer),
      hash: (password) => runtime.hasher.hash(password),
    },
    revokeEverywhere: (userId, why, change) => revokeAllSessions(runtime, userId, why, change),
    revokeSession: async (userId, sessionId, why) =>
      isUuid(sessionId) &&
      (await revokeSessionSelection(runtime, { kind: "one", userId, sessionId }, why)) > 0,
    admin,
    pluginIds: plugins.map((plugin) => plugin.id),
    sessionLifetimes: runtime.lifetimes,
    limit: (name, rate, what) => runtime.limits.limit(name, rate, what),
    limiterClient: (c) => limiterClient(runtime, c),
    deriveKeys: (purpose) => secrets.map((secret) => deriveSubkey(secret, purpose)),
    publicUser: (row) => toPublicUser(row, runtime.userFields),
    clearCookies: (c, options) => {
      runtime.cookies.clear(c);
      if (options?.forgetDeviceOf !== undefined) {
        runtime.devices.forget(c, options.forgetDeviceOf, runtime.clock.now());
      }
    },
    requireRecentAuth,
    stepUpMethods: (userId) => stepUpMethods(runtime, userId),
    reauthenticated: (c, method) => reauthenticated(runtime, c, method),
    pendingSignIn: (c) => pendingSignIn(runtime, c),
    completeSignIn: (c, pending, method, prove) =>
      completeSignIn(runtime, c, pending, method, prove),
    signInWith: (c, userId, methods, options) => signInWith(runtime, c, userId, methods, options),
    signUpWith: (c, account, methods, within, options) =>
      signUpWith(runtime, c, account, methods, within, options),
    exportUserData: async (db, userId) => {
      const data: Record<string, unknown> = {};
      for (const exporter of exporters) data[exporter.id] = await exporter.exportData(db, userId);
      return data;
    },
    signInMethodsLeft: (tx, userId) =>
      signInMethodsLeft(tx, runtime.tables, signInMethodCounters, userId),
    revocations: {
      isStale: (state) => runtime.revocations.list.isStale(state),
      revoke: (change) => runtime.revocations.revoke(change),
      ttlMs: runtime.accessTtlSeconds * 1000,
    },
    accessTokens: {
      verify: (token) => runtime.tokens.verify(token, runtime.clock.now()),
      issuer: runtime.tokens.options.issuer,
      audience: runtime.tokens.options.audience,
    },
  };
  for (const plugin of plugins) {
    const parts: PluginParts = (await plugin.setup?.(context)) ?? {};
    if (parts.exportData) exporters.push({ id: plugin.id, exportData: parts.exportData });
    if (parts.signInMethods) signInMethodCounters.push(parts.signInMethods);
    if (parts.workers) workers.push(...parts.workers);
    if (parts.sessionGate) sessionGates.push(parts.sessionGate);
    if (parts.secondFactor) secondFactors.push(parts.secondFactor);
    if (parts.authenticateBearer) bearerAuthenticators.push(parts.authenticateBearer);
    if (parts.hooks) hooks.push(parts.hooks);
    if (parts.claims) claims.push({ id: plugin.id, claims: parts.claims });
    if (parts.routes) routes.push(parts.routes);
    for (const [name, mount] of Object.entries(parts.mounts ?? {})) {
      if (mounts.has(name)) {
        throw new AuthConfigError("plugins", `two plugins mount routes named "${name}"`);
      }
      mounts.set(name, mount);
    }
    if (parts.retention) retention.push(...pluginRetentionTasks(plugin.id, parts.retention));
  }
  return {
    hooks,
    claims,
    routes,
    mounts,
    admin,
    retention,
    workers,
    sessionGates,
    secondFactors,
    bearerAuthenticators,
    requireRecentAuth,
  };
}

/** The plugins' workers as one: `start()`, `stop()`, `runOnce()`. */
function pluginWorkers(workers: readonly PluginWorker[]) {
  return {
    /** Starts every plugin worker (idempotent). */
    start: () => workers.forEach((worker) => worker.start()),
    stop: async () => void (await Promise.all(workers.map((worker) => worker.stop()))),
    /** One round of each worker now, by name. */
    runOnce: async () => {
      const results: Record<string, unknown> = {};
      for (const worker of workers) results[worker.name] = await worker.runOnce();
      return results;
    },
  };
}

/** What `auth.workers` offers. */
export type AuthWorkers = ReturnType<typeof pluginWorkers>;
