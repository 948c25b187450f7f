import { Hono, type MiddlewareHandler } from "hono";
import { describe, expect, it } from "vitest";
import { StaticPathRouter } from "./static-path-router.js";

/** Routes Hono's RegExpRouter gives up on (a static segment beside a parameter), like ours. */
function appWithAmbiguousRoutes(router?: StaticPathRouter<never>) {
  const app = new Hono(router ? { router } : {});
  const seen: string[] = [];
  app.use("*", async (c, next) => {
    seen.push(`mw ${c.req.path}`);
    await next();
  });
  app.get("/oidc/link", (c) => c.text("link"));
  app.get("/oidc/:provider/callback", (c) => c.text(`callback ${c.req.param("provider")}`));
  app.post("/oidc/:provider/start", (c) => c.text(`start ${c.req.param("provider")}`));
  app.get("/items/:id", (c) => c.text(`item ${c.req.param("id")}`));
  app.get("/items/mine", (c) => c.text("mine"));
  return { app, seen };
}

describe("StaticPathRouter", () => {
  it("answers like Hono's default router, static and parametric paths alike, again and again", async () => {
    const ours = appWithAmbiguousRoutes(new StaticPathRouter());
    const hono = appWithAmbiguousRoutes();
    const requests: [string, string][] = [
      ["GET", "/oidc/link"],
      ["GET", "/oidc/google/callback"],
      ["GET", "/oidc/github/callback"],
      ["POST", "/oidc/acme/start"],
      ["GET", "/items/mine"], // the parametric route came first: Hono answers "item mine"
      ["GET", "/items/42"],
      ["POST", "/oidc/link"],
      ["GET", "/nowhere"],
    ];
    const answer = async (app: Hono, [method, path]: [string, string]) => {
      const response = await app.request(path, { method });
      return `${response.status} ${await response.text()}`;
    };
    for (let round = 0; round < 3; round += 1) {
      for (const request of requests) {
        expect(await answer(ours.app, request)).toBe(await answer(hono.app, request));
      }
    }
    expect(await answer(ours.app, ["GET", "/oidc/google/callback"])).toBe("200 callback google");
    // The middleware ran for every request: a kept match still has all its handlers.
    expect(ours.seen).toEqual(hono.seen.concat("mw /oidc/google/callback"));
  });

  it("keeps the match of a static path, and only of paths the app registered", () => {
    const router = new StaticPathRouter<string>();
    router.add("ALL", "*", "every request");
    router.add("GET", "/health", "health");
    router.add("GET", "/items/:id", "item");
    const first = router.match("GET", "/health");
    expect(router.match("GET", "/health")).toBe(first);
    expect(router.match("POST", "/health")).not.toBe(first);
    // A parametric or unknown path is matched afresh each time: made-up paths keep nothing.
    expect(router.match("GET", "/items/1")).not.toBe(router.match("GET", "/items/1"));
    expect(router.match("GET", "/made-up")).not.toBe(router.match("GET", "/made-up"));
  });

  it("leaves out of a static path's kept match the handlers `skip` names, and only there", async () => {
    const calls: string[] = [];
    const layer =
      (name: string): MiddlewareHandler =>
      (_c, next) => {
        calls.push(name);
        return next();
      };
    const describe = layer("description");
    const router = new StaticPathRouter<[unknown, unknown]>({
      skip: ([handler], method) => handler === describe && method === "GET",
    });
    const app = new Hono({ router: router as never });
    app.use(layer("outer"));
    app.get("/health", describe, (c) => c.text("ok"));
    app.post("/health", describe, (c) => c.text("posted"));
    app.get("/items/:id", describe, (c) => c.text(`item ${c.req.param("id")}`));

    const answer = async (method: string, path: string) => {
      calls.length = 0;
      const response = await app.request(path, { method });
      return `${response.status} ${await response.text()} [${calls.join(", ")}]`;
    };
    for (let round = 0; round < 2; round += 1) {
      expect(await answer("GET", "/health")).toBe("200 ok [outer]");
      // Not skipped for another method, nor on a path the router does not keep.
      expect(await answer("POST", "/health")).toBe("200 posted [outer, description]");
      expect(await answer("GET", "/items/7")).toBe("200 item 7 [outer, description]");
    }
  });

  it("refuses routes added after the first match, as Hono's own routers do", () => {
    const router = new StaticPathRouter<string>();
    router.add("GET", "/a", "a");
    router.match("GET", "/a");
    expect(() => router.add("GET", "/b", "b")).toThrow(/already built/);
  });
});
