import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";
import { secureHeaders } from "hono/secure-headers";
import {
  createAuth,
  createProblemErrorHandler,
  problemNotFoundHandler,
  problemResponse,
  systemClock,
  type AuthEnv,
  type Clock,
  type RevocationTransport,
} from "@hybrid-auth/auth";
import type { Database } from "@hybrid-auth/db";
import type { Config } from "./config";
import { createHealthRoutes } from "./health/routes";
import { socketClientIp } from "./http/client-ip";
import { createTodoRoutes } from "./todos/routes";

export type AppDeps = {
  database: Database;
  config: Pick<Config, "auth" | "bodyLimitBytes">;
  clock?: Clock;
  revocationTransport?: RevocationTransport;
  getClientIp?: (c: Context) => string | undefined;
  logError?: (error: unknown) => void;
};

function buildRoutes(deps: AppDeps, auth: Awaited<ReturnType<typeof createAuth>>, clock: Clock) {
  return new Hono<AuthEnv>()
    .route("/api", createHealthRoutes(deps.database))
    .route("/api/auth", auth.routes)
    .use("/api/todos", auth.middleware, auth.requireAuth)
    .use("/api/todos/*", auth.middleware, auth.requireAuth)
    .route("/api/todos", createTodoRoutes({ db: deps.database.db, clock }));
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
    accessTokenTtlSeconds: authConfig.accessTokenTtlSeconds,
    sessionAbsoluteTtlSeconds: authConfig.sessionAbsoluteTtlSeconds,
    sessionIdleTtlSeconds: authConfig.sessionIdleTtlSeconds,
    secureCookies: authConfig.secureCookies,
    revocationTransport: deps.revocationTransport,
    getClientIp: deps.getClientIp ?? socketClientIp,
  });

  const app = new Hono<AuthEnv>();
  app.onError(createProblemErrorHandler(deps.logError));
  app.notFound(problemNotFoundHandler);
  app.use(
    secureHeaders({
      xFrameOptions: "DENY",
      strictTransportSecurity: authConfig.secureCookies
        ? "max-age=31536000; includeSubDomains"
        : false,
    }),
  );
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        problemResponse({
          status: 405,
          detail: `${c.req.method} is not supported here.`,
          headers: { Allow: methods.join(", ") },
        }),
    }),
  );
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: deps.config.bodyLimitBytes,
      onError: () =>
        problemResponse({
          status: 413,
          detail: `Request bodies are limited to ${deps.config.bodyLimitBytes} bytes.`,
        }),
    }),
  );
  const routes = buildRoutes(deps, auth, clock);
  app.route("/", routes);
  return { app, auth };
}

/** The typed shape of the API, for Hono's `hc` client in the SPA. */
export type AppType = ReturnType<typeof buildRoutes>;
