import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryHistory } from "vue-router";
import { setUnauthorizedHandler } from "./api/client";
import { takeFirstTodoPage } from "./api/first-todo-page";
import { verifyEmailBanner } from "./lib/verify-email-banner";
import { createAppRouter, installUnauthorizedRedirect, preloadPageOf } from "./router";
import { createSessionStore } from "./stores/session";
import { createTodoList } from "./stores/todos";
import { deferred, json, mockFetch } from "./testing/fetch-mock";

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(() => {});
  takeFirstTodoPage(); // nothing left over for the next test
  verifyEmailBanner.value = null;
});

const claims = { userId: "u", sessionId: "s", role: "user", issuedAt: "", expiresAt: "" };
const user = (emailVerified: boolean) => ({
  user: { id: "u", email: "u@example.com", name: null, role: "user", emailVerified, createdAt: "" },
});
const silentToasts = { error: () => 0, success: () => 0, show: () => 0, dismiss() {} };

async function open(path: string, handlers: Parameters<typeof mockFetch>[0]) {
  const mock = mockFetch(handlers);
  const session = createSessionStore();
  const router = createAppRouter({ history: createMemoryHistory(), session });
  installUnauthorizedRedirect(router, session);
  await router.push(path);
  await router.isReady();
  return { router, ...mock };
}

describe("the first page's data", () => {
  it("asks for the to-do list while the page opens, and the list's first load uses that answer", async () => {
    const { router, calls } = await open("/todos", {
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/me": () => json(user(true)),
      "GET /api/todos": () =>
        json({
          todos: [{ id: "t1", title: "Milk", completed: false, createdAt: "2026-01-01T00:00:00Z" }],
          nextCursor: null,
        }),
    });
    expect(router.currentRoute.value.path).toBe("/todos");
    expect(calls.filter((c) => c.path === "/api/todos")).toHaveLength(1);

    const list = createTodoList(silentToasts);
    await list.load();
    expect(list.state.items.map((t) => t.title)).toEqual(["Milk"]);
    // One request in all: the load took the router's answer instead of asking again.
    expect(calls.filter((c) => c.path === "/api/todos")).toHaveLength(1);
  });

  it("asks for nothing of a signed-out visitor, who is sent to sign in", async () => {
    const { router, calls } = await open("/todos", {
      "GET /api/auth/session": () => json({ session: null }),
    });
    expect(router.currentRoute.value.name).toBe("sign-in");
    expect(calls.map((c) => c.path)).toEqual(["/api/auth/session"]);
  });

  it("does not use an answer older than 10 s: the list asks again", async () => {
    const { calls } = await open("/todos", {
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/me": () => json(user(true)),
      "GET /api/todos": () => json({ todos: [], nextCursor: null }),
    });
    expect(takeFirstTodoPage(Date.now() + 10_001)).toBeNull();
    await createTodoList(silentToasts).load();
    expect(calls.filter((c) => c.path === "/api/todos")).toHaveLength(2);
  });
});

describe("the verify-email banner", () => {
  it("is downloaded before the first page of a user whose email is unverified shows", async () => {
    const me = deferred<Response>();
    const opened = open("/devices", {
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/me": () => me.promise,
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(verifyEmailBanner.value).toBeNull(); // still waiting for who the user is
    me.resolve(json(user(false)));
    const { router } = await opened;
    expect(router.currentRoute.value.path).toBe("/devices");
    expect(verifyEmailBanner.value).not.toBeNull();
  });

  it("is never downloaded for a verified user", async () => {
    await open("/devices", {
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/me": () => json(user(true)),
    });
    expect(verifyEmailBanner.value).toBeNull();
  });
});

describe("preloadPageOf", () => {
  it("starts the lazy page's download and leaves eager pages alone", () => {
    const router = createAppRouter({ history: createMemoryHistory() });
    const loader = vi.fn(() => Promise.resolve({}));
    // This router's own record (normalised from `routes`): nothing shared is changed.
    router.getRoutes().find((r) => r.name === "todos")!.components!.default = loader;
    preloadPageOf(router, "/todos");
    preloadPageOf(router, "/"); // the landing page is in the entry chunk: nothing to start
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it("never starts a page behind a permission: the admin area's code is for those let in", () => {
    const router = createAppRouter({ history: createMemoryHistory() });
    const loader = vi.fn(() => Promise.resolve({}));
    router.getRoutes().find((r) => r.name === "admin")!.components!.default = loader;
    preloadPageOf(router, "/admin");
    expect(loader).not.toHaveBeenCalled();
  });
});
