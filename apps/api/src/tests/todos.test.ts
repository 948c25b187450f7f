import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, eq, sql } from "drizzle-orm";
import { todoCounts, todos } from "../todos/schema.js";
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
    expect(await (await client.get("/api/todos")).json()).toEqual({ todos: [], nextCursor: null });
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
    expect(await (await client.get("/api/todos")).json()).toEqual({ todos: [], nextCursor: null });
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

  it("PATCH /api/todos marks every to-do done or not done, the user's own only", async () => {
    const { client } = await t.signUp();
    const other = await t.signUp();
    const theirs = await createTodo(other.client, "theirs");
    const a = await createTodo(client, "a");
    t.clock.advance(1);
    const b = await createTodo(client, "b");
    await client.patch(`/api/todos/${a.id}`, { completed: true });
    const done = await client.patch("/api/todos", { completed: true });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ updated: 1 });
    const list = async (c: typeof client) =>
      ((await (await c.get("/api/todos")).json()) as { todos: Todo[] }).todos;
    expect((await list(client)).map((todo) => [todo.id, todo.completed])).toEqual([
      [a.id, true],
      [b.id, true],
    ]);
    expect(await (await client.patch("/api/todos", { completed: false })).json()).toEqual({
      updated: 2,
    });
    expect((await list(other.client))[0]).toEqual(theirs);
    for (const body of [{}, { completed: "yes" }, { completed: true, title: "x" }]) {
      expect((await client.patch("/api/todos", body)).status).toBe(422);
    }
    expect((await t.client().patch("/api/todos", { completed: true })).status).toBe(401);
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

type Page = { todos: Todo[]; nextCursor: string | null };
type Client = Awaited<ReturnType<TestApp["signUp"]>>["client"];

async function page(client: Client, query: string): Promise<Page> {
  const response = await client.get(`/api/todos${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Page;
}

/** Walks every page from the first; the titles in the order they came. */
async function walk(client: Client, limit: number): Promise<string[]> {
  const titles: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages += 1) {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`;
    const answer = await page(client, query);
    expect(answer.todos.length).toBeLessThanOrEqual(limit);
    titles.push(...answer.todos.map((todo) => todo.title));
    if (!answer.nextCursor) return titles;
    cursor = answer.nextCursor;
  }
  throw new Error("more than 100 pages");
}

/** Rows written straight to the database: many of them quickly, or at chosen instants. */
async function insertRows(userId: string, rows: { title: string; createdAt: string }[]) {
  await t.database.db.insert(todos).values(
    rows.map((row) => ({
      userId,
      title: row.title,
      createdAt: sql`${row.createdAt}::timestamptz`,
      updatedAt: sql`${row.createdAt}::timestamptz`,
    })),
  );
}

async function expectProblem(response: Response, status: number, pointer?: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = (await response.json()) as {
    type: string;
    status: number;
    detail: string;
    errors?: { pointer: string }[];
  };
  expect(body.status).toBe(status);
  if (pointer) expect(body.errors?.map((error) => error.pointer)).toContain(pointer);
  return body;
}

describe("pages of GET /api/todos", () => {
  it("answers 100 by default, at most 200, with a cursor to the next page", async () => {
    const { client, user } = await t.signUp();
    const base = Date.UTC(2030, 0, 1);
    await insertRows(
      user.id,
      Array.from({ length: 250 }, (_, i) => ({
        title: `#${String(i).padStart(3, "0")}`,
        createdAt: new Date(base + i * 1000).toISOString(),
      })),
    );
    const first = await page(client, "");
    expect(first.todos).toHaveLength(100);
    expect(first.todos[0]!.title).toBe("#000");
    expect(first.nextCursor).toEqual(expect.any(String));
    const big = await page(client, "?limit=200");
    expect(big.todos).toHaveLength(200);
    const rest = await page(client, `?limit=200&cursor=${big.nextCursor}`);
    expect(rest.todos.map((todo) => todo.title)).toEqual(
      Array.from({ length: 50 }, (_, i) => `#${String(200 + i).padStart(3, "0")}`),
    );
    expect(rest.nextCursor).toBeNull();
  });

  it("walks every to-do once, in creation order, ties broken by id", async () => {
    const { client } = await t.signUp();
    const created: Todo[] = [];
    for (let i = 0; i < 7; i += 1) {
      created.push(await createTodo(client, `t${i}`));
      if (i % 3 === 2) t.clock.advance(1); // three to-dos share each instant
    }
    const expected = created
      .toSorted((a, b) =>
        a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt < b.createdAt ? -1 : 1,
      )
      .map((todo) => todo.title);
    for (const limit of [1, 2, 3, 7, 200]) expect(await walk(client, limit)).toEqual(expected);
    expect((await page(client, "?limit=7")).nextCursor).toBeNull();
  });

  it("keeps the microseconds PostgreSQL stores: no to-do repeated or skipped", async () => {
    // A cursor holding a JavaScript Date (milliseconds) would repeat the second row forever.
    const { client, user } = await t.signUp();
    await insertRows(user.id, [
      { title: "a", createdAt: "2030-01-01T00:00:00.000100Z" },
      { title: "b", createdAt: "2030-01-01T00:00:00.000200Z" },
      { title: "c", createdAt: "2030-01-01T00:00:00.000900Z" },
    ]);
    expect(await walk(client, 1)).toEqual(["a", "b", "c"]);
  });

  it("is stable while to-dos are added and deleted between pages", async () => {
    const { client } = await t.signUp();
    const created: Todo[] = [];
    for (let i = 0; i < 6; i += 1) {
      created.push(await createTodo(client, `t${i}`));
      t.clock.advance(1);
    }
    const first = await page(client, "?limit=3");
    expect(first.todos.map((todo) => todo.title)).toEqual(["t0", "t1", "t2"]);
    // The row the cursor was taken from goes, so do one already seen and one not yet seen;
    // a new one arrives at the end.
    for (const gone of [created[2]!, created[0]!, created[4]!]) {
      expect((await client.delete(`/api/todos/${gone.id}`)).status).toBe(204);
    }
    await createTodo(client, "t6");
    const second = await page(client, `?limit=3&cursor=${first.nextCursor}`);
    expect(second.todos.map((todo) => todo.title)).toEqual(["t3", "t5", "t6"]);
    expect(second.nextCursor).toBeNull();
  });

  it("never shows another user's to-dos, whatever the cursor", async () => {
    const owner = await t.signUp();
    const other = await t.signUp();
    await createTodo(owner.client, "mine");
    const theirs = await createTodo(other.client, "theirs");
    t.clock.advance(1);
    await createTodo(other.client, "theirs too");
    const otherFirst = await page(other.client, "?limit=1");
    expect(otherFirst.todos).toEqual([theirs]);
    const ownerWithTheirCursor = await page(owner.client, `?cursor=${otherFirst.nextCursor}`);
    expect(ownerWithTheirCursor.todos.map((todo) => todo.title)).not.toContain("theirs too");
  });

  it("answers a bad limit or an unknown parameter with a 400 problem, never a 500", async () => {
    const { client } = await t.signUp();
    for (const query of [
      "limit=0",
      "limit=-1",
      "limit=201",
      "limit=1.5",
      "limit=abc",
      "limit=",
      "limit=1e999",
      "limit=99999999999999999999999",
      "limit=1&limit=2",
      "limit=1e2",
      "limit=0x10",
      "limit=%205",
      "limit=010",
    ]) {
      await expectProblem(await client.get(`/api/todos?${query}`), 400, "/limit");
    }
    await expectProblem(await client.get("/api/todos?offset=10"), 400, "/offset");
  });

  it("answers a tampered or made-up cursor with a 400 problem, never a 500", async () => {
    const { client } = await t.signUp();
    await createTodo(client, "a");
    t.clock.advance(1);
    await createTodo(client, "b");
    const { nextCursor } = await page(client, "?limit=1");
    const b64 = (text: string) => Buffer.from(text).toString("base64url");
    const uuid = "00000000-0000-4000-8000-000000000000";
    for (const cursor of [
      "",
      "!!!",
      "%00",
      "x".repeat(201),
      nextCursor!.slice(0, -3),
      `${nextCursor}A`,
      b64("null"),
      b64("[]"),
      b64("{}"),
      b64(`["1","${uuid}","x"]`),
      b64(`[1,"${uuid}"]`),
      b64(`["1.5","${uuid}"]`),
      b64(`["99999999999999999999","${uuid}"]`),
      b64(`["1","not-a-uuid"]`),
      b64(`["1","${uuid}'; drop table todos; --"]`),
      b64("\u0000\uffff"),
    ]) {
      const response = await client.get(`/api/todos?cursor=${encodeURIComponent(cursor)}`);
      await expectProblem(response, 400, "/cursor");
    }
    // A well-formed position is only a position: the list from there, the user's own.
    const far = b64(`["-99999999999999999","${uuid}"]`);
    expect((await page(client, `?cursor=${far}`)).todos.map((todo) => todo.title)).toEqual([
      "a",
      "b",
    ]);
  });

  it("reads one index range per page (todos_user_id_created_at_id_idx)", async () => {
    const { user } = await t.signUp();
    await t.database.db.execute(sql`set enable_seqscan = off`);
    try {
      const result = await t.database.db.execute(
        sql`explain select * from todos where user_id = ${user.id}
            and (created_at, id) > (timestamptz 'epoch', ${user.id}::uuid)
            order by created_at, id limit 101`,
      );
      const plan = JSON.stringify(result);
      expect(plan).toMatch(/Index Scan using todos_user_id_created_at_id_idx/);
      expect(plan).not.toMatch(/Sort/);
    } finally {
      await t.database.db.execute(sql`reset enable_seqscan`);
    }
  });
});

describe("the per-user cap on to-dos", () => {
  let capped: TestApp;
  const CAP = 5;
  beforeAll(async () => {
    capped = await createTestApp({ todosPerUserMax: CAP });
  });
  afterAll(() => capped.dispose());

  const rowsOf = async (userId: string) =>
    (
      await capped.database.db.select({ n: count() }).from(todos).where(eq(todos.userId, userId))
    )[0]!.n;

  it("refuses one more with a 409 problem naming the limit, and writes nothing", async () => {
    const { client, user } = await capped.signUp();
    for (let i = 0; i < CAP; i += 1) {
      expect((await client.post("/api/todos", { title: `t${i}` })).status).toBe(201);
    }
    const refused = await client.post("/api/todos", { title: "one too many" });
    const problem = await expectProblem(refused, 409);
    expect(problem.type).toBe("/problems/todo-limit");
    expect(problem.detail).toMatch(/at most 5 to-dos/);
    expect(await rowsOf(user.id)).toBe(CAP);

    // Deleting one makes room for exactly one.
    const { todos: list } = (await (await client.get("/api/todos")).json()) as { todos: Todo[] };
    expect((await client.delete(`/api/todos/${list[0]!.id}`)).status).toBe(204);
    expect((await client.post("/api/todos", { title: "room again" })).status).toBe(201);
    expect((await client.post("/api/todos", { title: "full again" })).status).toBe(409);
    expect(await rowsOf(user.id)).toBe(CAP);
  });

  it("counts per user: one user at the cap does not limit another", async () => {
    const full = await capped.signUp();
    const other = await capped.signUp();
    for (let i = 0; i < CAP; i += 1) await full.client.post("/api/todos", { title: `t${i}` });
    expect((await full.client.post("/api/todos", { title: "x" })).status).toBe(409);
    expect((await other.client.post("/api/todos", { title: "x" })).status).toBe(201);
  });

  it("holds under concurrent creates: two racing at the cap minus one, and twenty at once", async () => {
    const { client, user } = await capped.signUp();
    for (let i = 0; i < CAP - 1; i += 1) await client.post("/api/todos", { title: `t${i}` });
    const pair = await Promise.all([
      client.fork().post("/api/todos", { title: "racer 1" }),
      client.fork().post("/api/todos", { title: "racer 2" }),
    ]);
    expect(pair.map((response) => response.status).toSorted()).toEqual([201, 409]);
    expect(await rowsOf(user.id)).toBe(CAP);

    const crowd = await capped.signUp();
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        crowd.client
          .fork()
          .post("/api/todos", { title: `crowd ${i}` })
          .then((response) => response.status),
      ),
    );
    expect(statuses.filter((status) => status === 201)).toHaveLength(CAP);
    expect(statuses.filter((status) => status === 409)).toHaveLength(20 - CAP);
    expect(await rowsOf(crowd.user.id)).toBe(CAP);
  });

  it("keeps its count with the rows: deletes of missing or foreign to-dos change nothing", async () => {
    const { client, user } = await capped.signUp();
    const intruder = await capped.signUp();
    const todo = (
      (await (await client.post("/api/todos", { title: "kept" })).json()) as { todo: Todo }
    ).todo;
    expect((await intruder.client.delete(`/api/todos/${todo.id}`)).status).toBe(404);
    expect((await client.delete(`/api/todos/${todo.id}`)).status).toBe(204);
    expect((await client.delete(`/api/todos/${todo.id}`)).status).toBe(404);
    const counted = await capped.database.db
      .select({ count: todoCounts.count })
      .from(todoCounts)
      .where(eq(todoCounts.userId, user.id));
    expect(counted).toEqual([{ count: 0 }]);
    expect(await rowsOf(user.id)).toBe(0);
  });
});
