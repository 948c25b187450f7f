import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@hybrid-auth/db/testing";
import { TestClient } from "../testing/index.js";
import { createHostApp } from "./host-app.js";

let database: TestDatabase;
beforeAll(async () => {
  // An empty database: the example migrates it itself.
  database = await createTestDatabase({ migrate: async () => {} });
});
afterAll(() => database.dispose());

describe("the README's example host app", () => {
  it("is the code the README shows", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const example = readFileSync(new URL("./host-app.ts", import.meta.url), "utf8");
    expect(readme).toContain(example.trim());
  });

  it("signs up, reaches a protected route, and signs out", async () => {
    const { app, auth } = await createHostApp(
      database.db,
      "an-example-secret-of-at-least-32-bytes!!",
    );
    const client = new TestClient((request) => app.fetch(request));
    expect((await client.get("/api/notes/mine")).status).toBe(401);
    const signUp = await client.post("/api/auth/register", {
      email: "host@example.test",
      password: "violet-kettle-harbour-93",
    });
    expect(signUp.status).toBe(201);
    // Secure by default: __Host- cookies.
    expect([...client.cookies.keys()].sort()).toEqual([
      "__Host-auth_access",
      "__Host-auth_device",
      "__Host-auth_session",
    ]);
    const mine = await client.get("/api/notes/mine");
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({ role: "user", notes: [] });
    expect((await client.post("/api/auth/logout")).status).toBe(204);
    expect((await client.get("/api/notes/mine")).status).toBe(401);
    await auth.close();
  });
});
