import { Hono, type MiddlewareHandler } from "hono";
import { describe, expect, it } from "vitest";
import { bearerPairInBody } from "../bearer/pair-in-body.js";
import { describeRoute } from "../openapi/describe.js";
import { passesThrough, passesThroughFor } from "./pass-through.js";

const METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];

/**
 * Runs `middleware` alone for a request of `method`, with a `next` that answers: what it
 * answered, and whether it only passed the request on (next called once, its answer kept,
 * no header of its own).
 */
async function onlyPassesOn(middleware: MiddlewareHandler, method: string): Promise<boolean> {
  let nextCalls = 0;
  const app = new Hono().all("/", middleware, (c) => {
    nextCalls += 1;
    return c.text("from next", 200, { "X-Next": "yes" });
  });
  const response = await app.request("/", { method });
  const headers = [...response.headers.keys()].sort();
  return (
    nextCalls === 1 &&
    response.status === 200 &&
    (method === "HEAD" || (await response.text()) === "from next") &&
    headers.join(",") === "content-type,x-next"
  );
}

describe("passesThrough", () => {
  it("marks a middleware for the methods given, or for every method", () => {
    const some = passesThrough<MiddlewareHandler>((_c, next) => next(), ["GET"]);
    const every = passesThrough<MiddlewareHandler>((_c, next) => next());
    expect(passesThroughFor(some, "GET")).toBe(true);
    expect(passesThroughFor(some, "POST")).toBe(false);
    for (const method of METHODS) expect(passesThroughFor(every, method)).toBe(true);
    expect(passesThroughFor((_c: unknown, next: () => unknown) => next(), "GET")).toBe(false);
    expect(passesThroughFor(undefined, "GET")).toBe(false);
  });

  it("holds for the package's marked middleware: for each method it names, it only calls next()", async () => {
    const marked: [string, MiddlewareHandler][] = [
      ["describeRoute", describeRoute({ summary: "A route", responses: {} })],
      ["bearerPairInBody", bearerPairInBody],
    ];
    for (const [name, middleware] of marked) {
      for (const method of METHODS) {
        if (passesThroughFor(middleware, method)) {
          expect(await onlyPassesOn(middleware, method), `${name} ${method}`).toBe(true);
        }
      }
    }
    // bearerPairInBody does its work on a POST: it must not be left out of those.
    expect(passesThroughFor(bearerPairInBody, "POST")).toBe(false);
  });
});
