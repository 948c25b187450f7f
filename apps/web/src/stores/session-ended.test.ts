import { afterEach, describe, expect, it, vi } from "vitest";
import { flushPromises } from "@vue/test-utils";
import {
  api,
  apiFetch,
  isChangeDiscarded,
  send,
  setSessionEndedHandler,
  setUnauthorizedHandler,
} from "../api/client";
import { createKeptRequests } from "../lib/kept-requests";
import { json, mockFetch, problem } from "../testing/fetch-mock";
import { createSessionEndedStore } from "./session-ended";
import { memoryStorage } from "../testing/memory-storage";

const ended = () =>
  problem(401, "Your session ended.", { type: "/problems/session-ended", reason: "signed_out" });

/** The app's wiring: the API client asks the store; the "user" answers through `finish`. */
function setUp(signedInAs: string | null = "u1") {
  const kept = createKeptRequests(memoryStorage());
  const store = createSessionEndedStore({
    kept,
    currentUserId: () => signedInAs,
    currentEmail: () => "ada@example.com",
  });
  setSessionEndedHandler((info, request) => store.handle(info, request));
  const unauthorized = vi.fn();
  setUnauthorizedHandler(unauthorized);
  return { store, kept, unauthorized };
}

afterEach(() => {
  vi.unstubAllGlobals();
  setSessionEndedHandler(null);
  setUnauthorizedHandler(() => {});
});

describe("a change that meets an ended session", () => {
  it("waits for the sign-in, says why, pre-fills the email, and is sent again once", async () => {
    const { store, kept, unauthorized } = setUp();
    let signedOut = true;
    const { calls } = mockFetch({
      "POST /api/todos": () => (signedOut ? ended() : json({ todo: { title: "Milk" } }, 201)),
    });
    const adding = send(api.todos.$post({ json: { title: "Milk" } }));
    await flushPromises();
    expect(store.state).toMatchObject({
      open: true,
      reason: "signed_out",
      email: "ada@example.com",
      waiting: 1,
    });
    expect(kept.count).toBe(1); // in sessionStorage too, should the page reload now
    signedOut = false;
    store.finish("u1");
    const response = await adding;
    expect(response.status).toBe(201);
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([
      { title: "Milk" },
      { title: "Milk" },
    ]);
    expect(kept.count).toBe(0);
    expect(unauthorized).not.toHaveBeenCalled();
    expect(store.state.open).toBe(false);
  });

  it("shares one dialog between concurrent requests, each replayed once", async () => {
    const { store } = setUp();
    let signedOut = true;
    const { calls } = mockFetch({
      "PATCH /api/todos/:id": () => (signedOut ? ended() : json({ todo: {} })),
      "GET /api/todos": () => (signedOut ? ended() : json({ todos: [], nextCursor: null })),
    });
    const tick = apiFetch("/api/todos/t1", { method: "PATCH", body: '{"completed":true}' });
    const list = apiFetch("/api/todos", { method: "GET" });
    await flushPromises();
    expect(store.state.waiting).toBe(1); // the read waits too, but is not a change to keep
    signedOut = false;
    store.finish("u1");
    expect((await tick).status).toBe(200);
    expect((await list).status).toBe(200);
    expect(calls).toHaveLength(4);
  });

  it("is discarded, never sent, when someone else signs in", async () => {
    const { store, kept } = setUp();
    let signedOut = true;
    const { calls } = mockFetch({
      "POST /api/todos": () => (signedOut ? ended() : json({ todo: {} }, 201)),
    });
    const adding = send(api.todos.$post({ json: { title: "Milk" } }));
    await flushPromises();
    signedOut = false;
    store.finish("someone-else");
    const error = await adding.catch((e: unknown) => e);
    expect(isChangeDiscarded(error)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(kept.count).toBe(0);
  });

  it("stays kept when the user goes to the sign-in page, and is replayed after signing in there", async () => {
    const { store, kept, unauthorized } = setUp();
    let signedOut = true;
    const { calls } = mockFetch({
      "POST /api/todos": () => (signedOut ? ended() : json({ todo: {} }, 201)),
    });
    const adding = apiFetch("/api/todos", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"title":"Milk"}',
    });
    await flushPromises();
    store.finish(null); // "Go to the sign-in page"
    expect((await adding).status).toBe(401);
    expect(unauthorized).toHaveBeenCalledWith({ reason: "signed_out" });
    expect(kept.count).toBe(1);
    expect(store.lastEnded()).toEqual({ reason: "signed_out", email: "ada@example.com" });

    signedOut = false;
    expect(await store.replayKept("u1")).toEqual({ saved: 1, failed: 0, discarded: 0 });
    expect(calls.map((c) => [c.method, c.body])).toEqual([
      ["POST", { title: "Milk" }],
      ["POST", { title: "Milk" }],
    ]);
    expect(await store.replayKept("u1")).toEqual({ saved: 0, failed: 0, discarded: 0 });
    expect(store.lastEnded()).toBeNull();
  });

  it("after a sign-in as another user on the sign-in page, kept changes are discarded", async () => {
    const { store, kept } = setUp();
    kept.keep({ method: "POST", url: "/api/todos", body: '{"title":"x"}', ownerId: "u1" });
    const { calls } = mockFetch({});
    expect(await store.replayKept("u2")).toEqual({ saved: 0, failed: 0, discarded: 1 });
    expect(calls).toHaveLength(0);
  });

  it("is replayed only once: a second 401 after the sign-in goes to the unauthorized handler", async () => {
    const { store, unauthorized } = setUp();
    const { calls } = mockFetch({ "POST /api/todos": () => ended() });
    const adding = apiFetch("/api/todos", { method: "POST", body: "{}" });
    await flushPromises();
    store.finish("u1");
    expect((await adding).status).toBe(401);
    expect(calls).toHaveLength(2);
    expect(unauthorized).toHaveBeenCalledOnce();
  });

  it("a sensitive action waits for the sign-in too, but is never kept nor sent again by itself", async () => {
    const { store, kept } = setUp();
    let signedOut = true;
    const { calls } = mockFetch({
      "POST /api/auth/password": () => (signedOut ? ended() : json({}, 200)),
    });
    const changing = apiFetch("/api/auth/password", {
      method: "POST",
      body: '{"currentPassword":"old secret","newPassword":"new secret"}',
    });
    await flushPromises();
    expect(store.state.open).toBe(true);
    expect(kept.count).toBe(0); // no password at rest in the tab
    signedOut = false;
    store.finish("u1");
    const error = await changing.catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, type: "/problems/send-again" });
    expect(calls).toHaveLength(1);
  });

  it("with nobody signed in (a public page's request), no dialog: straight to the handler", async () => {
    const { store, unauthorized } = setUp(null);
    mockFetch({ "POST /api/todos": () => ended() });
    expect((await apiFetch("/api/todos", { method: "POST", body: "{}" })).status).toBe(401);
    expect(store.state.open).toBe(false);
    expect(unauthorized).toHaveBeenCalledOnce();
  });
});
