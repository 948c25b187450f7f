import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { jsonBody, MAX_REPORTED_ERRORS } from "./json-body.js";
import { createProblemErrorHandler } from "./problem.js";

const app = new Hono()
  .onError(createProblemErrorHandler())
  .post("/", jsonBody(z.strictObject({ title: z.string() })), (c) => c.json(c.req.valid("json")));

const post = (body: string) =>
  app.request("/", { method: "POST", body, headers: { "Content-Type": "application/json" } });

describe("jsonBody", () => {
  it("answers a body of thousands of unknown keys with a capped, small 422", async () => {
    const keys = Array.from({ length: 6500 }, (_, i) => `"k${i}":1`).join(",");
    const body = `{"title":"x",${keys}}`;
    expect(body.length).toBeLessThan(64 * 1024);
    const response = await post(body);
    expect(response.status).toBe(422);
    const text = await response.text();
    const problem = JSON.parse(text) as { detail: string; errors: unknown[] };
    expect(problem.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(problem.detail).toBe("6500 fields are invalid; the first 20 are listed.");
    expect(text.length).toBeLessThan(4 * 1024);
  });

  it("lists every error when there are few", async () => {
    const response = await post(`{"title":1,"extra":true}`);
    const problem = (await response.json()) as { detail: string; errors: unknown[] };
    expect(problem.errors).toHaveLength(2);
    expect(problem.detail).toBe("One or more fields are invalid.");
  });
});
