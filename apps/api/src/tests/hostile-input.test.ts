import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@hybrid-auth/auth/schema";
import { todos } from "../todos/schema.js";
import { createTestApp, uniqueEmail, type TestApp } from "../testing/test-app.js";

let t: TestApp;
let signedIn: Awaited<ReturnType<TestApp["signUp"]>>;
beforeAll(async () => {
  t = await createTestApp({ bodyLimitBytes: 16 * 1024 });
  signedIn = await t.signUp();
});
afterAll(() => t.dispose());

async function expectProblem(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const text = await response.text();
  expect(text).not.toMatch(/at .*\.ts|select |insert |eyJ/i);
  return JSON.parse(text) as { errors?: { pointer: string; detail: string }[] };
}

describe("request bodies", () => {
  it("415 for bodies that are not JSON", async () => {
    for (const contentType of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const response = await signedIn.client.request("POST", "/api/todos", {
        body: '{"title":"x"}',
        headers: { "Content-Type": contentType },
      });
      await expectProblem(response, 415);
    }
    const untyped = await signedIn.client.request("POST", "/api/todos", { body: '{"title":"x"}' });
    await expectProblem(untyped, 415);
  });

  it("400 for malformed JSON", async () => {
    for (const body of ["{", '{"title": }', "nul", "\u0000"]) {
      const response = await signedIn.client.request("POST", "/api/todos", {
        body,
        headers: { "Content-Type": "application/json" },
      });
      await expectProblem(response, 400);
    }
  });

  it("413 for a body over the limit, before parsing", async () => {
    const response = await signedIn.client.request("POST", "/api/todos", {
      body: JSON.stringify({ title: "x".repeat(20_000) }),
      headers: { "Content-Type": "application/json" },
    });
    await expectProblem(response, 413);
  });

  it("422 naming the field for wrong types, unknown fields, NUL bytes, lone surrogates", async () => {
    const cases: [unknown, string][] = [
      [{ title: 42 }, "/title"],
      [{ title: null }, "/title"],
      [{ title: ["a"] }, "/title"],
      [{ title: "ok", admin: true }, "/admin"],
      [{ title: "a\u0000b" }, "/title"],
      [{ title: "a\ud800b" }, "/title"],
      [[], ""],
      ["just a string", ""],
    ];
    for (const [body, pointer] of cases) {
      const problem = await expectProblem(await signedIn.client.post("/api/todos", body), 422);
      expect(problem.errors?.map((e) => e.pointer)).toContain(pointer);
    }
  });

  it("a __proto__ key is an unknown field, not a prototype change", async () => {
    const response = await signedIn.client.request("POST", "/api/todos", {
      body: '{"title":"x","__proto__":{"admin":true}}',
      headers: { "Content-Type": "application/json" },
    });
    await expectProblem(response, 422);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it("hostile sign-up input leaves no half-written row", async () => {
    const before = (await t.database.db.select().from(users)).length;
    for (const body of [
      { email: uniqueEmail(), password: "violet-kettle-harbour-93", name: "a\u0000b" },
      { email: uniqueEmail(), password: "violet-kettle-harbour-93", role: "admin" },
      { email: `${"a".repeat(300)}@example.test`, password: "violet-kettle-harbour-93" },
      { email: uniqueEmail(), password: "x".repeat(5000) },
    ]) {
      const response = await t.client().post("/api/auth/register", body);
      expect(response.status).toBe(422);
    }
    expect((await t.database.db.select().from(users)).length).toBe(before);
  });

  it("deeply nested JSON is refused, never a 500", async () => {
    const depth = 5_000;
    const response = await signedIn.client.request("POST", "/api/todos", {
      body: `${"[".repeat(depth)}${"]".repeat(depth)}`,
      headers: { "Content-Type": "application/json" },
    });
    expect([400, 413, 422]).toContain(response.status);
  });
});

describe("routing", () => {
  it("404 problem+json for unknown routes", async () => {
    await expectProblem(await t.client().get("/api/nope"), 404);
  });

  it("405 with Allow for a known path and an unsupported method", async () => {
    const response = await signedIn.client.request("PUT", "/api/todos");
    await expectProblem(response, 405);
    expect(response.headers.get("allow")).toMatch(/GET/);
    const health = await t.client().request("POST", "/api/health");
    await expectProblem(health, 405);
  });

  it("odd ids are a 404, never a database error", async () => {
    for (const id of ["1", "x'; drop table todos;--", "%00", "0".repeat(500)]) {
      const response = await signedIn.client.request(
        "DELETE",
        `/api/todos/${encodeURIComponent(id)}`,
      );
      await expectProblem(response, 404);
    }
    expect(await t.database.db.select().from(todos)).toBeDefined();
  });
});
