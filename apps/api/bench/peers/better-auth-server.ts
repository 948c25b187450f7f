/**
 * Better Auth as the bench's peer (issue 19), not part of the product: a Hono app on the same
 * `@hono/node-server` as ours, with Better Auth mounted the way its Hono page shows.
 *
 * Env: `DATABASE_URL`, `AUTH_SECRET`, `PORT`, `HOST`, and
 * - `BA_MODE=default|compact|jwt`: no cookie cache, or its cookie cache with that strategy;
 * - `BA_ROUTE=handler|middleware`: the session is read by `GET /api/auth/get-session`
 *   through `auth.handler` (which, in 1.7.25, builds its router again on every request: its
 *   issue #10188), or by its documented middleware (`auth.api.getSession({ headers })` on
 *   every route) in front of `GET /api/session`, which answers the session JSON, or 401.
 * `auth.handler` is mounted in both, for sign-up, sign-in and revocation.
 *
 * Run as its own process (`tsx apps/api/bench/peers/better-auth-server.ts`), like the API.
 */
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import pg from "pg";
import {
  BETTER_AUTH_ROUTES,
  type BetterAuthMode,
  type BetterAuthRoute,
} from "./better-auth-configs.js";
import { createBetterAuth } from "./better-auth-options.js";

type Auth = ReturnType<typeof createBetterAuth>;
type Variables = {
  user: Auth["$Infer"]["Session"]["user"] | null;
  session: Auth["$Infer"]["Session"]["session"] | null;
};

/**
 * The peer's app for one route: Better Auth's handler under `/api/auth/*`, and with
 * `middleware` its session middleware plus `GET /api/session`.
 *
 * @example
 * serve({ fetch: createBetterAuthApp(auth, "middleware").fetch, port: 3005 });
 */
export function createBetterAuthApp(auth: Auth, route: BetterAuthRoute) {
  if (!BETTER_AUTH_ROUTES.includes(route)) throw new Error(`unknown route: ${route}`);
  const app = new Hono<{ Variables: Variables }>();
  if (route === "middleware") {
    app.use("*", async (c, next) => {
      const session = await auth.api.getSession({ headers: c.req.raw.headers });
      c.set("user", session?.user ?? null);
      c.set("session", session?.session ?? null);
      await next();
    });
    app.get("/api/session", (c) => {
      const user = c.get("user");
      const session = c.get("session");
      if (!user || !session) return c.json({ message: "Sign in to continue." }, 401);
      return c.json({ session, user });
    });
  }
  app.on(["POST", "GET"], "/api/auth/*", (c) => auth.handler(c.req.raw));
  return app;
}

function main(): void {
  const { DATABASE_URL, AUTH_SECRET, BA_MODE, BA_ROUTE } = process.env;
  if (!DATABASE_URL || !AUTH_SECRET) throw new Error("DATABASE_URL and AUTH_SECRET are required");
  const port = Number(process.env.PORT ?? 3005);
  const host = process.env.HOST ?? "127.0.0.1";
  const pool = new pg.Pool({ connectionString: DATABASE_URL });
  const auth = createBetterAuth({
    pool,
    baseURL: `http://${host}:${port}`,
    secret: AUTH_SECRET,
    mode: (BA_MODE ?? "default") as BetterAuthMode,
  });
  const app = createBetterAuthApp(auth, (BA_ROUTE ?? "handler") as BetterAuthRoute);
  const server = serve({ fetch: app.fetch, port, hostname: host }, () =>
    console.log(`listening on http://${host}:${port} (Better Auth ${BA_MODE}, ${BA_ROUTE})`),
  );
  const shutdown = () => {
    server.close(() => void pool.end().finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
