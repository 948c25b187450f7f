import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryHistory } from "vue-router";
import { createAppRouter } from "../router";
import { createSessionStore } from "../stores/session";
import { mockFetch, problem } from "../testing/fetch-mock";
import { captureUrlToken, holdUrlToken, takeUrlToken } from "./url-token";

afterEach(() => {
  vi.unstubAllGlobals();
  takeUrlToken("/verify-email");
  takeUrlToken("/reset-password");
  takeUrlToken("/confirm-email");
});

function fakeBrowser(url: string) {
  const { pathname, search, hash } = new URL(url, "https://tidy.example");
  const history = { state: { position: 3 }, replaceState: vi.fn() };
  return { location: { pathname, search, hash }, history };
}

describe("captureUrlToken", () => {
  it("moves ?token= out of the address bar into memory, keeping the rest of the URL", () => {
    const { location, history } = fakeBrowser("/reset-password?token=s3cr3t&lang=fr#top");
    captureUrlToken(location, history);
    expect(history.replaceState).toHaveBeenCalledTimes(1);
    expect(history.replaceState).toHaveBeenCalledWith(
      { position: 3 },
      "",
      "/reset-password?lang=fr#top",
    );
    expect(takeUrlToken("/reset-password")).toBe("s3cr3t");
  });

  it("hands the token out once, and only to its own page", () => {
    const { location, history } = fakeBrowser("/verify-email?token=abc");
    captureUrlToken(location, history);
    expect(takeUrlToken("/confirm-email")).toBeNull();
    expect(takeUrlToken("/verify-email/")).toBe("abc");
    expect(takeUrlToken("/verify-email")).toBeNull();
  });

  it("leaves other pages and token-less links alone", () => {
    for (const url of ["/todos?token=abc", "/verify-email", "/confirm-email?x=1"]) {
      const { location, history } = fakeBrowser(url);
      captureUrlToken(location, history);
      expect(history.replaceState).not.toHaveBeenCalled();
    }
  });

  it("still strips an empty ?token= but holds nothing", () => {
    const { location, history } = fakeBrowser("/confirm-email?token=");
    captureUrlToken(location, history);
    expect(history.replaceState).toHaveBeenCalledWith(expect.anything(), "", "/confirm-email");
    expect(takeUrlToken("/confirm-email")).toBeNull();
  });

  it("a newer token replaces the one held", () => {
    holdUrlToken("/verify-email", "old");
    holdUrlToken("/verify-email", "new");
    expect(takeUrlToken("/verify-email")).toBe("new");
  });
});

describe("the router on a token page", () => {
  it("drops the token from the route before the session probe or any other request", async () => {
    const { calls } = mockFetch({
      "GET /api/auth/session": () => problem(401, "Sign in to continue."),
    });
    const router = createAppRouter({
      history: createMemoryHistory(),
      session: createSessionStore(),
    });
    const seen: string[] = [];
    router.afterEach((to) => seen.push(to.fullPath));

    await router.push("/verify-email?token=abc&utm=mail#x");
    expect(router.currentRoute.value.fullPath).toBe("/verify-email?utm=mail#x");
    expect(seen).toEqual(["/verify-email?utm=mail#x"]);
    expect(calls.map((c) => `${c.path}?${c.query}`).join()).not.toContain("abc");
    expect(takeUrlToken("/verify-email")).toBe("abc");
  });

  it.each(["/reset-password", "/verify-email", "/confirm-email"])(
    "%s is reachable signed out",
    async (path) => {
      mockFetch({ "GET /api/auth/session": () => problem(401, "Sign in to continue.") });
      const router = createAppRouter({
        history: createMemoryHistory(),
        session: createSessionStore(),
      });
      await router.push(`${path}?token=t`);
      expect(router.currentRoute.value.path).toBe(path);
      expect(router.currentRoute.value.meta.public).toBe(true);
    },
  );
});
