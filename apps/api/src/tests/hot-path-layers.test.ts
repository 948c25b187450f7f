import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../testing/test-app.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.dispose());

/** The handlers Hono runs for a request, in order (the router's match). */
const layers = (method: string, path: string) =>
  t.app.router.match(method, path)[0].map(([[handler]]) => handler);

describe("the hot path's layers (decision 042)", () => {
  it("GET /api/health runs the security headers and its handler, as the floor does", async () => {
    expect(layers("GET", "/api/health")).toHaveLength(2);
    expect((await t.client().get("/api/health")).status).toBe(200);
  });

  it("GET /api/auth/session runs the security headers, the auth middleware and its handler", async () => {
    const handlers = layers("GET", "/api/auth/session");
    expect(handlers).toHaveLength(3);
    expect(handlers[1]).toBe(t.auth.middleware);
    const { client } = await t.signUp();
    expect((await client.get("/api/auth/session")).status).toBe(200);
  });

  it("a POST still runs the layers that work on it: the body limit and the bearer pair's", () => {
    // The security headers, the body limit, the bearer pair in the body, the auth
    // middleware, the handler: only the route description is left out.
    const handlers = layers("POST", "/api/auth/logout");
    expect(handlers).toHaveLength(5);
    expect(handlers[3]).toBe(t.auth.middleware);
  });
});
