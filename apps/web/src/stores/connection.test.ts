import { afterEach, describe, expect, it, vi } from "vitest";
import { flushPromises } from "@vue/test-utils";
import { apiFetch, setConnectionMonitor } from "../api/client";
import { json } from "../testing/fetch-mock";
import { createConnection, RETRY_DELAYS_SECONDS } from "./connection";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  setConnectionMonitor(null);
});

describe("connection", () => {
  it("a change sent offline waits, and is sent when a check finds the server again", async () => {
    vi.useFakeTimers();
    let online = false;
    const connection = createConnection({ probe: async () => online });
    setConnectionMonitor(connection.monitor);
    const fetchMock = vi.fn(async () => {
      if (!online) throw new TypeError("Failed to fetch");
      return json({ todo: {} }, 201);
    });
    vi.stubGlobal("fetch", fetchMock);

    const adding = apiFetch("/api/todos", { method: "POST", body: '{"title":"Milk"}' });
    await flushPromises();
    expect(connection.state).toMatchObject({ reachable: false, waiting: 1 });
    expect(connection.state.retryInSeconds).toBe(RETRY_DELAYS_SECONDS[0]);

    await vi.advanceTimersByTimeAsync(RETRY_DELAYS_SECONDS[0] * 1000); // a check: still down
    expect(connection.state.reachable).toBe(false);
    expect(connection.state.retryInSeconds).toBe(RETRY_DELAYS_SECONDS[1]); // backing off

    online = true;
    await vi.advanceTimersByTimeAsync(RETRY_DELAYS_SECONDS[1] * 1000);
    expect((await adding).status).toBe(201);
    expect(connection.state).toMatchObject({ reachable: true, waiting: 0 });
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it("a read fails at once (the page offers to retry) but still shows the banner", async () => {
    const connection = createConnection({ probe: async () => false });
    setConnectionMonitor(connection.monitor);
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    );
    await expect(apiFetch("/api/todos", { method: "GET" })).rejects.toThrow(TypeError);
    expect(connection.state).toMatchObject({ reachable: false, waiting: 0 });
  });

  it("retry now checks at once; back online runs the listeners with how many changes go", async () => {
    let online = false;
    const connection = createConnection({ probe: async () => online });
    const back = vi.fn();
    connection.onBack(back);
    connection.navigationFailed("Your devices");
    expect(connection.state.failedNavigation).toBe("Your devices");
    expect(await connection.retryNow()).toBe(false);
    online = true;
    expect(await connection.retryNow()).toBe(true);
    expect(back).toHaveBeenCalledWith(0);
    expect(connection.state.reachable).toBe(true);
  });

  it("an answer from any request counts as reachable", () => {
    const connection = createConnection({ probe: async () => false });
    connection.markUnreachable();
    connection.monitor.reachable();
    expect(connection.state.reachable).toBe(true);
  });
});
