import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSpaRoutes, SPA_ROUTE_MANIFEST, spaRouteMatcher } from "./spa-routes.js";

const isPage = spaRouteMatcher(["/", "/sign-in", "/admin", "/admin/users/:id"]);

describe("spaRouteMatcher", () => {
  it("matches plain paths exactly, ignoring case and a trailing slash", () => {
    for (const path of ["/", "/sign-in", "/sign-in/", "/Sign-In", "/admin"]) {
      expect(isPage(path), path).toBe(true);
    }
    for (const path of ["/sign-in/x", "/sign", "/sign-in-now", "/nope", "/admin/users"]) {
      expect(isPage(path), path).toBe(false);
    }
  });

  it("lets a :param stand for exactly one non-empty segment", () => {
    expect(isPage("/admin/users/42")).toBe(true);
    expect(isPage("/admin/users/42/")).toBe(true);
    expect(isPage("/admin/users/42/edit")).toBe(false);
    expect(isPage("/admin/users//")).toBe(false);
    expect(isPage("/admin//users/42")).toBe(false);
  });
});

describe("readSpaRoutes", () => {
  const dist = (manifest?: string) => {
    const dir = mkdtempSync(join(tmpdir(), "spa-routes-"));
    if (manifest !== undefined) writeFileSync(join(dir, SPA_ROUTE_MANIFEST), manifest);
    return dir;
  };

  it("reads the build's manifest", () => {
    const matcher = readSpaRoutes(dist('["/", "/todos"]'))!;
    expect(matcher("/todos")).toBe(true);
    expect(matcher("/elsewhere")).toBe(false);
  });

  it("is undefined for a build without one (every path a page, as before)", () => {
    expect(readSpaRoutes(dist())).toBeUndefined();
  });

  it("refuses a manifest that is not a list of paths", () => {
    expect(() => readSpaRoutes(dist('{"routes": []}'))).toThrow(/JSON array of paths/);
    expect(() => readSpaRoutes(dist('["todos"]'))).toThrow(/JSON array of paths/);
    expect(() => readSpaRoutes(dist("not json"))).toThrow();
  });
});
