import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { z } from "zod";
import { describeRoute, jsonResponse, openApiDocument, type Auth } from "@hybrid-auth/auth";
import type { OpenAPIV3_1 } from "openapi-types";

/** The API reference page's policy: the SPA's, plus the inline styles Scalar injects. */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Scalar's self-contained browser bundle, from node_modules: no CDN. */
const scalarBundle = fileURLToPath(
  new URL("./browser/standalone.js", import.meta.resolve("@scalar/api-reference")),
);

const DOCS_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Tidy API reference</title>
  </head>
  <body>
    <div id="app"></div>
    <script src="/api/docs/scalar.js"></script>
    <script src="/api/docs/init.js"></script>
  </body>
</html>
`;

// No inline script (the policy has no 'unsafe-inline' for scripts): the set-up is a file too.
const DOCS_INIT = `Scalar.createApiReference("#app", {
  url: "/api/openapi.json",
  withDefaultFonts: false,
  hideClientButton: true,
  telemetry: false,
});
`;

const INFO: OpenAPIV3_1.InfoObject = {
  title: "Tidy API",
  version: "1.0.0",
  license: { name: "MIT", identifier: "MIT" },
  description:
    "The to-do app's HTTP API: the hybrid-auth routes (cookie sessions) and the to-dos. Errors are RFC 9457 `application/problem+json`. State-changing requests need a same-origin `Origin` (or `Sec-Fetch-Site: same-origin`) header: the CSRF check answers 403 otherwise. A path that exists answers 405 with `Allow` for other methods; unknown paths under `/api` answer 404.",
};

const TAGS = ["docs"];
const text = (description: string, type: string) => ({
  description,
  content: { [type]: { schema: { type: "string" as const } } },
});
const docs = {
  document: describeRoute({
    tags: TAGS,
    summary: "This OpenAPI 3.1 document",
    security: [],
    responses: {
      200: jsonResponse("The document.", z.looseObject({ openapi: z.string() })),
    },
  }),
  page: describeRoute({
    tags: TAGS,
    summary: "The interactive API reference (Scalar)",
    security: [],
    responses: { 200: text("An HTML page.", "text/html") },
  }),
  script: describeRoute({
    tags: TAGS,
    summary: "The reference page's scripts",
    security: [],
    responses: { 200: text("JavaScript.", "text/javascript") },
  }),
};

/**
 * `GET /openapi.json`, generated once from the routes' own descriptions and schemas of the
 * whole `app` (so it must be mounted on it), and `GET /docs`, an API reference served from
 * this origin only.
 */
export function createOpenApiRoutes(
  app: Parameters<typeof openApiDocument>[0],
  auth: Pick<Auth, "internals">,
) {
  let document: Promise<OpenAPIV3_1.Document> | undefined;
  let bundle: string | undefined;
  const cacheable = { "Cache-Control": "public, max-age=3600" };
  return new Hono()
    .get("/openapi.json", docs.document, async (c) => {
      document ??= openApiDocument(app, {
        auth,
        info: INFO,
        servers: [{ url: "/", description: "This server" }],
        exclude: [/^\/assets\//],
      });
      return c.json(await document, 200, { "Cache-Control": "no-cache" });
    })
    .get("/docs", docs.page, (c) =>
      c.html(DOCS_HTML, 200, {
        "Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY,
        "Cache-Control": "no-cache",
      }),
    )
    .get("/docs/scalar.js", docs.script, (c) => {
      bundle ??= readFileSync(scalarBundle, "utf8");
      return c.body(bundle, 200, { "Content-Type": "text/javascript", ...cacheable });
    })
    .get("/docs/init.js", docs.script, (c) =>
      c.body(DOCS_INIT, 200, { "Content-Type": "text/javascript", ...cacheable }),
    );
}
