import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono, type Context, type MiddlewareHandler, type NotFoundHandler } from "hono";
import { spaPage } from "./spa-page.js";
import { readSpaRoutes } from "./spa-routes.js";

/** Where `vite build` writes the SPA in this repository. */
export const defaultWebDistDir = fileURLToPath(new URL("../../../web/dist", import.meta.url));

/**
 * The SPA's policy: scripts and styles only from this origin (no inline scripts), no
 * framing, no plugins, requests only to this origin.
 */
export const SPA_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const HASHED_ASSET = "public, max-age=31536000, immutable";
const PLAIN_ASSET = "public, max-age=3600";
/** A path whose last segment has a file extension: a file, not an SPA route. */
const FILE_PATH = /\/[^/]+\.[A-Za-z0-9]+$/;

/**
 * Serves the built SPA: hashed assets cached forever (`routes`), and, for a GET or HEAD that
 * no route matched outside `/api`, other files for an hour or `index.html` (history fallback,
 * `no-cache`, CSP) — through the app's not-found handler (`fallback`), so that no catch-all
 * route makes every API path look like it has a GET (405 `Allow` lists only real methods).
 * `index.html` answers 200 on the SPA's pages (`routes.json` of the build) and 404 anywhere
 * else, where the app shows its not-found page.
 *
 * Files go out as the build precompressed them (`name.br`, `name.gz`, decision 024) when the
 * client accepts it, with `Vary: Accept-Encoding`; a `Range` request gets the file itself.
 * Returns `undefined` when there is no build to serve.
 */
export function createSpa(distDir: string) {
  const indexFile = join(distDir, "index.html");
  if (!existsSync(indexFile)) return undefined;
  const page = spaPage(readFileSync(indexFile));
  const isPage = readSpaRoutes(distDir);
  const precompressed = serveStatic({ root: distDir, precompressed: true });
  const plain = serveStatic({ root: distDir });

  // Byte ranges count in the file itself: never in one of its compressed copies.
  const files: MiddlewareHandler = async (c, next) => {
    const response = await (c.req.header("Range") ? plain : precompressed)(c, next);
    // Also on the identity answer, so that no shared cache hands it to a client that takes br.
    if (response instanceof Response) response.headers.set("Vary", "Accept-Encoding");
    return response;
  };

  const routes = new Hono().get("/assets/*", async (c, next) => {
    c.header("Cache-Control", HASHED_ASSET);
    return files(c, next);
  });

  async function fallback(c: Context, notFound: NotFoundHandler): Promise<Response> {
    const { path, method } = c.req;
    const isApi = path === "/api" || path.startsWith("/api/");
    // Never index.html for a missing asset: a browser would try to run HTML as a script.
    if ((method !== "GET" && method !== "HEAD") || isApi || path.startsWith("/assets/")) {
      return notFound(c);
    }
    if (FILE_PATH.test(path) && !path.endsWith(".html")) {
      c.header("Cache-Control", PLAIN_ASSET);
      return (await files(c, async () => {})) ?? notFound(c);
    }
    c.header("Cache-Control", "no-cache");
    c.header("Content-Security-Policy", SPA_CONTENT_SECURITY_POLICY);
    return page.respond(c, !isPage || isPage(path) ? 200 : 404);
  }

  return { routes, fallback };
}
