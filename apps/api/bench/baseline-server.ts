/**
 * Benchmark baseline (variant c), not part of the product: the same `GET /api/auth/session`
 * authenticated the way a plain session library does it (Lucia-style sessions, Better Auth
 * without its cookie cache): hash the session cookie and look the session and its user up in
 * the database on every request. Same database and schema, same cookie, same headers, same
 * Node server: only the authentication strategy differs.
 *
 * Run as its own process (`tsx apps/api/bench/baseline-server.ts`) with `PORT`, `HOST` and
 * `DATABASE_URL` or `DATA_DIR` (embedded PGlite in `DATA_DIR/pglite`), like the API.
 */
import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import { and, eq, gt, isNull } from "drizzle-orm";
import { Hono } from "hono";
import { parse } from "hono/utils/cookie";
import { sessions, users } from "@hybrid-auth/auth/schema";
import { openDatabase, type Db } from "@hybrid-auth/db";
import { cookieHeader as nodeCookieHeader } from "../../../packages/auth/src/http/node-cookie-header.js";
import { securityHeaders } from "../src/http/security-headers.js";

const SESSION_COOKIE = "__Host-auth_session";
const IDLE_MS = 7 * 24 * 3600 * 1000;

/** The baseline app: one indexed select (session joined with its user) per request. */
export function createBaselineApp(db: Db) {
  const app = new Hono();
  app.use(securityHeaders({ hsts: true }));
  app.use(async (c, next) => {
    c.header("Cache-Control", "no-store");
    await next();
  });
  app.get("/api/auth/session", async (c) => {
    const header = nodeCookieHeader(c);
    const token = header ? parse(header, SESSION_COOKIE)[SESSION_COOKIE] : undefined;
    if (!token) return c.json({ title: "Unauthorized", status: 401 }, 401);
    const tokenHash = createHash("sha256").update(token).digest("hex");
    const now = Date.now();
    const [row] = await db
      .select({
        sessionId: sessions.id,
        userId: sessions.userId,
        role: users.role,
        createdAt: sessions.createdAt,
        expiresAt: sessions.expiresAt,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(
        and(
          eq(sessions.tokenHash, tokenHash),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, new Date(now)),
          gt(sessions.lastSeenAt, new Date(now - IDLE_MS)),
          isNull(users.disabledAt),
        ),
      );
    if (!row) return c.json({ title: "Unauthorized", status: 401 }, 401);
    return c.json({
      session: {
        userId: row.userId,
        sessionId: row.sessionId,
        role: row.role,
        issuedAt: row.createdAt.toISOString(),
        expiresAt: row.expiresAt.toISOString(),
      },
    });
  });
  return app;
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const database = await openDatabase(
    url ? { url } : { dataDir: `${process.env.DATA_DIR ?? "./.data"}/pglite` },
  );
  const app = createBaselineApp(database.db);
  const port = Number(process.env.PORT ?? 3001);
  const server = serve({ fetch: app.fetch, port, hostname: process.env.HOST ?? "127.0.0.1" }, () =>
    console.log(`listening on http://127.0.0.1:${port} (baseline)`),
  );
  const shutdown = () => {
    server.close(() => void database.close().finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
