import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryHistory } from "vue-router";
import { api, apiFetch, ApiError, parseRetryAfter, send, setUnauthorizedHandler } from "./client";
import { createAppRouter, installUnauthorizedRedirect, SESSION_ENDED } from "../router";
import { createSessionStore } from "../stores/session";
import { json, mockFetch, problem } from "../testing/fetch-mock";

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(() => {});
});

describe("apiFetch", () => {
  it("sends same-origin credentials and JSON bodies with their content type", async () => {
    const { calls } = mockFetch({ "POST /api/todos": () => json({ todo: {} }, 201) });
    await api.todos.$post({ json: { title: "Milk" } });
    const init = calls[0]!.init!;
    expect(init.credentials).toBe("same-origin");
    expect(new Headers(init.headers).get("Content-Type")).toMatch(/^application\/json/);
    expect(calls[0]!.body).toEqual({ title: "Milk" });
  });

  it("reports a 401 from a protected request to the unauthorized handler", async () => {
    mockFetch({ "GET /api/todos": () => problem(401, "Sign in to continue.") });
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    await expect(send(api.todos.$get({ query: {} }))).rejects.toMatchObject({ status: 401 });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it.each([
    ["POST", "/api/auth/login"],
    ["POST", "/api/auth/register"],
    ["POST", "/api/auth/logout"],
    ["GET", "/api/auth/session"],
    ["POST", "/api/auth/password/forgot"],
    ["POST", "/api/auth/password/reset"],
    ["POST", "/api/auth/email/verify"],
    ["POST", "/api/auth/email/change/confirm"],
  ])("does not treat a 401 from %s %s as an ended session", async (method, path) => {
    mockFetch({ [`${method} ${path}`]: () => problem(401, "Invalid email or password.") });
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    const response = await apiFetch(path, { method });
    expect(response.status).toBe(401);
    expect(handler).not.toHaveBeenCalled();
  });
});

describe("ApiError", () => {
  it("carries the problem detail, field errors and Retry-After", async () => {
    mockFetch({
      "POST /api/auth/login": () => problem(429, "Too many attempts.", {}, { "Retry-After": "42" }),
      "POST /api/auth/register": () =>
        problem(422, "The password is too short.", {
          errors: [{ pointer: "/password", detail: "must be at least 8 characters" }],
        }),
    });
    const throttled = await send(
      api.auth.login.$post({ json: { email: "a@b.co", password: "x" } }),
    ).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(ApiError);
    expect(throttled).toMatchObject({
      status: 429,
      message: "Too many attempts.",
      retryAfterSeconds: 42,
    });

    const invalid = (await send(
      api.auth.register.$post({ json: { email: "a@b.co", password: "x" } }),
    ).catch((e: unknown) => e)) as ApiError;
    expect(invalid.fieldError("password")).toBe("must be at least 8 characters");
    expect(invalid.fieldError("email")).toBeUndefined();
  });

  it("carries the problem type, matched by its last segment", async () => {
    mockFetch({
      "POST /api/auth/login": () =>
        problem(403, "Verify your email to sign in.", {
          type: "https://tidy.example/problems/email-not-verified",
        }),
    });
    const error = (await send(
      api.auth.login.$post({ json: { email: "a@b.co", password: "x" } }),
    ).catch((e: unknown) => e)) as ApiError;
    expect(error.type).toBe("https://tidy.example/problems/email-not-verified");
    expect(error.isType("email-not-verified")).toBe(true);
    expect(error.isType("not-verified")).toBe(false);
    expect(new ApiError(500, "x").type).toBe("about:blank");
  });

  it("turns a network failure into status 0 with a readable message", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    await expect(send(api.todos.$get({ query: {} }))).rejects.toMatchObject({ status: 0 });
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("17")).toBe(17);
    const now = Date.parse("2030-01-01T00:00:00Z");
    expect(parseRetryAfter("Tue, 01 Jan 2030 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("redirect on 401", () => {
  let signedIn: boolean;
  beforeEach(() => {
    signedIn = true;
  });

  async function setup(start: string) {
    const { calls } = mockFetch({
      "GET /api/auth/session": () =>
        signedIn
          ? json({
              session: { userId: "u", sessionId: "s", role: "user", issuedAt: "", expiresAt: "" },
            })
          : problem(401, "Sign in to continue."),
      // The router asks for the to-do list's first page on its way to /todos.
      "GET /api/todos": () =>
        signedIn ? json({ todos: [], nextCursor: null }) : problem(401, "Sign in to continue."),
      "GET /api/auth/me": () =>
        json({ user: { id: "u", email: "u@example.com", name: null, emailVerified: true } }),
      "GET /api/auth/sessions": () => problem(401, "Sign in to continue."),
    });
    const session = createSessionStore();
    const router = createAppRouter({ history: createMemoryHistory(), session });
    installUnauthorizedRedirect(router, session);
    await router.push(start);
    await router.isReady();
    return { router, session, calls };
  }

  it("sends the user to sign-in with the current path as returnTo and a message", async () => {
    const { router, session } = await setup("/devices?tab=all");
    expect(router.currentRoute.value.path).toBe("/devices");

    signedIn = false; // the session was revoked elsewhere
    await send(api.auth.sessions.$get()).catch(() => {});
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe("sign-in"));

    expect(router.currentRoute.value.query.returnTo).toBe("/devices?tab=all");
    expect(session.state.status).toBe("signed-out");
    expect(session.takeNotice()).toBe(SESSION_ENDED);
  });

  it("navigates once for a burst of 401s", async () => {
    const { router } = await setup("/todos");
    signedIn = false;
    const push = vi.spyOn(router, "replace");
    await Promise.all([
      send(api.todos.$get({ query: {} })).catch(() => {}),
      send(api.todos.$get({ query: {} })).catch(() => {}),
      send(api.auth.sessions.$get()).catch(() => {}),
    ]);
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe("sign-in"));
    expect(push).toHaveBeenCalledTimes(1);
  });

  it("does not loop when the 401 arrives while already on the sign-in page", async () => {
    signedIn = false;
    const { router, session } = await setup("/sign-in?returnTo=%2Ftodos");
    const replace = vi.spyOn(router, "replace");
    const push = vi.spyOn(router, "push");

    await send(api.todos.$get({ query: {} })).catch(() => {});
    await new Promise((r) => setTimeout(r, 10));

    expect(replace).not.toHaveBeenCalled();
    expect(push).not.toHaveBeenCalled();
    expect(router.currentRoute.value.fullPath).toBe("/sign-in?returnTo=%2Ftodos");
    expect(session.state.status).toBe("signed-out");
  });

  it("redirects a signed-out visit of a protected page to sign-in, keeping the destination", async () => {
    signedIn = false;
    const { router } = await setup("/account");
    expect(router.currentRoute.value.name).toBe("sign-in");
    expect(router.currentRoute.value.query.returnTo).toBe("/account");
  });

  it("sends signed-in visitors of the landing page to their to-dos", async () => {
    const { router } = await setup("/");
    expect(router.currentRoute.value.path).toBe("/todos");
  });

  it("honours a safe returnTo when a signed-in user opens sign-in, and ignores an unsafe one", async () => {
    const { router } = await setup("/sign-in?returnTo=%2Fdevices");
    expect(router.currentRoute.value.path).toBe("/devices");
    await router.push("/sign-in?returnTo=https%3A%2F%2Fevil.example%2F");
    expect(router.currentRoute.value.path).toBe("/todos");
  });
});
