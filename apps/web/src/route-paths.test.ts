import { describe, expect, it } from "vitest";
import { ROUTE_PATHS } from "./route-paths";
import { routes } from "./router";

describe("ROUTE_PATHS", () => {
  it("is exactly the router's pages (the not-found catch-all aside)", () => {
    const pages = routes
      .filter((route) => route.name !== "not-found")
      .map((route) => [String(route.name), route.path]);
    expect(Object.fromEntries(pages)).toEqual(ROUTE_PATHS);
  });

  it("holds only absolute patterns of plain segments and :params", () => {
    for (const path of Object.values(ROUTE_PATHS)) {
      expect(path).toMatch(/^\/([a-z0-9-]+|:[a-zA-Z]+)?(\/([a-z0-9-]+|:[a-zA-Z]+))*$/);
    }
  });
});
