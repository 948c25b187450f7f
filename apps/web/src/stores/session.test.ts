import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, setUnauthorizedHandler } from "../api/client";
import { json, mockFetch, noContent, problem } from "../testing/fetch-mock";
import { createSessionStore } from "./session";

const claims = {
  userId: "u1",
  sessionId: "s1",
  role: "user",
  issuedAt: "2030-01-01T00:00:00.000Z",
  expiresAt: "2030-01-01T00:10:00.000Z",
};
const user = {
  id: "u1",
  email: "ada@example.com",
  name: "Ada",
  role: "user",
  createdAt: "2030-01-01T00:00:00.000Z",
};

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(() => {});
});

describe("session store", () => {
  it("learns it is signed in from GET /api/auth/session (200), probing only once", async () => {
    const { calls } = mockFetch({ "GET /api/auth/session": () => json({ session: claims }) });
    const session = createSessionStore();
    expect(session.state.status).toBe("unknown");
    await Promise.all([session.ensureLoaded(), session.ensureLoaded()]);
    await session.ensureLoaded();
    expect(session.state.status).toBe("signed-in");
    expect(session.signedIn).toBe(true);
    expect(session.state.claims).toEqual(claims);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.query.get("optional")).toBe("true");
  });

  it("is signed out when the probe answers {session: null}, told why a session ended", async () => {
    mockFetch({
      "GET /api/auth/session": () => json({ session: null, ended: { reason: "signed_out" } }),
    });
    const session = createSessionStore();
    await session.ensureLoaded();
    expect(session.state.status).toBe("signed-out");
    expect(session.takeNotice()).toBe(
      "You were signed out of this device from another device. Please sign in again.",
    );
  });

  it("is signed out when the probe answers 401, without triggering the session-ended redirect", async () => {
    mockFetch({ "GET /api/auth/session": () => problem(401, "Sign in to continue.") });
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    const session = createSessionStore();
    await session.ensureLoaded();
    expect(session.state.status).toBe("signed-out");
    expect(handler).not.toHaveBeenCalled();
  });

  it("counts an unreachable server as signed out", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("offline")));
    const session = createSessionStore();
    await session.ensureLoaded();
    expect(session.state.status).toBe("signed-out");
  });

  it("signs in, keeping the user and clearing any notice", async () => {
    const { calls } = mockFetch({
      "GET /api/auth/session": () => problem(401, "Sign in to continue."),
      "POST /api/auth/login": () => json({ user }),
    });
    const session = createSessionStore();
    await session.ensureLoaded();
    session.markSignedOut("Your session ended — please sign in again.");
    await session.signIn("ada@example.com", "violet-kettle-harbour-93");
    expect(session.state.status).toBe("signed-in");
    expect(session.state.user).toEqual(user);
    expect(session.takeNotice()).toBeNull();
    expect(calls.at(-1)!.body).toEqual({
      email: "ada@example.com",
      password: "violet-kettle-harbour-93",
    });
    // Signed in now: no new probe.
    await session.ensureLoaded();
    expect(calls.filter((c) => c.path === "/api/auth/session")).toHaveLength(1);
  });

  it("a right password with a second factor enrolled: no session yet, the methods of the second step", async () => {
    mockFetch({
      "GET /api/auth/session": () => problem(401, "Sign in to continue."),
      "POST /api/auth/login": () =>
        json({ twoFactorRequired: true, methods: ["totp", "recovery_code", "passkey"] }),
    });
    const session = createSessionStore();
    await session.ensureLoaded();
    const outcome = await session.signIn("ada@example.com", "violet-kettle-harbour-93");
    expect(outcome).toEqual({
      twoFactorRequired: true,
      methods: ["totp", "recovery_code", "passkey"],
    });
    expect(session.signedIn).toBe(false);
    session.completeSignIn({ ...user, emailVerified: true });
    expect(session.signedIn).toBe(true);
    expect(session.state.user).toEqual({ ...user, emailVerified: true });
  });

  it("reports bad credentials as an ApiError (401) and stays signed out, with no redirect", async () => {
    mockFetch({ "POST /api/auth/login": () => problem(401, "Invalid email or password.") });
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    const session = createSessionStore();
    const error = await session.signIn("ada@example.com", "wrong").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, message: "Invalid email or password." });
    expect(session.signedIn).toBe(false);
    expect(handler).not.toHaveBeenCalled();
  });

  it("signs up with the optional name sent as null when empty", async () => {
    const { calls } = mockFetch({ "POST /api/auth/register": () => json({ user }, 201) });
    const session = createSessionStore();
    await session.signUp({
      email: "ada@example.com",
      password: "violet-kettle-harbour-93",
      name: "",
    });
    expect(calls[0]!.body).toEqual({
      email: "ada@example.com",
      password: "violet-kettle-harbour-93",
      name: null,
    });
    expect(session.state.status).toBe("signed-in");
  });

  it("a host that requires verified emails answers sign-up with 202 and no session", async () => {
    mockFetch({
      "POST /api/auth/register": () =>
        json({ user: { ...user, emailVerified: false }, emailVerificationRequired: true }, 202),
    });
    const session = createSessionStore();
    const result = await session.signUp({ email: "ada@example.com", password: "pw" });
    expect(result).toMatchObject({
      verificationRequired: true,
      user: { email: "ada@example.com" },
    });
    expect(session.signedIn).toBe(false);
  });

  it("signs out (POST /api/auth/logout) and forgets the session even if the server is unreachable", async () => {
    const { calls } = mockFetch({
      "GET /api/auth/session": () => json({ session: claims }),
      "POST /api/auth/logout": () => noContent(),
    });
    const session = createSessionStore();
    await session.ensureLoaded();
    await session.signOut();
    expect(calls.at(-1)).toMatchObject({ method: "POST", path: "/api/auth/logout" });
    expect(session.state.status).toBe("signed-out");
    expect(session.state.claims).toBeNull();

    const offline = createSessionStore();
    mockFetch({ "GET /api/auth/session": () => json({ session: claims }) });
    await offline.ensureLoaded();
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("offline")));
    await expect(offline.signOut()).rejects.toBeInstanceOf(ApiError);
    expect(offline.state.status).toBe("signed-out");
  });

  it("signs out everywhere with POST /api/auth/logout-all", async () => {
    const { calls } = mockFetch({
      "GET /api/auth/session": () => json({ session: claims }),
      "POST /api/auth/logout-all": () => noContent(),
    });
    const session = createSessionStore();
    await session.ensureLoaded();
    await session.signOutEverywhere();
    expect(calls.at(-1)).toMatchObject({ method: "POST", path: "/api/auth/logout-all" });
    expect(session.state.status).toBe("signed-out");
  });

  it("hands out a notice exactly once", () => {
    const session = createSessionStore();
    session.markSignedOut("Your session ended — please sign in again.");
    expect(session.takeNotice()).toBe("Your session ended — please sign in again.");
    expect(session.takeNotice()).toBeNull();
  });
});
