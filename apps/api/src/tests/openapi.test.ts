import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCS_CONTENT_SECURITY_POLICY } from "../openapi/routes.js";
import { createTestApp, type TestApp } from "../testing/test-app.js";

type Document = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: {
    securitySchemes: Record<string, { in?: string; name?: string; type: string; scheme?: string }>;
  };
};

let t: TestApp;
let document: Document;
beforeAll(async () => {
  t = await createTestApp();
  document = (await (await t.client().get("/api/openapi.json")).json()) as Document;
}, 90_000);
afterAll(() => t.dispose());

/** `/api/todos/:id` → `/api/todos/{id}`, as OpenAPI spells path parameters. */
const openApiPath = (path: string) => path.replace(/:([^/{?]+)(\{[^}]*\})?\??/g, "{$1}");

/** Every (method, path) the app routes, from Hono's own table; middleware (`ALL`) aside. */
function appOperations(routes: readonly { method: string; path: string }[]): string[] {
  const operations = routes
    .filter((route) => route.method !== "ALL")
    // The SPA's hashed assets are files, not API.
    .filter((route) => !route.path.startsWith("/assets/"))
    .map((route) => `${route.method} ${openApiPath(route.path)}`);
  return [...new Set(operations)].sort();
}

function documentOperations(doc: Document): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1", () => {
    expect(document.openapi).toMatch(/^3\.1\./);
  });

  it("has every route of the app, and nothing else", () => {
    const routed = appOperations(t.app.routes);
    expect(routed.length).toBeGreaterThan(15);
    expect(documentOperations(document)).toEqual(routed);
  });

  it("describes request bodies with the schemas the routes validate with", () => {
    const login = document.paths["/api/auth/login"]!.post as unknown as {
      requestBody: { content: Record<string, { schema: Record<string, unknown> }> };
    };
    const schema = login.requestBody.content["application/json"]!.schema;
    expect(schema).toMatchObject({
      type: "object",
      required: ["email", "password"],
      additionalProperties: false,
    });
  });

  it("describes problem+json errors, Retry-After on 429 and 503", () => {
    const register = document.paths["/api/auth/register"]!.post!.responses as Record<
      string,
      { headers?: Record<string, unknown>; content?: Record<string, unknown> }
    >;
    for (const status of ["400", "403", "409", "413", "415", "422", "429", "503"]) {
      expect(Object.keys(register[status]?.content ?? {})).toEqual(["application/problem+json"]);
    }
    expect(register["429"]!.headers).toHaveProperty("Retry-After");
    expect(register["503"]!.headers).toHaveProperty("Retry-After");
  });

  it("names the auth cookies as cookie security schemes, the bearer transport and API keys", () => {
    const schemes = Object.values(document.components.securitySchemes);
    const cookies = schemes.filter((scheme) => scheme.in === "cookie");
    expect(cookies.map((scheme) => scheme.name).sort()).toEqual(["auth_access", "auth_session"]);
    expect(document.components.securitySchemes.bearerToken).toMatchObject({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
    expect(document.components.securitySchemes.apiKey).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
  });

  it("uses the __Host- names in production", async () => {
    const secure = await createTestApp({ auth: { secureCookies: true } });
    try {
      const doc = (await (await secure.client().get("/api/openapi.json")).json()) as Document;
      const names = Object.values(doc.components.securitySchemes)
        .filter((scheme) => scheme.in === "cookie")
        .map((scheme) => scheme.name);
      expect(names.sort()).toEqual(["__Host-auth_access", "__Host-auth_session"]);
    } finally {
      await secure.dispose();
    }
  }, 90_000);
});

describe("the API reference at /api/docs", () => {
  it("is served from this origin, under its own CSP with no inline script", async () => {
    const response = await t.client().get("/api/docs");
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toBe(DOCS_CONTENT_SECURITY_POLICY);
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/https?:|\*/);
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await response.text();
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((match) => match[1]);
    expect(scripts).toEqual([' src="/api/docs/scalar.js"', ' src="/api/docs/init.js"']);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("serves Scalar's bundle from node_modules", async () => {
    const response = await t.client().get("/api/docs/scalar.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript");
    expect((await response.text()).length).toBeGreaterThan(1_000_000);
    const init = await (await t.client().get("/api/docs/init.js")).text();
    expect(init).toContain('url: "/api/openapi.json"');
  });

  it("does not relax the policy of other pages", async () => {
    const response = await t.client().get("/api/health");
    expect(response.headers.get("content-security-policy")).toBeNull();
  });
});
