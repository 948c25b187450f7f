import { Hono, type Context } from "hono";
import {
  createAuth,
  createProblemErrorHandler,
  type Auth,
  problemNotFoundHandler,
  problemContextResponse,
  passesThrough,
  passesThroughFor,
  systemClock,
  type AbuseLimitOptions,
  type AuthEnv,
  type LimiterStore,
  type Mailer,
  type Clock,
  type RevocationTransport,
} from "@hybrid-auth/auth";
import type { Database } from "@hybrid-auth/db";
import type { Config } from "./config.js";
import { methodNotAllowed } from "./http/method-not-allowed.js";
import { StaticPathRouter } from "./http/static-path-router.js";
import { createHealthRoutes } from "./health/routes.js";
import { appAuthPlugins, appRetentionOptions, type APP_AUTH_PLUGINS } from "./auth-plugins.js";
import { limitBody } from "./http/body-limit.js";
import { compressLarge } from "./http/compress-large.js";
import { securityHeaders } from "./http/security-headers.js";
import { createSpa, defaultWebDistDir } from "./http/spa.js";
import { createOpenApiRoutes } from "./openapi/routes.js";
import { createTodoRoutes } from "./todos/routes.js";
import { signingKeysOption } from "./signing-keys-config.js";

const BODYLESS = new Set(["GET", "HEAD", "OPTIONS"]);
/** GETs that answer lists or documents, compressed past 1 KiB (decision 024). */
const COMPRESSED_ROUTES = [
  "/api/todos",
  "/api/auth/sessions",
  "/api/auth/activity",
  "/api/auth/me/export",
  "/api/admin/*",
];

export type AppDeps = {
  database: Database;
  config: Pick<Config, "auth" | "bodyLimitBytes"> &
    Partial<Pick<Config, "todos" | "retention" | "mail" | "webauthn" | "oidc">>;
  /** Replaces the mailer `config.mail` describes (tests hand in a real SMTP server's). */
  mailer?: Mailer;
  /** Where the file mailer says where it wrote a message (default: console.log). */
  log?: (line: string) => void;
  clock?: Clock;
  revocationTransport?: RevocationTransport;
  /** The client's address (default: the connection's peer, or `trustedProxies` hops). */
  getClientIp?: (c: Context) => string | undefined;
  trustedProxies?: number;
  logError?: (error: unknown) => void;
  /** Brute-force limits and where they count (default: in memory, this process). */
  abuseLimits?: Partial<AbuseLimitOptions>;
  limiterStore?: LimiterStore;
  /** argon2 computations at once, and allowed to wait before 503 (the auth defaults). */
  maxConcurrentHashes?: number | undefined;
  maxQueuedHashes?: number | undefined;
  /** Nice value of argon2's threads (the auth default, 10; 0 = normal priority). */
  hashThreadNice?: number | undefined;
  /** Public origins allowed to send state-changing requests (CSRF check), e.g. behind TLS. */
  allowedOrigins?: readonly string[];
  /** The built SPA to serve on the same origin; `false` serves none. Default: apps/web/dist. */
  webDistDir?: string | false;
};

function buildRoutes(deps: AppDeps, auth: Auth<typeof APP_AUTH_PLUGINS>, clock: Clock) {
  return (
    new Hono<AuthEnv>()
      .route("/api", createHealthRoutes(deps.database))
      .route("/", auth.wellKnown)
      .route("/api/auth", auth.routes)
      .route("/api/admin", auth.mount("admin"))
      // Each to-do route has its scope gate (a session, or an API key with todos:read/write).
      .use("/api/todos", auth.middleware)
      .use("/api/todos/*", auth.middleware)
      .route(
        "/api/todos",
        createTodoRoutes({
          db: deps.database.db,
          clock,
          maxPerUser: deps.config.todos?.maxPerUser,
          requireScope: auth.requireScope,
        }),
      )
  );
}

/** The whole HTTP API: auth, to-dos, health, problem+json errors. The server only listens. */
export async function createApp(deps: AppDeps) {
  const clock = deps.clock ?? systemClock;
  const { auth: authConfig } = deps.config;
  const auth = await createAuth({
    db: deps.database.db,
    clock,
    secret: authConfig.secret,
    previousSecrets: authConfig.previousSecrets,
    signingKeys: signingKeysOption(authConfig.signing),
    accessTokenTtlSeconds: authConfig.accessTokenTtlSeconds,
    sessionAbsoluteTtlSeconds: authConfig.sessionAbsoluteTtlSeconds,
    sessionIdleTtlSeconds: authConfig.sessionIdleTtlSeconds,
    secureCookies: authConfig.secureCookies,
    revocationTransport: deps.revocationTransport,
    getClientIp: deps.getClientIp,
    trustedProxies: deps.trustedProxies,
    reauthenticationMaxAgeSeconds: authConfig.reauthenticationMaxAgeSeconds,
    plugins: appAuthPlugins({
      encryptionKeys: authConfig.encryptionKeys,
      webauthn: deps.config.webauthn,
      oidc: deps.config.oidc,
      retention: deps.config.retention,
      mail: deps.config.mail,
      mailer: deps.mailer,
      log: deps.log,
      logError: deps.logError,
    }),
    retention: appRetentionOptions(deps.config.retention, deps.logError),
    allowedOrigins: deps.allowedOrigins,
    abuseLimits: deps.abuseLimits,
    limiterStore: deps.limiterStore,
    maxConcurrentHashes: deps.maxConcurrentHashes,
    maxQueuedHashes: deps.maxQueuedHashes,
    hashThreadNice: deps.hashThreadNice,
  });

  // Hono's own router, with each static path's match kept (without the layers that only pass
  // the request on): the hot path skips the tree walk and those async frames (decision 042).
  const app = new Hono<AuthEnv>({
    router: new StaticPathRouter({
      skip: ([handler], method) => passesThroughFor(handler, method),
    }),
  });
  app.onError(createProblemErrorHandler(deps.logError));
  const spa =
    deps.webDistDir === false ? undefined : createSpa(deps.webDistDir ?? defaultWebDistDir);
  // 405 with Allow when the path exists with other methods, decided once nothing matched: no
  // layer around the requests that did.
  app.notFound(
    methodNotAllowed({
      app,
      notFound: spa ? (c) => spa.fallback(c, problemNotFoundHandler) : problemNotFoundHandler,
      onMethodNotAllowed: (c, methods) =>
        problemContextResponse(c, {
          status: 405,
          detail: `${c.req.method} is not supported here.`,
          headers: { Allow: methods.join(", ") },
        }),
    }),
  );
  app.use(securityHeaders({ hsts: authConfig.secureCookies }));
  const limitBodySize = limitBody({
    maxBytes: deps.config.bodyLimitBytes,
    onTooLarge: (c) =>
      problemContextResponse(c, {
        status: 413,
        detail: `Request bodies are limited to ${deps.config.bodyLimitBytes} bytes.`,
      }),
  });
  // Only where a body can come: reading `body` on a GET makes @hono/node-server build a full
  // Request object, a real cost on the hot path.
  app.use(
    "/api/*",
    passesThrough(
      (c, next) => (BODYLESS.has(c.req.method) ? next() : limitBodySize(c, next)),
      [...BODYLESS],
    ),
  );
  // Only the answers that can be long: the hot path (session, health) never meets it.
  const compressLong = compressLarge();
  for (const path of COMPRESSED_ROUTES) app.use(path, compressLong);
  // The same 150 KB document every time: compressed once per coding, then served from memory.
  app.use("/api/openapi.json", compressLarge({ sameBodyEachTime: true }));
  // No caching and the CSRF check come with auth.middleware, on every route that has a user
  // (the auth routes, the to-dos); the health routes set no-store themselves.
  const routes = buildRoutes(deps, auth, clock);
  app.route("/", routes);
  app.route("/api", createOpenApiRoutes(app, auth));
  if (spa) app.route("/", spa.routes);
  return { app, auth };
}

/** The typed shape of the API, for Hono's `hc` client in the SPA. */
export type AppType = ReturnType<typeof buildRoutes>;
