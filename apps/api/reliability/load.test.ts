import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  createScratchDatabase,
  listAllTodos,
  postgresUrl,
  query,
  startServer,
  UNTHROTTLED,
  type RunningServer,
  type ScratchDatabase,
  type Todo,
} from "./helpers.js";

/**
 * 200 virtual users doing to-do CRUD for 60 s against the production server on real
 * PostgreSQL. Each user works sequentially on its own account and keeps a model of what the
 * server acknowledged; at the end the server's state must equal the model exactly: no lost and
 * no duplicated writes. A short access-token lifetime (15 s) mixes silent reissues and session
 * rotations into the traffic; each user follows Set-Cookie like a browser.
 */
const USERS = 200;
const SECONDS = 60;
const MAX_OPERATIONS_PER_USER = 20_000;

let database: ScratchDatabase;
let server: RunningServer;

beforeAll(async () => {
  database = await createScratchDatabase(postgresUrl(), "reliability_load");
  server = await startServer({ ...UNTHROTTLED, DATABASE_URL: database.url, AUTH_ACCESS_TTL: "15" });
});

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

type Stats = { operations: number; serverErrors: string[]; unexpected: string[] };

async function virtualUser(index: number, deadline: number, stats: Stats) {
  const client = new Client(server.url);
  await client.signUp(`load-${index}-${Date.now()}@example.test`);
  const model = new Map<string, Todo>();
  let serial = 0;
  const check = (what: string, status: number, expected: number, body: string) => {
    stats.operations += 1;
    if (status >= 500) stats.serverErrors.push(`${what}: ${status} ${body.slice(0, 200)}`);
    else if (status !== expected) stats.unexpected.push(`${what}: ${status} ${body.slice(0, 200)}`);
    return status === expected;
  };
  for (let i = 0; i < MAX_OPERATIONS_PER_USER && Date.now() < deadline; i += 1) {
    const ids = [...model.keys()];
    const pick = ids[Math.floor(Math.random() * ids.length)];
    const roll = Math.random();
    if (!pick || roll < 0.4) {
      const title = `u${index} #${(serial += 1)}`;
      const reply = await client.request("POST", "/api/todos", { json: { title } });
      if (check("create", reply.status, 201, reply.body)) {
        const { todo } = JSON.parse(reply.body) as { todo: Todo };
        model.set(todo.id, { id: todo.id, title, completed: false });
      }
    } else if (roll < 0.6) {
      const current = model.get(pick)!;
      const next = { title: `${current.title}'`, completed: !current.completed };
      const reply = await client.request("PATCH", `/api/todos/${pick}`, { json: next });
      if (check("update", reply.status, 200, reply.body)) model.set(pick, { id: pick, ...next });
    } else if (roll < 0.75) {
      const reply = await client.request("DELETE", `/api/todos/${pick}`);
      if (check("delete", reply.status, 204, reply.body)) model.delete(pick);
    } else {
      const reply = await client.request("GET", "/api/todos");
      check("list", reply.status, 200, reply.body);
    }
  }
  const { status, todos } = await listAllTodos(client);
  expect(status).toBe(200);
  const actual = todos.map(({ id, title, completed }) => ({ id, title, completed }));
  const expected = [...model.values()];
  const byId = (a: Todo, b: Todo) => a.id.localeCompare(b.id);
  return { actual: actual.sort(byId), expected: expected.sort(byId) };
}

describe("200 virtual users, to-do CRUD for 60 s on PostgreSQL", () => {
  it("answers no 5xx and loses or duplicates no acknowledged write", async () => {
    const stats: Stats = { operations: 0, serverErrors: [], unexpected: [] };
    const started = Date.now();
    const deadline = started + SECONDS * 1000;
    const results = await Promise.all(
      Array.from({ length: USERS }, (_, index) => virtualUser(index, deadline, stats)),
    );
    const seconds = (Date.now() - started) / 1000;
    let mismatched = 0;
    let expectedRows = 0;
    for (const { actual, expected } of results) {
      expectedRows += expected.length;
      if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatched += 1;
    }
    const [{ count }] = (await query<{ count: string }>(
      database.url,
      "select count(*)::text as count from todos",
    )) as [{ count: string }];
    console.log(
      `load: ${USERS} users, ${stats.operations} operations in ${seconds.toFixed(1)} s ` +
        `(${(stats.operations / seconds).toFixed(0)} ops/s), ${stats.serverErrors.length} 5xx, ` +
        `${stats.unexpected.length} unexpected, ${mismatched} users with a state mismatch, ` +
        `${count} rows for ${expectedRows} acknowledged to-dos, server peak RSS ${server.peakRssMb()?.toFixed(0)} MiB`,
    );
    expect(stats.serverErrors).toEqual([]);
    expect(stats.unexpected).toEqual([]);
    expect(mismatched).toBe(0);
    expect(Number(count)).toBe(expectedRows);
    expect(stats.operations).toBeGreaterThan(USERS * 10);
  });
});
