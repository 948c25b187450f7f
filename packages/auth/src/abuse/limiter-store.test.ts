import { afterEach, describe, expect, it, vi } from "vitest";
import { createCoreTables } from "../schema/core-tables.js";
import { createAuthTestDatabase } from "../tests/test-database.js";
import { createLimiter } from "./limiter-store.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("createLimiter on the database store", () => {
  it("schedules no cleanup timer of its own: the retention job deletes expired counters once", async () => {
    const database = await createAuthTestDatabase();
    try {
      vi.useFakeTimers();
      const before = vi.getTimerCount();
      const spec = { keyPrefix: "test", points: 5, duration: 60 };
      createLimiter({ kind: "database", db: database.db }, spec, createCoreTables().rateLimits);
      // rate-limiter-flexible's default is a DELETE every 5 minutes per limiter and process.
      expect(vi.getTimerCount()).toBe(before);
    } finally {
      vi.useRealTimers();
      await database.dispose();
    }
  });
});
