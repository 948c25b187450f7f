import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../testing/test-app.js";

let t: TestApp;
beforeAll(async () => {
  const dist = mkdtempSync(join(tmpdir(), "spa-"));
  mkdirSync(join(dist, "assets"));
  writeFileSync(
    join(dist, "index.html"),
    '<!doctype html><script type="module" src="/assets/app-abc123.js"></script>',
  );
  writeFileSync(join(dist, "assets", "app-abc123.js"), "console.log('app')");
  writeFileSync(join(dist, "favicon.svg"), "<svg/>");
  t = await createTestApp({ webDistDir: dist });
});
afterAll(() => t.dispose());

describe("serving the SPA on the API's origin", () => {
  it("serves index.html for app routes with no-cache and a strict CSP", async () => {
    for (const path of ["/", "/todos", "/devices", "/sign-in?returnTo=%2Ftodos"]) {
      const response = await t.client().get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/text\/html/);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      const csp = response.headers.get("content-security-policy")!;
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/unsafe-inline/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(await response.text()).toContain("/assets/app-abc123.js");
    }
  });

  it("serves hashed assets as immutable and other files briefly cached", async () => {
    const asset = await t.client().get("/assets/app-abc123.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    const icon = await t.client().get("/favicon.svg");
    expect(icon.status).toBe(200);
    expect(icon.headers.get("cache-control")).toBe("public, max-age=3600");
  });

  it("answers missing files and unknown API routes with 404, not index.html", async () => {
    expect((await t.client().get("/assets/missing-123.js")).status).toBe(404);
    expect((await t.client().get("/robots.txt")).status).toBe(404);
    const api = await t.client().get("/api/unknown");
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toBe("application/problem+json");
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
