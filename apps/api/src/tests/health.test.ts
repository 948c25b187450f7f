import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../testing/test-app.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.dispose());

describe("health", () => {
  it("GET /api/health is 200 with no database query", async () => {
    t.queries.reset();
    const response = await t.client().get("/api/health");
    expect(response.status).toBe(200);
    expect(t.queries.count).toBe(0);
  });

  it("GET /api/ready is 200 when the database is migrated", async () => {
    const response = await t.client().get("/api/ready");
    expect(response.status).toBe(200);
  });
});

describe("security headers", () => {
  it("production (secure cookies) sends HSTS on every answer", async () => {
    const secure = await createTestApp({ auth: { secureCookies: true } });
    try {
      const response = await secure.client().get("/api/health");
      expect(response.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    } finally {
      await secure.dispose();
    }
  });
});
