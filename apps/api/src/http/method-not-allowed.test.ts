import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { methodNotAllowed } from "./method-not-allowed.js";

function appWith(
  notFound: (path: string) => Response = () => new Response("nothing", { status: 404 }),
) {
  const app = new Hono();
  app.notFound(
    methodNotAllowed({
      app,
      notFound: (c) => notFound(c.req.path),
      onMethodNotAllowed: (c, methods) => c.text("no", 405, { Allow: methods.join(", ") }),
    }),
  );
  app.use("*", async (_c, next) => next());
  app.get("/items", (c) => c.text("list"));
  app.post("/items", (c) => c.text("added", 201));
  app.delete("/items/:id", (c) => c.text(`gone ${c.req.param("id")}`));
  app.get("/missing", (c) => c.text("not here", 404));
  return app;
}

const answer = async (app: Hono, method: string, path: string) => {
  const response = await app.request(path, { method });
  const allow = response.headers.get("Allow");
  return `${response.status}${allow ? ` (${allow})` : ""}`;
};

describe("methodNotAllowed (not-found handler)", () => {
  it("answers 405 with the path's methods, HEAD beside GET, parameters matched as routes are", async () => {
    const app = appWith();
    expect(await answer(app, "PUT", "/items")).toBe("405 (GET, HEAD, POST)");
    expect(await answer(app, "GET", "/items/7")).toBe("405 (DELETE)");
    expect(await answer(app, "HEAD", "/items")).toBe("200");
    expect(await answer(app, "DELETE", "/items/7")).toBe("200");
  });

  it("leaves a 404 alone for an unknown path, and a route's own 404 for its method", async () => {
    const app = appWith();
    expect(await answer(app, "GET", "/nowhere")).toBe("404");
    expect(await answer(app, "POST", "/nowhere")).toBe("404");
    expect(await answer(app, "GET", "/missing")).toBe("404");
    // Middleware for every path (`app.use("*")`) gives no path a method.
    expect(await answer(app, "PATCH", "/anything/else")).toBe("404");
  });

  it("keeps the not-found handler's answer when it is not a 404 (an SPA's page)", async () => {
    const app = appWith((path) =>
      path === "/items" ? new Response("page", { status: 200 }) : new Response("", { status: 404 }),
    );
    expect(await answer(app, "PUT", "/items")).toBe("200");
    expect(await answer(app, "PUT", "/items/1")).toBe("405 (DELETE)");
  });
});
