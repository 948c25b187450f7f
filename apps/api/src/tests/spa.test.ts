import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { serve, type ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { precompressDir } from "../../../web/scripts/precompress.mjs";
import { ROUTE_MANIFEST_FILE, ROUTE_PATHS } from "../../../web/src/route-paths.js";
import { createTestApp, type TestApp } from "../testing/test-app.js";

const INDEX_HTML = `<!doctype html><html><head><title>Tidy</title><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="app"></div>${"<!-- padding -->".repeat(40)}</body></html>`;
/** Big enough for the build to precompress it (past 256 bytes). */
const APP_JS = `export const pages = ${JSON.stringify(Object.values(ROUTE_PATHS))};\n${"console.log('the app');\n".repeat(60)}`;

let t: TestApp;
beforeAll(async () => {
  const dist = mkdtempSync(join(tmpdir(), "spa-"));
  mkdirSync(join(dist, "assets"));
  writeFileSync(join(dist, "index.html"), INDEX_HTML);
  writeFileSync(join(dist, ROUTE_MANIFEST_FILE), JSON.stringify(Object.values(ROUTE_PATHS)));
  writeFileSync(join(dist, "assets", "app-abc123.js"), APP_JS);
  writeFileSync(join(dist, "favicon.svg"), "<svg/>");
  // What the web build does after bundling (vite.config.ts).
  await precompressDir(dist);
  t = await createTestApp({ webDistDir: dist });
});
afterAll(() => t.dispose());

const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());

describe("serving the SPA on the API's origin", () => {
  it("serves index.html for app routes with no-cache and a strict CSP", async () => {
    for (const path of [
      "/",
      "/todos",
      "/devices",
      "/sign-in?returnTo=%2Ftodos",
      "/admin/users/42",
    ]) {
      const response = await t.client().get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/text\/html/);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      const csp = response.headers.get("content-security-policy")!;
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/unsafe-inline/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(await response.text()).toContain("/assets/app-abc123.js");
    }
  });

  it("answers a page the SPA does not have with 404 and the same page (its not-found view)", async () => {
    for (const path of ["/no-such-page", "/todos/extra", "/admin/users", "/admin/users//x"]) {
      const response = await t.client().get(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/text\/html/);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
      expect(await response.text()).toBe(INDEX_HTML);
    }
    // As vue-router matches: any case, a trailing slash.
    for (const path of ["/Sign-In", "/todos/", "/admin/users/42/"]) {
      expect((await t.client().get(path)).status, path).toBe(200);
    }
  });

  it("serves hashed assets as immutable and other files briefly cached", async () => {
    const asset = await t.client().get("/assets/app-abc123.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await asset.text()).toBe(APP_JS);
    const icon = await t.client().get("/favicon.svg");
    expect(icon.status).toBe(200);
    expect(icon.headers.get("cache-control")).toBe("public, max-age=3600");
  });

  it("answers missing files and unknown API routes with 404, not index.html", async () => {
    const asset = await t.client().get("/assets/missing-123.js");
    expect(asset.status).toBe(404);
    expect(asset.headers.get("content-type")).not.toMatch(/html/);
    expect((await t.client().get("/robots.txt")).status).toBe(404);
    const api = await t.client().get("/api/unknown");
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toBe("application/problem+json");
    const nope = await t.client().get("/api/nope");
    expect(nope.status).toBe(404);
    expect(nope.headers.get("content-type")).toBe("application/problem+json");
  });

  it("does not let path traversal out of the build directory", async () => {
    const response = await t.client().get("/assets/..%2f..%2fetc%2fpasswd");
    expect(response.status).toBe(404);
  });

  it("405 answers list only methods that then work: the SPA is no catch-all route", async () => {
    const { client } = await t.signUp();
    expect((await client.request("POST", "/api/unknown")).status).toBe(404);
    expect((await client.request("DELETE", "/todos")).status).toBe(404);
    for (const [method, path] of [
      ["PUT", "/api/todos"],
      ["POST", "/api/health"],
      ["PUT", "/api/auth/me"],
      ["PUT", "/api/auth/sessions"],
    ] as const) {
      const response = await client.request(method, path);
      expect(response.status, `${method} ${path}`).toBe(405);
      for (const allowed of response.headers.get("allow")!.split(", ")) {
        if (allowed === "HEAD") continue;
        const answer = await client.request(allowed, path);
        expect(answer.status, `${allowed} ${path} (listed in Allow)`).not.toBe(404);
      }
    }
  });

  it("keeps the API working alongside", async () => {
    expect((await t.client().get("/api/health")).status).toBe(200);
  });
});

describe("compressed files (decision 024)", () => {
  it("sends an asset's brotli copy to a client that takes br, decoding to the very bytes", async () => {
    const response = await t.client().get("/assets/app-abc123.js", {
      "Accept-Encoding": "gzip, deflate, br, zstd",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-encoding")).toBe("br");
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const body = await bytes(response);
    expect(Number(response.headers.get("content-length"))).toBe(body.byteLength);
    expect(body.byteLength).toBeLessThan(APP_JS.length / 2);
    expect(brotliDecompressSync(body).toString()).toBe(APP_JS);
  });

  it("sends the gzip copy to a client that takes only gzip", async () => {
    const response = await t.client().get("/assets/app-abc123.js", {
      "Accept-Encoding": "gzip",
    });
    expect(response.headers.get("content-encoding")).toBe("gzip");
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(gunzipSync(await bytes(response)).toString()).toBe(APP_JS);
  });

  it("sends the file itself without Accept-Encoding, still saying it varies", async () => {
    const response = await t.client().get("/assets/app-abc123.js");
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    expect(await response.text()).toBe(APP_JS);
  });

  it("compresses index.html from memory, for 200 and 404 pages alike", async () => {
    for (const [path, status] of [
      ["/sign-in", 200],
      ["/no-such-page", 404],
    ] as const) {
      const br = await t.client().get(path, { "Accept-Encoding": "br" });
      expect(br.status).toBe(status);
      expect(br.headers.get("content-encoding")).toBe("br");
      expect(br.headers.get("vary")).toBe("Accept-Encoding");
      expect(br.headers.get("content-type")).toMatch(/^text\/html/);
      expect(brotliDecompressSync(await bytes(br)).toString()).toBe(INDEX_HTML);
      const gzip = await t.client().get(path, { "Accept-Encoding": "gzip;q=1, br;q=0" });
      expect(gzip.headers.get("content-encoding")).toBe("gzip");
      expect(gunzipSync(await bytes(gzip)).toString()).toBe(INDEX_HTML);
      const plain = await t.client().get(path);
      expect(plain.headers.get("content-encoding")).toBeNull();
      expect(await plain.text()).toBe(INDEX_HTML);
    }
  });
});

describe("over HTTP (@hono/node-server)", () => {
  let server: ServerType;
  let origin: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => {
      server = serve({ fetch: t.app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
        origin = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("HEAD tells the length of what a GET would send, without a body", async () => {
    const get = await fetch(`${origin}/assets/app-abc123.js`, {
      headers: { "Accept-Encoding": "br" },
    });
    const length = get.headers.get("content-length");
    await get.arrayBuffer();
    const head = await fetch(`${origin}/assets/app-abc123.js`, {
      method: "HEAD",
      headers: { "Accept-Encoding": "br" },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-encoding")).toBe("br");
    expect(head.headers.get("content-length")).toBe(length);
    expect(head.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const page = await fetch(`${origin}/no-such-page`, { method: "HEAD" });
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("answers a Range request with the file's own bytes, never a slice of a compressed copy", async () => {
    const response = await fetch(`${origin}/assets/app-abc123.js`, {
      headers: { "Accept-Encoding": "br, gzip", Range: "bytes=0-20" },
    });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(response.headers.get("content-range")).toBe(`bytes 0-20/${APP_JS.length}`);
    expect(await response.text()).toBe(APP_JS.slice(0, 21));
  });

  it("a fetch client gets assets and pages compressed and decodes them to the original", async () => {
    // fetch sends Accept-Encoding itself and decodes what comes back.
    const asset = await fetch(`${origin}/assets/app-abc123.js`);
    expect(asset.headers.get("content-encoding")).toMatch(/^(br|gzip)$/);
    expect(await asset.text()).toBe(APP_JS);
    const page = await fetch(`${origin}/todos`);
    expect(page.headers.get("content-encoding")).toMatch(/^(br|gzip)$/);
    expect(await page.text()).toBe(INDEX_HTML);
  });
});
