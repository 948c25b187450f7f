import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createProblemErrorHandler, isDatabaseUnavailableError } from "./problem.js";

/** A postgres.js-style error: `code` (and `errno`) carry the connection error or SQLSTATE. */
const withCode = (code: string) => Object.assign(new Error(code), { code, errno: code });

describe("database outages", () => {
  it("recognises connection failures and shutdown SQLSTATEs, also wrapped by drizzle", () => {
    for (const code of [
      "ECONNREFUSED",
      "CONNECTION_CLOSED",
      "CONNECT_TIMEOUT",
      "CONNECTION_ENDED",
      "CONNECTION_DESTROYED",
      "08006",
      "08001",
      "57P01",
      "57P02",
      "57P03",
    ]) {
      expect(isDatabaseUnavailableError(withCode(code)), code).toBe(true);
      const wrapped = new Error("Failed query: select 1", { cause: withCode(code) });
      expect(isDatabaseUnavailableError(wrapped), `wrapped ${code}`).toBe(true);
    }
    for (const error of [withCode("23505"), withCode("42P01"), new Error("boom"), "text", null]) {
      expect(isDatabaseUnavailableError(error)).toBe(false);
    }
  });

  it("answers 503 problem+json with Retry-After, without logging it as a bug", async () => {
    const logged: unknown[] = [];
    const app = new Hono();
    app.onError(createProblemErrorHandler((error) => logged.push(error)));
    app.get("/down", () => {
      throw new Error("Failed query", { cause: withCode("ECONNREFUSED") });
    });
    app.get("/bug", () => {
      throw new Error("bug");
    });
    const down = await app.request("/down");
    expect(down.status).toBe(503);
    expect(down.headers.get("content-type")).toBe("application/problem+json");
    expect(down.headers.get("retry-after")).toBe("5");
    expect(await down.json()).toMatchObject({ status: 503, title: "Service Unavailable" });
    expect(logged).toEqual([]);
    expect((await app.request("/bug")).status).toBe(500);
    expect(logged).toHaveLength(1);
  });
});
