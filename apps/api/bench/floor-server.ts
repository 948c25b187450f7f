/**
 * Benchmark floor (issue 19), not part of the product: a plain Hono app on the same Node
 * server answering `GET /api/auth/session` with the very JSON the product's hot path answers
 * (handed over in `FLOOR_BODY`), with the same security headers and `Cache-Control: no-store`
 * — and nothing else: no auth, no body limit, no SPA fallback, no problem handler. What the
 * product costs on top of it is what its layers cost.
 *
 * Run as its own process (`tsx apps/api/bench/floor-server.ts`) with `PORT`, `HOST` and
 * `FLOOR_BODY`, like the API.
 */
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { securityHeaders } from "../src/http/security-headers.js";

/** The floor app: the security headers, then a constant JSON answer. */
export function createFloorApp(body: string) {
  const app = new Hono();
  app.use(securityHeaders({ hsts: true }));
  app.get("/api/auth/session", (c) =>
    c.body(body, 200, { "Content-Type": "application/json", "Cache-Control": "no-store" }),
  );
  return app;
}

function main(): void {
  const body = process.env.FLOOR_BODY;
  if (!body) throw new Error("FLOOR_BODY is required: the JSON the product's hot path answers");
  const app = createFloorApp(body);
  const port = Number(process.env.PORT ?? 3002);
  const server = serve({ fetch: app.fetch, port, hostname: process.env.HOST ?? "127.0.0.1" }, () =>
    console.log(`listening on http://127.0.0.1:${port} (floor)`),
  );
  // Close and let the event loop end on its own: `node --cpu-prof` (pnpm bench:profile)
  // writes the main thread's profile at a natural exit, not at process.exit() from a signal.
  const shutdown = () => {
    server.close();
    if ("closeAllConnections" in server) server.closeAllConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
