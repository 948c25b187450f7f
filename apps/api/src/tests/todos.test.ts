import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { todos } from "../todos/schema.js";
import { createTestApp, type TestApp } from "../testing/test-app.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.dispose());

type Todo = { id: string; title: string; completed: boolean; createdAt: string; updatedAt: string };

async function createTodo(client: Awaited<ReturnType<TestApp["signUp"]>>["client"], title: string) {
  const response = await client.post("/api/todos", { title });
  expect(response.status).toBe(201);
  return ((await response.json()) as { todo: Todo }).todo;
}

describe("to-do CRUD", () => {
  it("creates (title trimmed), lists, updates and deletes", async () => {
    const { client } = await t.signUp();
    expect(await (await client.get("/api/todos")).json()).toEqual({ todos: [] });
    const todo = await createTodo(client, "  Buy milk  ");
    expect(todo).toMatchObject({ title: "Buy milk", completed: false });
    t.clock.advanceSeconds(5);
    const patched = await client.patch(`/api/todos/${todo.id}`, {
      completed: true,
      title: "Oat milk",
    });
    expect(patched.status).toBe(200);
    const { todo: updated } = (await patched.json()) as { todo: Todo };
    expect(updated).toMatchObject({ id: todo.id, title: "Oat milk", completed: true });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(todo.updatedAt));
    expect(((await (await client.get("/api/todos")).json()) as { todos: Todo[] }).todos).toEqual([
      updated,
    ]);
    expect((await client.delete(`/api/todos/${todo.id}`)).status).toBe(204);
    expect((await client.delete(`/api/todos/${todo.id}`)).status).toBe(404);
    expect(await (await client.get("/api/todos")).json()).toEqual({ todos: [] });
  });

  it("lists in creation order", async () => {
    const { client } = await t.signUp();
    for (const title of ["one", "two", "three"]) {
      await createTodo(client, title);
      t.clock.advance(1);
    }
    const { todos: list } = (await (await client.get("/api/todos")).json()) as { todos: Todo[] };
    expect(list.map((todo) => todo.title)).toEqual(["one", "two", "three"]);
  });

  it("validates titles: 1–500 characters after trimming", async () => {
    const { client } = await t.signUp();
    for (const title of ["", "   ", "x".repeat(501)]) {
      const response = await client.post("/api/todos", { title });
      expect(response.status).toBe(422);
    }
    expect((await client.post("/api/todos", { title: "x".repeat(500) })).status).toBe(201);
  });

  it("PATCH with nothing to change is a 422", async () => {
    const { client } = await t.signUp();
    const todo = await createTodo(client, "a");
    expect((await client.patch(`/api/todos/${todo.id}`, {})).status).toBe(422);
  });

  it("requires sign-in", async () => {
    const anonymous = t.client();
    expect((await anonymous.get("/api/todos")).status).toBe(401);
    expect((await anonymous.post("/api/todos", { title: "x" })).status).toBe(401);
  });
});

describe("isolation between users", () => {
  it("another user's to-do answers exactly like a missing one", async () => {
    const owner = await t.signUp();
    const intruder = await t.signUp();
    const todo = await createTodo(owner.client, "private");
    const missing = "00000000-0000-4000-8000-000000000000";
    for (const [method, body] of [
      ["PATCH", { completed: true }],
      ["DELETE", undefined],
    ] as const) {
      const theirs = await intruder.client.request(method, `/api/todos/${todo.id}`, { json: body });
      const none = await intruder.client.request(method, `/api/todos/${missing}`, { json: body });
      expect(theirs.status).toBe(404);
      expect(await theirs.json()).toEqual(await none.json());
    }
    expect(
      ((await (await intruder.client.get("/api/todos")).json()) as { todos: Todo[] }).todos,
    ).toEqual([]);
    const { todos: ownerList } = (await (await owner.client.get("/api/todos")).json()) as {
      todos: Todo[];
    };
    expect(ownerList).toEqual([todo]);
  });

  it("never takes server-owned fields from the body", async () => {
    const owner = await t.signUp();
    const other = await t.signUp();
    for (const extra of [
      { userId: other.user.id },
      { id: "00000000-0000-4000-8000-000000000000" },
      { createdAt: "2000-01-01T00:00:00Z" },
      { completed: true },
    ]) {
      const response = await owner.client.post("/api/todos", { title: "x", ...extra });
      expect(response.status).toBe(422);
    }
    const rows = await t.database.db.select().from(todos);
    expect(rows.filter((row) => row.userId === other.user.id)).toEqual([]);
  });
});
