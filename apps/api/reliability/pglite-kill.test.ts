import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import {
  Client,
  listAllTodos,
  sleep,
  startServer,
  UNTHROTTLED,
  type RunningServer,
} from "./helpers.js";

/**
 * Embedded PGlite: the production server is killed with SIGKILL in the middle of a stream of
 * writes; restarted on the same data directory, it must hold every write it acknowledged.
 */
const WRITERS = 8;
let server: RunningServer | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  await server?.kill("SIGKILL");
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("embedded PGlite survives a hard kill mid-write", () => {
  it("keeps every acknowledged write after SIGKILL and restart", async () => {
    server = await startServer(UNTHROTTLED);
    dataDir = server.dataDir;
    const email = `kill-${Date.now()}@example.test`;
    const client = new Client(server.url);
    await client.signUp(email);
    const cookie = client.cookieHeader;

    const acknowledged = new Set<string>();
    let attempted = 0;
    let running = true;
    const writer = async (index: number) => {
      for (let i = 0; running && i < 100_000; i += 1) {
        const title = `w${index} #${i}`;
        attempted += 1;
        try {
          const reply = await client.request("POST", "/api/todos", { json: { title }, cookie });
          if (reply.status === 201) acknowledged.add(title);
          else if (reply.status >= 500) throw new Error(`${reply.status} ${reply.body}`);
        } catch {
          return; // the server is gone: this write is unacknowledged
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, index) => writer(index));
    await sleep(1500);
    await server.kill("SIGKILL");
    running = false;
    await Promise.all(writers);
    expect(acknowledged.size).toBeGreaterThan(20);

    server = await startServer(UNTHROTTLED, { dataDir });
    const again = new Client(server.url);
    await again.signIn(email);
    const reply = await listAllTodos(again);
    expect(reply.status).toBe(200);
    const stored = new Set(reply.todos.map((t) => t.title));
    const lost = [...acknowledged].filter((title) => !stored.has(title));
    console.log(
      `PGlite SIGKILL: ${attempted} writes attempted, ${acknowledged.size} acknowledged, ` +
        `${stored.size} stored after restart, ${lost.length} lost`,
    );
    expect(lost).toEqual([]);
  });
});
