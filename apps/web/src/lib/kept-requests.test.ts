import { describe, expect, it } from "vitest";
import { createKeptRequests, KEPT_REQUEST_MAX_AGE_MS, MAX_KEPT_REQUESTS } from "./kept-requests";
import { memoryStorage } from "../testing/memory-storage";

const add = { method: "POST", url: "/api/todos", body: '{"title":"Milk"}', ownerId: "u1" };

describe("kept requests", () => {
  it("survive a reload (a new instance on the same storage) and are taken once, in order", () => {
    const storage = memoryStorage();
    const first = createKeptRequests(storage);
    first.keep(add);
    first.keep({
      method: "PATCH",
      url: "/api/todos/t1",
      body: '{"completed":true}',
      ownerId: "u1",
    });
    const afterReload = createKeptRequests(storage);
    const { replay, discarded } = afterReload.takeFor("u1");
    expect(replay.map((r) => [r.method, r.url])).toEqual([
      ["POST", "/api/todos"],
      ["PATCH", "/api/todos/t1"],
    ]);
    expect(discarded).toBe(0);
    expect(afterReload.takeFor("u1").replay).toEqual([]);
    expect(storage.items.size).toBe(0);
  });

  it("never replays one user's changes for another: they are discarded", () => {
    const kept = createKeptRequests(memoryStorage());
    kept.keep(add);
    expect(kept.takeFor("someone-else")).toEqual({ replay: [], discarded: 1 });
    expect(kept.takeFor("u1").replay).toEqual([]);
  });

  it("keeps only what it sent: method, path, body and owner (no headers, no cookies)", () => {
    const storage = memoryStorage();
    createKeptRequests(storage).keep(add);
    const [stored] = JSON.parse([...storage.items.values()][0]!) as Record<string, unknown>[];
    expect(Object.keys(stored!).sort()).toEqual([
      "body",
      "id",
      "keptAt",
      "method",
      "ownerId",
      "url",
    ]);
  });

  it("drops one once replayed, stale ones after a day, and the oldest past the cap", () => {
    let now = 1_000_000;
    const storage = memoryStorage();
    const kept = createKeptRequests(storage, () => now);
    const id = kept.keep(add);
    kept.drop(id!);
    expect(kept.count).toBe(0);
    kept.keep(add);
    now += KEPT_REQUEST_MAX_AGE_MS + 1;
    expect(createKeptRequests(storage, () => now).count).toBe(0);
    for (let i = 0; i < MAX_KEPT_REQUESTS + 5; i += 1) kept.keep({ ...add, body: String(i) });
    const { replay } = kept.takeFor("u1");
    expect(replay).toHaveLength(MAX_KEPT_REQUESTS);
    expect(replay[0]!.body).toBe("5"); // the oldest went: the stale one, then 0–4
  });

  it("ignores tampered storage: only same-origin API paths, well-formed entries", () => {
    const storage = memoryStorage();
    storage.setItem(
      "tidy:kept-requests",
      JSON.stringify([
        { ...add, id: "a", keptAt: Date.now(), url: "https://evil.example/api/todos" },
        { ...add, id: "b", keptAt: Date.now(), body: 42 },
        { ...add, id: "d", keptAt: Date.now(), url: "/api/auth/password" },
        { ...add, id: "c", keptAt: Date.now() },
      ]),
    );
    expect(
      createKeptRequests(storage)
        .takeFor("u1")
        .replay.map((r) => r.id),
    ).toEqual(["c"]);
    storage.setItem("tidy:kept-requests", "{not json");
    expect(createKeptRequests(storage).count).toBe(0);
  });
});
